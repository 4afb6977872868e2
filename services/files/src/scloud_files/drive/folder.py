"""Folders: read one with its path, list what it holds a page at a time, create one."""

import logging
from collections.abc import Callable, Sequence

from scloud_files.domain import (
    MAX_FOLDER_DEPTH,
    FolderTooDeep,
    Item,
    ItemKind,
    ItemPage,
    OnConflict,
    PathEntry,
    SortField,
    clean_file_name,
    decode_page_cursor,
    encode_page_cursor,
)
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.folder_path import FolderPaths, path_entries
from scloud_files.drive.name_clash import NameClash
from scloud_files.drive.page_marks import PageMarks
from scloud_files.ports import FileRepository

logger = logging.getLogger(__name__)


class GetFolder:
    def __init__(self, paths: FolderPaths) -> None:
        self._paths = paths

    async def __call__(self, user_id: str, folder_id: str | None) -> tuple[Item | None, list[PathEntry]]:
        """The folder (None for the root) and the folders above it."""
        chain = await self._paths.require_folder(user_id, folder_id)
        return (chain[-1] if chain else None), path_entries(chain[:-1])


class ListChildren:
    def __init__(self, repository: FileRepository, paths: FolderPaths, marks: PageMarks) -> None:
        self._repository = repository
        self._paths = paths
        self._marks = marks

    async def __call__(
        self,
        user_id: str,
        folder_id: str | None,
        *,
        sort: SortField,
        descending: bool,
        kinds: Sequence[ItemKind],
        limit: int,
        cursor: str | None,
    ) -> ItemPage:
        query = ["children", folder_id, sort.value, descending, [kind.value for kind in kinds]]
        after = decode_page_cursor(cursor, query) if cursor else None
        await self._paths.require_folder(user_id, folder_id)
        items, last = await self._repository.list_children(
            user_id, folder_id, sort=sort, descending=descending, kinds=kinds, limit=limit, after_key=after
        )
        return await self._marks(user_id, ItemPage(items, encode_page_cursor(query, last) if last else None))


class CreateFolder:
    def __init__(
        self,
        repository: FileRepository,
        paths: FolderPaths,
        names: NameClash,
        *,
        new_id: Callable[[], str],
        now: Clock,
    ) -> None:
        self._repository = repository
        self._paths = paths
        self._names = names
        self._new_id = new_id
        self._now = now

    async def __call__(
        self, user_id: str, *, name: str, parent_id: str | None, on_conflict: OnConflict = OnConflict.FAIL
    ) -> tuple[Item, bool]:
        """The new folder and True; or with `merge`, the existing folder of that name and False."""
        chain = await self._paths.require_folder(user_id, parent_id)
        if len(chain) >= MAX_FOLDER_DEPTH:
            raise FolderTooDeep()
        now = timestamp(self._now())
        new = Item(
            item_id=self._new_id(),
            user_id=user_id,
            kind=ItemKind.FOLDER,
            name=clean_file_name(name),
            parent_id=parent_id,
            created_at=now,
            modified_at=now,
        )

        async def write(attempted: str) -> Item:
            folder = new.moved(name=attempted, parent_id=parent_id, modified_at=now)
            await self._repository.create(folder)
            return folder

        folder = await self._names.place(
            write,
            user_id=user_id,
            parent_id=parent_id,
            name=new.name,
            kind=ItemKind.FOLDER,
            on_conflict=on_conflict,
            item_id=new.item_id,
        )
        created = folder.item_id == new.item_id
        if created:
            logger.info("folder created", extra={"user_id": user_id, "folder_id": folder.item_id})
        return folder, created
