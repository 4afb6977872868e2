"""Items found by their path of names from the root, for clients that address files by path
(WebDAV) rather than by id."""

from collections.abc import Iterator, Sequence

from scloud_files.domain import FileNotFound, Item, ItemNotFound
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.ports import BlobStore, FileRepository


class FindByPath:
    def __init__(self, repository: FileRepository) -> None:
        self._repository = repository

    async def __call__(self, user_id: str, names: Sequence[str]) -> Item | None:
        """The live item at the path (None for the root, an empty path); ItemNotFound if a name
        on the way is not there or names a file where a folder is needed. Names compare as the
        drive compares them for clashes (case- and accent-insensitive)."""
        item: Item | None = None
        for name in names:
            if item is not None and not item.is_folder:
                raise ItemNotFound()
            parent_id = item.item_id if item else None
            holder = (await self._repository.name_holders(user_id, parent_id, [name])).get(name)
            found = await self._repository.get(user_id, holder) if holder else None
            if found is None or found.trashed_at is not None or found.parent_id != parent_id:
                raise ItemNotFound()
            item = found
        return item


class ReadFile:
    def __init__(self, paths: FolderPaths, blob_store: BlobStore) -> None:
        self._paths = paths
        self._blob_store = blob_store

    async def __call__(self, user_id: str, file_id: str) -> tuple[Item, Iterator[bytes]]:
        """The live file and its bytes, read a chunk at a time in the thread that iterates them
        (a WSGI worker's), never all in memory."""
        item = await self._paths.require_live(user_id, file_id)
        if item.is_folder or item.object_key is None:
            raise FileNotFound()
        return item, self._blob_store.read_blocking(item.object_key)
