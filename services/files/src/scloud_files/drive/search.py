"""Search by part of a name across a user's drive, a bounded slice of it per request."""

from scloud_files.domain import (
    ItemPage,
    decode_page_cursor,
    encode_page_cursor,
    fold_name,
    is_file_id,
)
from scloud_files.drive.folder_path import FolderPaths, path_entries
from scloud_files.drive.page_marks import PageMarks
from scloud_files.ports import FileRepository


class SearchItems:
    def __init__(
        self, repository: FileRepository, paths: FolderPaths, marks: PageMarks, *, examined_per_request: int
    ) -> None:
        self._repository = repository
        self._paths = paths
        self._marks = marks
        self._examined = examined_per_request

    async def __call__(self, user_id: str, query: str, *, limit: int, cursor: str | None) -> ItemPage:
        """Case- and accent-insensitive substring of names, across the user's items that are
        neither trashed nor in a trashed folder, newest first. Each request reads at most
        `examined_per_request` names, from where the last page stopped (the cursor holds that
        position), whatever the size of the drive: a page may hold fewer than `limit` items, or
        none, while a cursor says more names follow."""
        wanted = fold_name(query.strip())
        page_query = ["search", wanted]
        after = decode_page_cursor(cursor, page_query, is_key=is_file_id) if cursor else None
        examined, last = await self._repository.list_newest(user_id, kind=None, limit=self._examined, after_id=after)
        matches = [item for item in examined if wanted in fold_name(item.name)]
        if len(matches) > limit:
            matches = matches[:limit]
            last = matches[-1].item_id
        chains = await self._paths.chains(user_id, sorted({item.parent_id for item in matches if item.parent_id}))
        live = [item for item in matches if item.parent_id is None or chains.get(item.parent_id)]
        paths = {item.item_id: path_entries(chains[item.parent_id] or []) if item.parent_id else [] for item in live}
        return await self._marks(user_id, ItemPage(live, encode_page_cursor(page_query, last) if last else None, paths))
