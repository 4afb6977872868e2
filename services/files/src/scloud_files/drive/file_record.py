"""Recording a file whose bytes are stored already, through the one create path (name clash
handling, the live-parent check, the totals in the same write): what an upload through the
service and the completion of a direct upload share."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from scloud_common.errors import AppError
from scloud_files.domain import Item, ItemKind, OnConflict, ThumbnailState, wants_thumbnail
from scloud_files.domain.activity import ActivityAction
from scloud_files.drive.activity import OWNER, ActivityRecorder
from scloud_files.drive.name_clash import NameClash
from scloud_files.ports import BlobStore, FileRepository

logger = logging.getLogger(__name__)


class FileRecorder:
    def __init__(
        self,
        repository: FileRepository,
        names: NameClash,
        blob_store: BlobStore,
        *,
        add_version: Callable[[Item, Item], Awaitable[Item]] | None = None,
        on_recorded: Callable[[Item], object] = lambda item: None,
        activity: ActivityRecorder | None = None,
    ) -> None:
        """`blob_store` is only asked to delete the bytes of a file the repository refused.
        `add_version(file, content)` makes bytes uploaded over a file its new version (without
        it, the file replaced goes to the trash). `on_recorded` is told of each file recorded
        (the thumbnail worker takes the images)."""
        self._add_version = add_version
        self._repository = repository
        self._names = names
        self._bytes = blob_store
        self._on_recorded = on_recorded
        self._activity = activity

    async def record_or_compensate(
        self,
        item: Item,
        on_conflict: OnConflict,
        *,
        action: ActivityAction | None = None,
        actor_id: str | None | object = OWNER,
    ) -> Item:
        """Records the stored bytes' item. The bytes are removed again only when the store
        definitely refused the item. After an outcome it cannot tell (a timeout, a 5xx: the
        write may have landed), the item is read back: there, the upload succeeded; absent, the
        bytes go; unreadable, they stay, and the reconcile pass removes them if no row ever
        names them. A cancelled upload (the client left) keeps them for the same pass. An image
        is recorded with its thumbnail PENDING. With `action`, the file recorded is an event of
        the owner's activity (by `actor_id`), once however often the upload's outcome is read."""
        if wants_thumbnail(item.media_type):
            item = replace(item, thumbnail=ThumbnailState.PENDING)
        try:
            recorded = await self._record(item, on_conflict)
        except AppError as error:
            if error.kind.is_failure_of_ours:
                try:
                    landed = await self._repository.get(item.user_id, item.item_id)
                    if landed is None:
                        landed = await self._landed_as_version(item)
                except AppError:
                    logger.warning(
                        "upload outcome unknown; bytes kept for the reconcile pass",
                        extra={"user_id": item.user_id, "file_id": item.item_id},
                    )
                    raise error from None
                if landed is not None:
                    logger.info("upload landed despite an error", extra={"file_id": item.item_id, "error": error.code})
                    self._on_recorded(landed)
                    await self._tell_activity(item, landed, action, actor_id)
                    return landed
            await self.remove_bytes(item.object_key or "")
            raise
        self._on_recorded(recorded)
        await self._tell_activity(item, recorded, action, actor_id)
        return recorded

    async def _landed_as_version(self, item: Item) -> Item | None:
        version = await self._repository.get_version(item.user_id, item.item_id)
        return await self._repository.get(item.user_id, version.file_id) if version is not None else None

    async def _tell_activity(
        self, uploaded: Item, recorded: Item, action: ActivityAction | None, actor_id: str | None | object
    ) -> None:
        if action is None or self._activity is None:
            return
        if recorded.item_id != uploaded.item_id:
            # The upload became a new version of the file holding its name: keyed by the
            # version, so two versions in one second are two events.
            await self._activity.changed(
                ActivityAction.NEW_VERSION,
                before=recorded,
                after=recorded,
                actor_id=actor_id,
                at=uploaded.created_at,
                detail=uploaded.item_id,
            )
            return
        await self._activity.changed(action, before=None, after=recorded, actor_id=actor_id, at=recorded.created_at)

    async def _record(self, item: Item, on_conflict: OnConflict) -> Item:
        async def write(attempted: str) -> Item:
            named = item.moved(name=attempted, parent_id=item.parent_id, modified_at=item.modified_at)
            await self._repository.create(named)
            return named

        return await self._names.place(
            write,
            user_id=item.user_id,
            parent_id=item.parent_id,
            name=item.name,
            kind=ItemKind.FILE,
            on_conflict=on_conflict,
            item_id=item.item_id,
            new_version=self._new_version(item) if self._add_version is not None else None,
        )

    def _new_version(self, content: Item) -> Callable[[Item], Awaitable[Item]]:
        add_version = self._add_version
        assert add_version is not None

        async def new_version(file: Item) -> Item:
            return await add_version(file, content)

        return new_version

    async def remove_bytes(self, key: str) -> None:
        """Deletes the bytes of a file that will not be recorded; a failure is logged, and the
        reconcile pass removes them later."""
        try:
            await self._bytes.delete(key)
        except Exception:
            logger.exception("could not remove the bytes of an unrecorded upload", extra={"object_key": key})
