"""The deprecated flat listing of `GET /api/v1/files`: files from every folder, newest first."""

from scloud_files.domain import ItemKind, ItemPage, decode_page_cursor, encode_page_cursor, is_file_id
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.ports import FileRepository


class ListFiles:
    def __init__(self, repository: FileRepository, paths: FolderPaths) -> None:
        self._repository = repository
        self._paths = paths

    async def __call__(self, user_id: str, *, limit: int, cursor: str | None) -> ItemPage:
        """The user's files in every folder, newest first, but those trashed or in a trashed
        folder: a page may hold fewer than `limit` while more follow."""
        query = ["newest", ItemKind.FILE.value]
        after = decode_page_cursor(cursor, query, is_key=is_file_id) if cursor else None
        files, last = await self._repository.list_newest(user_id, kind=ItemKind.FILE, limit=limit, after_id=after)
        return ItemPage(await self._paths.live_only(user_id, files), encode_page_cursor(query, last) if last else None)
