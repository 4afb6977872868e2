"""Server-side copies: a file's bytes are copied inside the blob store (never through this
process), a folder is copied with everything it holds; the copies count against the quota."""

import logging
from collections.abc import Callable
from dataclasses import replace

from scloud_files.domain import FolderCycle, Item, ObjectKeys, OnConflict, clean_file_name
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.file_record import FileRecorder
from scloud_files.drive.folder import CreateFolder
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.quota import StorageQuota
from scloud_files.ports import BlobStore, FileRepository

logger = logging.getLogger(__name__)


class CopyItem:
    def __init__(
        self,
        repository: FileRepository,
        blob_store: BlobStore,
        paths: FolderPaths,
        recorder: FileRecorder,
        quota: StorageQuota,
        create_folder: CreateFolder,
        *,
        keys: ObjectKeys,
        new_id: Callable[[], str],
        now: Clock,
    ) -> None:
        self._repository = repository
        self._blob_store = blob_store
        self._paths = paths
        self._recorder = recorder
        self._quota = quota
        self._create_folder = create_folder
        self._keys = keys
        self._new_id = new_id
        self._now = now

    async def __call__(
        self,
        user_id: str,
        item_id: str,
        *,
        parent_id: str | None,
        name: str,
        recursive: bool = True,
        on_conflict: OnConflict = OnConflict.FAIL,
    ) -> Item:
        """Copies the item into the folder under `name`; a folder with what it holds unless not
        `recursive` (then an empty folder of that name). A folder may not be copied into itself
        (FolderCycle). A tree that does not fit in the quota as a whole is refused before any of
        it is copied; each file is checked again before its bytes are copied."""
        item = await self._paths.require_live(user_id, item_id)
        chain = await self._paths.require_folder(user_id, parent_id)
        if item.is_folder and any(folder.item_id == item.item_id for folder in chain):
            raise FolderCycle()
        if item.is_folder and recursive:
            await self._quota.require_room(user_id, await self._tree_bytes(user_id, item.item_id))
        copied = await self._copy(user_id, item, parent_id, clean_file_name(name), recursive, on_conflict)
        logger.info("item copied", extra={"user_id": user_id, "item_id": item_id, "copy_id": copied.item_id})
        return copied

    async def _copy(
        self, user_id: str, item: Item, parent_id: str | None, name: str, recursive: bool, on_conflict: OnConflict
    ) -> Item:
        if not item.is_folder:
            return await self._copy_file(user_id, item, parent_id, name, on_conflict)
        folder, _ = await self._create_folder(user_id, name=name, parent_id=parent_id, on_conflict=on_conflict)
        if recursive:
            async for page in self._repository.iter_children(user_id, item.item_id):
                for child in page:
                    if child.trashed_at is None and child.item_id != folder.item_id:
                        await self._copy(user_id, child, folder.item_id, child.name, True, OnConflict.FAIL)
        return folder

    async def _tree_bytes(self, user_id: str, folder_id: str) -> int:
        """What the live files below the folder hold: what a copy of it will add."""
        total = 0
        async for page in self._repository.iter_children(user_id, folder_id):
            for child in page:
                if child.trashed_at is None:
                    total += await self._tree_bytes(user_id, child.item_id) if child.is_folder else child.size or 0
        return total

    async def _copy_file(
        self, user_id: str, item: Item, parent_id: str | None, name: str, on_conflict: OnConflict
    ) -> Item:
        await self._quota.require_room(user_id, item.size or 0)
        file_id = self._new_id()
        key = self._keys.file(user_id, file_id)
        assert item.object_key is not None
        await self._blob_store.copy(item.object_key, key)
        now = timestamp(self._now())
        copy = replace(
            item,
            item_id=file_id,
            name=name,
            parent_id=parent_id,
            created_at=now,
            modified_at=item.modified_at,
            object_key=key,
            trashed_at=None,
            purge_at=None,
        )
        return await self._recorder.record_or_compensate(copy, on_conflict)
