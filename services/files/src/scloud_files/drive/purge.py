"""The purge: trashed items whose retention is over, or deleted forever, lose their bytes (and
their thumbnails) and then their records, with everything they hold. Each files process runs
`purge_periodically`."""

import asyncio
import contextlib
import logging

from scloud_common.event_metrics import CleanupTask, RunOutcome, current_event_metrics
from scloud_files.domain import Item
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.thumbnail import delete_renditions
from scloud_files.drive.versions import PruneVersions
from scloud_files.ports import BlobStore, FileRepository, FileRequestStore, GrantStore, ShareLinkStore, StarStore

logger = logging.getLogger(__name__)

PURGE_BATCH = 100


class PurgeDue:
    def __init__(
        self,
        repository: FileRepository,
        blob_store: BlobStore,
        *,
        now: Clock,
        links: ShareLinkStore | None = None,
        requests: FileRequestStore | None = None,
        grants: GrantStore | None = None,
        stars: StarStore | None = None,
    ) -> None:
        # Earlier versions live in the repository: a purged file's go with it, and those past
        # their retention go in the same pass, whoever runs it.
        self._versions = PruneVersions(repository, blob_store, now=now)
        self._repository = repository
        self._blob_store = blob_store
        self._now = now
        self._links = links
        self._requests = requests
        self._grants = grants
        self._stars = stars
        # Set when something was deleted forever, so the purge runs now rather than at its interval.
        self.requested = asyncio.Event()
        self._events = current_event_metrics()

    async def __call__(self, *, limit: int = PURGE_BATCH) -> int:
        """Removes up to `limit` trashed items whose time has come, with everything they hold:
        bytes first, then records (a folder last), so a purge cut short resumes where it was."""
        purged = 0
        try:
            due = await self._repository.due_for_purge(timestamp(self._now()), limit=limit)
            for item in due:
                await self._purge_tree(item)
                purged += 1
            # Earlier versions past their retention: counted apart, they are no trashed items.
            pruned = await self._versions(limit=limit)
        except Exception:
            self._record(RunOutcome.FAILED, purged)
            raise
        self._record(RunOutcome.OK, purged)
        if due:
            logger.info("trash purged", extra={"items": len(due)})
        return len(due) + pruned

    def _record(self, outcome: RunOutcome, purged: int) -> None:
        if self._events is not None:
            self._events.cleanup_ran(CleanupTask.PURGE, outcome, removed=purged)

    async def _purge_tree(self, top: Item) -> None:
        # Depth first with an explicit stack: a folder is removed once everything in it is.
        stack: list[tuple[Item, bool]] = [(top, False)]
        while stack:
            item, opened = stack.pop()
            if item.is_folder and not opened:
                stack.append((item, True))
                # Marked first, so an upload into it either lands before the listing below, and
                # is purged with it, or is refused.
                await self._repository.begin_purge(item)
                async for children in self._repository.iter_children(item.user_id, item.item_id):
                    stack.extend((child, False) for child in children)
                continue
            if item.object_key is not None:
                await self._versions.all_of(item)
                await self._blob_store.delete(item.object_key)
                if item.thumbnail is not None:
                    await delete_renditions(self._blob_store, item.object_key)
            await self._repository.delete(item)
            # Already answering 404 (their item is gone); removed with it rather than at their TTL.
            if self._links is not None:
                await self._links.delete_links(item.user_id, item_id=item.item_id)
            if self._requests is not None and item.is_folder:
                await self._requests.delete_requests(item.user_id, folder_id=item.item_id)
            if self._grants is not None:
                await self._grants.delete_for_item(item.user_id, item.item_id)
            if self._stars is not None:
                await self._stars.unstar(item.user_id, item.item_id)


async def purge_all_due(purge_due: PurgeDue) -> int:
    """Purges in batches until nothing is due."""
    purged = 0
    while batch := await purge_due(limit=PURGE_BATCH):
        purged += batch
    return purged


async def purge_periodically(purge_due: PurgeDue, *, interval_seconds: float) -> None:
    """Runs until cancelled; a failed pass is logged and tried again at the next one."""
    while True:
        purge_due.requested.clear()
        try:
            await purge_all_due(purge_due)
        except Exception:
            logger.exception("trash purge failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(purge_due.requested.wait(), interval_seconds)
