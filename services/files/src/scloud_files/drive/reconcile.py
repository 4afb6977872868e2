"""The reconcile pass: bytes without a row and rows without bytes, a bounded page at a time.

An upload stores its bytes, then its row; when the row's write has an outcome nobody heard and
its read-back fails too, the bytes stay (drive/upload.py); a file's thumbnails, stored beside its
bytes, stay too when the file went while they were made or their delete failed. This pass deletes
such objects once they are older than a grace period (so an upload or a thumbnail in flight is
never touched; a file's renditions go only once its row is gone), and reports rows
whose object is missing (log and counts; metadata is never deleted silently). Each files
process runs `reconcile_periodically`; `python -m scloud_files.reconcile` runs full passes."""

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from scloud_files.domain import USERS_PREFIX, Item, ObjectKeys, StoredObject, rendition_source
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.ports import BlobStore, FileRepository

logger = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    objects_checked: int = 0
    objects_deleted: list[str] = field(default_factory=list)
    rows_checked: int = 0
    rows_without_objects: list[tuple[str, str]] = field(default_factory=list)
    # Both the bucket and the table were read to their end in this step.
    wrapped: bool = False


class ReconcileStore:
    """One call is one bounded step: a page of objects and a page of rows, from where the last
    step stopped; at the end of both, the next step starts over."""

    def __init__(
        self,
        repository: FileRepository,
        blob_store: BlobStore,
        *,
        keys: ObjectKeys,
        grace: timedelta,
        page_size: int,
        now: Clock,
    ) -> None:
        self._repository = repository
        self._keys = keys
        self._blob_store = blob_store
        self._grace = grace
        self._page_size = page_size
        self._now = now
        self._after_key: str | None = None
        self._after_row: str | None = None
        self._rows_done = False
        self._objects_done = False

    async def __call__(self) -> ReconcileReport:
        report = ReconcileReport()
        if not self._objects_done:
            await self._objects_step(report)
        if not self._rows_done:
            await self._rows_step(report)
        if self._objects_done and self._rows_done:
            report.wrapped = True
            self._objects_done = self._rows_done = False
        if report.objects_deleted or report.rows_without_objects:
            logger.warning(
                "reconcile found strays",
                extra={
                    "objects_deleted": len(report.objects_deleted),
                    "rows_without_objects": report.rows_without_objects[:20],
                },
            )
        return report

    async def _objects_step(self, report: ReconcileReport) -> None:
        objects = await self._blob_store.list_objects(USERS_PREFIX, after=self._after_key, limit=self._page_size)
        report.objects_checked = len(objects)
        self._after_key = objects[-1].key if len(objects) == self._page_size else None
        self._objects_done = self._after_key is None
        for key in await self._strays(objects):
            await self._blob_store.delete(key)
            report.objects_deleted.append(key)
            logger.warning("object without a row deleted", extra={"object_key": key})

    async def _strays(self, objects: list[StoredObject]) -> list[str]:
        """The objects older than the grace period that no row or version names: a file's
        bytes, or a rendition (thumbnail) stored beside them, whose file row is gone."""
        settled = timestamp(self._now() - self._grace)
        keys_by_user: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for stored in objects:
            owner = self._keys.owner(rendition_source(stored.key) or stored.key)
            if owner is not None and stored.stored_at <= settled:
                keys_by_user[owner.user_id][owner.file_id].append(stored.key)
        strays = []
        for user_id, keys in keys_by_user.items():
            rows = await self._repository.get_many(user_id, list(keys))
            unnamed = [file_id for file_id in keys if file_id not in rows]
            # A replaced file's bytes are named by its versions, not by a row of their id.
            versions = await self._repository.recorded_objects(user_id, unnamed) if unnamed else set()
            strays += [key for file_id in unnamed if file_id not in versions for key in keys[file_id]]
        return strays

    async def _rows_step(self, report: ReconcileReport) -> None:
        rows, self._after_row = await self._repository.list_file_rows(after=self._after_row, limit=self._page_size)
        self._rows_done = self._after_row is None
        report.rows_checked = len(rows)
        now = timestamp(self._now())
        for row in rows:
            if _being_purged(row, now) or row.object_key is None:
                continue
            if not await self._blob_store.exists(row.object_key):
                report.rows_without_objects.append((row.user_id, row.item_id))
                logger.error("file row without its object", extra={"user_id": row.user_id, "file_id": row.item_id})


def _being_purged(row: Item, now: str) -> bool:
    # The purge deletes the bytes first, then the row.
    return row.trashed_at is not None and (row.deleting or (row.purge_at or "") <= now)


async def reconcile_everything(reconcile: ReconcileStore) -> ReconcileReport:
    """Steps until both the bucket and the table have been read to their end once."""
    total = ReconcileReport()
    while True:
        step = await reconcile()
        total.objects_checked += step.objects_checked
        total.objects_deleted += step.objects_deleted
        total.rows_checked += step.rows_checked
        total.rows_without_objects += step.rows_without_objects
        if step.wrapped:
            total.wrapped = True
            return total


async def reconcile_periodically(reconcile: ReconcileStore, *, interval_seconds: float) -> None:
    """One bounded step per interval, until cancelled; a failed step is logged and tried again."""
    while True:
        try:
            await reconcile()
        except Exception:
            logger.exception("reconcile step failed")
        await asyncio.sleep(interval_seconds)
