"""Filing the files recorded before folders existed into the root (`scloud_files.migrate_folders`)."""

from scloud_files.domain import Item, ItemKind, OnConflict, UnfiledFile
from scloud_files.drive.name_clash import NameClash
from scloud_files.ports import FileRepository


class FileUnfiled:
    def __init__(self, repository: FileRepository, names: NameClash) -> None:
        self._repository = repository
        self._names = names

    async def __call__(self, user_id: str) -> int:
        """Puts the user's unfiled files into the root, renaming any whose name is taken there
        (`name (1).ext`). Idempotent."""
        moved = 0
        for file in await self._repository.list_unfiled(user_id):
            await self._file(file)
            moved += 1
        return moved

    async def _file(self, file: UnfiledFile) -> None:
        async def write(attempted: str) -> Item:
            await self._repository.file_into_root(file, name=attempted)
            return Item(file.file_id, file.user_id, ItemKind.FILE, attempted, None, file.upload_date, file.upload_date)

        await self._names.place(
            write,
            user_id=file.user_id,
            parent_id=None,
            name=file.file_name,
            kind=ItemKind.FILE,
            on_conflict=OnConflict.RENAME,
        )
