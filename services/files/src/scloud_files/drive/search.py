"""Search by part of a name across a user's drive."""

from scloud_files.domain import (
    MAX_PATH_WALK,
    Item,
    ItemPage,
    SortField,
    decode_page_cursor,
    encode_page_cursor,
    fold_name,
    page_after,
)
from scloud_files.drive.folder_path import path_entries
from scloud_files.ports import FileRepository


class SearchItems:
    def __init__(self, repository: FileRepository) -> None:
        self._repository = repository

    async def __call__(
        self, user_id: str, query: str, *, sort: SortField, descending: bool, limit: int, cursor: str | None
    ) -> ItemPage:
        """Case- and accent-insensitive substring of names, across the user's items that are not
        in the trash nor in a trashed folder. One read of the user's names, filtered here."""
        wanted = fold_name(query.strip())
        page_query = ["search", wanted, sort.value, descending]
        after = decode_page_cursor(cursor, page_query) if cursor else None
        items = await self._repository.list_live(user_id)
        folders = {item.item_id: item for item in items if item.is_folder}
        chains = chains_in(folders)
        matches = [
            item
            for item in items
            if wanted in fold_name(item.name) and (item.parent_id is None or chains.get(item.parent_id) is not None)
        ]
        page, last = page_after(matches, sort, descending=descending, after_key=after, limit=limit)
        paths = {item.item_id: path_entries(chains[item.parent_id] or []) if item.parent_id else [] for item in page}
        return ItemPage(page, encode_page_cursor(page_query, last) if last else None, paths)


def chains_in(folders: dict[str, Item]) -> dict[str, list[Item] | None]:
    """Each folder's chain from the root, from folders already in memory; None if an ancestor is
    missing (trashed, so absent from what was read)."""
    chains: dict[str, list[Item] | None] = {}
    for folder_id in folders:
        walk: list[str] = []
        current: str | None = folder_id
        while current is not None and current not in chains and len(walk) < MAX_PATH_WALK:
            walk.append(current)
            current = folders[current].parent_id if current in folders else None
            if current is not None and current not in folders:
                chains[current] = None
        base = chains.get(current) if current is not None else []
        for walked in reversed(walk):
            if walked not in folders or base is None:
                chains[walked] = None
                base = None
            else:
                base = [*base, folders[walked]]
                chains[walked] = base
    return chains
