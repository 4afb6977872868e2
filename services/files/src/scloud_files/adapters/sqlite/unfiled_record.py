"""Files recorded before folders existed, as the migration into the root reads and files them."""

import sqlite3

from scloud_files.adapters.sqlite.access import Database, require_free_name
from scloud_files.adapters.sqlite.record import UNFILED_COLUMNS, insert_row, item_row, unfiled_file_of
from scloud_files.domain import UnfiledFile


class UnfiledRecords(Database):
    async def list_unfiled(self, user_id: str) -> list[UnfiledFile]:
        def list_unfiled(connection: sqlite3.Connection) -> list[UnfiledFile]:
            rows = connection.execute(f"SELECT {UNFILED_COLUMNS} FROM unfiled_files WHERE user_id = ?", (user_id,))
            return [unfiled_file_of(row) for row in rows]

        return await self._store.read(list_unfiled)

    async def file_into_root(self, file: UnfiledFile, *, name: str) -> None:
        item = file.filed_in_root(name)

        def file_into_root(connection: sqlite3.Connection) -> None:
            # Counted in the totals already, as an unfiled file; gone if filed by an earlier run.
            if not connection.execute(
                "DELETE FROM unfiled_files WHERE user_id = ? AND file_id = ?", (file.user_id, file.file_id)
            ).rowcount:
                return
            require_free_name(connection, item)
            insert_row(connection, "items", item_row(item))

        await self._store.write(file_into_root)
