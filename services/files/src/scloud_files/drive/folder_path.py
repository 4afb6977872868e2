"""Where an item is: the folders from the root down to it, read one level at a time for many ids
at once. A trashed folder hides everything below it, so being live means a live chain."""

from collections.abc import Sequence

from scloud_files.domain import (
    MAX_PATH_WALK,
    FileNotFound,
    FolderNotFound,
    Item,
    ItemKind,
    ItemNotFound,
    PathEntry,
    is_file_id,
)
from scloud_files.ports import FileRepository


def path_entries(chain: Sequence[Item]) -> list[PathEntry]:
    return [PathEntry(folder.item_id, folder.name) for folder in chain]


class FolderPaths:
    def __init__(self, repository: FileRepository) -> None:
        self._repository = repository

    async def chains(self, user_id: str, folder_ids: Sequence[str]) -> dict[str, list[Item] | None]:
        """For each folder id, its folders from the root down to it, or None if it or an ancestor
        is missing, not a folder, or trashed. One batch read per level, shared by all the ids."""
        known: dict[str, Item] = {}
        wanted = {folder_id for folder_id in folder_ids if is_file_id(folder_id)}
        for _ in range(MAX_PATH_WALK):
            if not wanted:
                break
            found = await self._repository.get_many(user_id, sorted(wanted))
            known.update(found)
            wanted = {item.parent_id for item in found.values() if item.parent_id is not None} - set(known)
            wanted -= {folder_id for folder_id in wanted if not is_file_id(folder_id)}
        chains: dict[str, list[Item] | None] = {}
        for folder_id in folder_ids:
            chain: list[Item] = []
            current: str | None = folder_id
            while current is not None and len(chain) < MAX_PATH_WALK:
                folder = known.get(current)
                if folder is None or not folder.is_folder or folder.trashed_at is not None:
                    break
                chain.append(folder)
                current = folder.parent_id
            chains[folder_id] = chain[::-1] if current is None else None
        return chains

    async def require_folder(self, user_id: str, folder_id: str | None) -> list[Item]:
        """The folders from the root down to `folder_id` (empty for the root); FolderNotFound if
        it is not one of the user's live folders."""
        if folder_id is None:
            return []
        chain = (await self.chains(user_id, [folder_id]))[folder_id]
        if not chain:
            raise FolderNotFound()
        return chain

    async def require_live(self, user_id: str, item_id: str, kind: ItemKind | None = None) -> Item:
        """The item if it is the user's, of `kind`, and neither it nor a folder above it is trashed."""
        item = await self._repository.get(user_id, item_id) if is_file_id(item_id) else None
        if item is not None and item.trashed_at is None and (kind is None or item.kind is kind):
            if item.parent_id is None or (await self.chains(user_id, [item.parent_id]))[item.parent_id]:
                return item
        raise FolderNotFound() if kind is ItemKind.FOLDER else ItemNotFound() if kind is None else FileNotFound()

    async def live_only(self, user_id: str, items: Sequence[Item]) -> list[Item]:
        """The items (not themselves trashed) whose folder is live: none above them is trashed
        or gone. One batch read per level for all of them."""
        parents = sorted({item.parent_id for item in items if item.parent_id is not None})
        chains = await self.chains(user_id, parents)
        return [item for item in items if item.parent_id is None or chains.get(item.parent_id)]

    async def paths_of(self, user_id: str, items: Sequence[Item]) -> dict[str, list[PathEntry]]:
        """Each item's folder path as it is now; empty where that folder is gone or trashed."""
        parents = sorted({item.parent_id for item in items if item.parent_id is not None})
        chains = await self.chains(user_id, parents)
        return {
            item.item_id: path_entries(chains.get(item.parent_id) or []) if item.parent_id else [] for item in items
        }
