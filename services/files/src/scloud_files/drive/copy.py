"""Server-side copies: a file's bytes are copied inside the blob store (never through this
process), a folder is copied with everything it holds; the copies count against the quota."""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from scloud_files.domain import FolderCycle, Item, ObjectKeys, OnConflict, clean_file_name
from scloud_files.domain.activity import ActivityAction
from scloud_files.drive.activity import ActivityRecorder
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.file_record import FileRecorder
from scloud_files.drive.folder import CreateFolder
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.quota import StorageQuota
from scloud_files.ports import BlobStore, FileRepository

logger = logging.getLogger(__name__)


class CopyStopped(Exception):
    """Raised by a watch to stop a copy between files: what was copied stays."""


class CopyWatch(Protocol):
    """What follows a copy as it runs (a copy job): told of the copy of the selected item as
    soon as it exists, asked before each file whether to go on, told of each file copied."""

    async def copy_made(self, copy: Item) -> None: ...

    async def starting_file(self) -> None:
        """Raises CopyStopped to copy no more files."""
        ...

    async def file_copied(self, size: int) -> None: ...


class Unwatched:
    async def copy_made(self, copy: Item) -> None:
        pass

    async def starting_file(self) -> None:
        pass

    async def file_copied(self, size: int) -> None:
        pass


UNWATCHED = Unwatched()


@dataclass(frozen=True)
class TreeSize:
    files: int
    bytes: int

    def __add__(self, other: "TreeSize") -> "TreeSize":
        return TreeSize(self.files + other.files, self.bytes + other.bytes)


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
        concurrency: int = 8,
        activity: ActivityRecorder | None = None,
    ) -> None:
        self._activity = activity
        self._repository = repository
        self._blob_store = blob_store
        self._paths = paths
        self._recorder = recorder
        self._quota = quota
        self._create_folder = create_folder
        self._keys = keys
        self._new_id = new_id
        self._now = now
        self._concurrency = concurrency

    async def __call__(
        self,
        user_id: str,
        item_id: str,
        *,
        parent_id: str | None,
        name: str | None = None,
        recursive: bool = True,
        on_conflict: OnConflict = OnConflict.FAIL,
        room_checked: bool = False,
        watch: CopyWatch = UNWATCHED,
    ) -> Item:
        """Copies the item into the folder under `name` (its own if None); a folder with what it
        holds unless not `recursive` (then an empty folder of that name). A folder may not be
        copied into itself (FolderCycle). A tree that does not fit in the quota as a whole is
        refused before any of it is copied, unless the caller did that (`room_checked`); each
        file is checked again before its bytes are copied. The files of a folder are copied a
        few at a time."""
        item = await self._paths.require_live(user_id, item_id)
        chain = await self._paths.require_folder(user_id, parent_id)
        if item.is_folder and any(folder.item_id == item.item_id for folder in chain):
            raise FolderCycle()
        if item.is_folder and recursive and not room_checked:
            await self._quota.require_room(user_id, (await self.measure(user_id, item)).bytes)
        target_name = clean_file_name(item.name if name is None else name)
        if item.is_folder:
            copied, _ = await self._create_folder(
                user_id, name=target_name, parent_id=parent_id, on_conflict=on_conflict
            )
            await watch.copy_made(copied)
            # Recorded once the copy exists: a copy job cancelled halfway leaves a copy too.
            await self._tell_activity(item, copied)
            if recursive:
                await self._copy_contents(user_id, item, copied, watch)
        else:
            await watch.starting_file()
            copied = await self._copy_file(user_id, item, parent_id, target_name, on_conflict)
            await watch.copy_made(copied)
            await self._tell_activity(item, copied)
            await watch.file_copied(item.size or 0)
        logger.info("item copied", extra={"user_id": user_id, "item_id": item_id, "copy_id": copied.item_id})
        return copied

    async def _tell_activity(self, original: Item, copied: Item) -> None:
        """One event for the item the user copied (not one per file a folder holds), keyed by
        the copy."""
        if self._activity is not None:
            await self._activity.changed(
                ActivityAction.COPY, before=original, after=copied, at=copied.created_at, detail=original.item_id
            )

    async def measure(self, user_id: str, item: Item) -> TreeSize:
        """The live files the item is or holds, and their bytes: what a copy of it will add."""
        if not item.is_folder:
            return TreeSize(1, item.size or 0)
        total = TreeSize(0, 0)
        async for page in self._repository.iter_children(user_id, item.item_id):
            for child in page:
                if child.trashed_at is None:
                    total += await self.measure(user_id, child)
        return total

    async def _copy_contents(self, user_id: str, source: Item, target: Item, watch: CopyWatch) -> None:
        limit = asyncio.Semaphore(self._concurrency)

        async def copy_child_file(child: Item) -> None:
            async with limit:
                await watch.starting_file()
                await self._copy_file(user_id, child, target.item_id, child.name, OnConflict.FAIL)
                await watch.file_copied(child.size or 0)

        async for page in self._repository.iter_children(user_id, source.item_id):
            live = [child for child in page if child.trashed_at is None and child.item_id != target.item_id]
            # Every file started is waited for, so none is left copied but unrecorded by a stop.
            outcomes = await asyncio.gather(
                *(copy_child_file(child) for child in live if not child.is_folder), return_exceptions=True
            )
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
            for child in live:
                if child.is_folder:
                    folder, _ = await self._create_folder(
                        user_id, name=child.name, parent_id=target.item_id, on_conflict=OnConflict.FAIL
                    )
                    await self._copy_contents(user_id, child, folder, watch)

    async def _copy_file(
        self, user_id: str, item: Item, parent_id: str | None, name: str, on_conflict: OnConflict
    ) -> Item:
        await self._quota.require_room(user_id, item.size or 0)
        file_id = self._new_id()
        key = self._keys.file(user_id, file_id)
        assert item.object_key is not None
        await self._blob_store.copy(item.object_key, key, size=item.size)
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
