"""The trash: move items to it, list it, restore from it, delete from it forever."""

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace

from scloud_files.domain import (
    BulkResult,
    Item,
    ItemKind,
    ItemNotFound,
    ItemPage,
    NotInTrash,
    OnConflict,
    decode_page_cursor,
    encode_page_cursor,
    is_file_id,
    is_trash_key,
)
from scloud_files.domain.activity import ActivityAction
from scloud_files.drive.activity import ActivityRecorder
from scloud_files.drive.bulk import BulkRunner
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.folder_depth import require_room
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.name_clash import NameClash
from scloud_files.drive.trashing import Trasher
from scloud_files.ports import FileRepository

logger = logging.getLogger(__name__)

# Trash items scheduled for purge per read when the whole trash is emptied.
EMPTY_BATCH = 100


async def require_trashed(repository: FileRepository, user_id: str, item_id: str) -> Item:
    """The item the user trashed; ItemNotFound if unknown or deleted forever, NotInTrash if live."""
    item = await repository.get(user_id, item_id) if is_file_id(item_id) else None
    if item is None or item.deleting:
        raise ItemNotFound()
    if item.trashed_at is None:
        raise NotInTrash()
    return item


class TrashItem:
    def __init__(self, paths: FolderPaths, trasher: Trasher, *, activity: ActivityRecorder) -> None:
        self._paths = paths
        self._trash = trasher
        self._activity = activity

    async def __call__(self, user_id: str, item_id: str, *, kind: ItemKind | None) -> Item:
        """Moves the item to the trash; a folder takes what it holds along, untouched."""
        item = await self._paths.require_live(user_id, item_id, kind)
        trashed = await self._trash(item)
        logger.info("item trashed", extra={"user_id": user_id, "item_id": item_id})
        await self._activity.changed(ActivityAction.TRASH, before=item, after=trashed, at=trashed.trashed_at)
        return trashed


class TrashItems:
    def __init__(self, trash_item: TrashItem, bulk: BulkRunner) -> None:
        self._trash_item = trash_item
        self._bulk = bulk

    async def __call__(self, user_id: str, item_ids: Sequence[str]) -> BulkResult:
        return await self._bulk(item_ids, lambda item_id: self._trash_item(user_id, item_id, kind=None))


class ListTrash:
    def __init__(self, repository: FileRepository, paths: FolderPaths) -> None:
        self._repository = repository
        self._paths = paths

    async def __call__(self, user_id: str, *, limit: int, cursor: str | None) -> ItemPage:
        """Trashed items, newest deletion first, each with the path of the folder it was in."""
        query = ["trash"]
        after = decode_page_cursor(cursor, query, is_key=is_trash_key) if cursor else None
        items, last = await self._repository.list_trash(user_id, limit=limit, after_key=after)
        paths = await self._paths.paths_of(user_id, items)
        return ItemPage(items, encode_page_cursor(query, last) if last else None, paths)


class RestoreItems:
    def __init__(
        self,
        repository: FileRepository,
        paths: FolderPaths,
        names: NameClash,
        bulk: BulkRunner,
        *,
        activity: ActivityRecorder,
    ) -> None:
        self._repository = repository
        self._paths = paths
        self._names = names
        self._bulk = bulk
        self._activity = activity

    async def __call__(self, user_id: str, item_ids: Sequence[str], *, on_conflict: OnConflict) -> BulkResult:
        """Back to the folder each item was in, or to the root if that folder is gone or trashed;
        a folder only if what it holds stays within the depth limit there (FolderTooDeep)."""
        result = await self._bulk(item_ids, lambda item_id: self._restore(user_id, item_id, on_conflict))
        return replace(result, paths=await self._paths.paths_of(user_id, result.items))

    async def _restore(self, user_id: str, item_id: str, on_conflict: OnConflict) -> Item:
        item = await require_trashed(self._repository, user_id, item_id)
        parent_id = item.parent_id
        chain = (await self._paths.chains(user_id, [parent_id]))[parent_id] if parent_id is not None else []
        if not chain:
            parent_id = None
        if item.is_folder:
            await require_room(self._repository, item, parent_depth=len(chain or []))

        async def write(attempted: str) -> Item:
            restored = replace(item, name=attempted, parent_id=parent_id, trashed_at=None, purge_at=None)
            await self._repository.restore(item, restored)
            return restored

        restored = await self._names.place(
            write, user_id=user_id, parent_id=parent_id, name=item.name, kind=item.kind, on_conflict=on_conflict
        )
        logger.info("item restored", extra={"user_id": user_id, "item_id": item_id})
        # Its trashing time tells this restore from a later one of the same item.
        await self._activity.changed(ActivityAction.RESTORE, before=item, after=restored, detail=item.trashed_at or "")
        return restored


class DeleteForever:
    def __init__(
        self,
        repository: FileRepository,
        bulk: BulkRunner,
        *,
        purge_requested: asyncio.Event,
        activity: ActivityRecorder,
        now: Clock,
    ) -> None:
        self._repository = repository
        self._bulk = bulk
        self._activity = activity
        self._purge_requested = purge_requested
        self._now = now

    async def __call__(self, user_id: str, item_ids: Sequence[str]) -> BulkResult:
        """Hides trashed items at once; the purge removes their bytes and records right after."""
        now = timestamp(self._now())

        async def schedule(item_id: str) -> Item:
            item = await require_trashed(self._repository, user_id, item_id)
            await self._repository.schedule_purge(item, purge_at=now)
            await self._activity.changed(ActivityAction.DELETE_FOREVER, before=item, after=item, at=now)
            return item

        result = await self._bulk(item_ids, schedule)
        self._purge_requested.set()
        return replace(result, items=[])


class EmptyTrash:
    def __init__(
        self, repository: FileRepository, *, purge_requested: asyncio.Event, activity: ActivityRecorder, now: Clock
    ) -> None:
        self._repository = repository
        self._activity = activity
        self._purge_requested = purge_requested
        self._now = now

    async def __call__(self, user_id: str) -> int:
        now = timestamp(self._now())
        emptied = 0
        while True:
            items, last = await self._repository.list_trash(user_id, limit=EMPTY_BATCH, after_key=None)
            for item in items:
                await self._repository.schedule_purge(item, purge_at=now)
                await self._activity.changed(ActivityAction.DELETE_FOREVER, before=item, after=item, at=now)
            emptied += len(items)
            if not last:
                break
        self._purge_requested.set()
        return emptied
