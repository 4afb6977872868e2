"""The trash: trashing and restoring an item with its name, the trash listing, and what is due
for purge across users."""

import sqlite3
from dataclasses import replace

from scloud_files.adapters.sqlite.access import Database, add_to_trash_bytes, page_of, require_free_name
from scloud_files.adapters.sqlite.record import ITEM_COLUMNS, assignments, item_of, placement, select_item
from scloud_files.domain import Item, ItemNotFound, trash_key


class TrashRecords(Database):
    async def trash(self, item: Item, *, trashed_at: str, purge_at: str) -> Item:
        def trash(connection: sqlite3.Connection) -> Item:
            current = select_item(connection, item.user_id, item.item_id)
            if current is None or current.trashed_at is not None:
                raise ItemNotFound()
            trashed = replace(current, trashed_at=trashed_at, purge_at=purge_at)
            # Out of the live indexes, the name guard among them, by the same write.
            connection.execute(
                "UPDATE items SET trashed_at = ?, purge_at = ?, trash_key = ? WHERE user_id = ? AND item_id = ?",
                (trashed_at, purge_at, trash_key(trashed), item.user_id, item.item_id),
            )
            add_to_trash_bytes(connection, current, 1)
            return trashed

        return await self._store.write(trash)

    async def restore(self, item: Item, restored: Item) -> None:
        def restore(connection: sqlite3.Connection) -> None:
            current = select_item(connection, item.user_id, item.item_id)
            if current is None or current.trashed_at is None or current.deleting:
                raise ItemNotFound()
            live = replace(
                current.moved(name=restored.name, parent_id=restored.parent_id, modified_at=restored.modified_at),
                trashed_at=None,
                purge_at=None,
            )
            require_free_name(connection, live)
            columns = {**placement(live), "trashed_at": None, "purge_at": None, "trash_key": None}
            connection.execute(
                f"UPDATE items SET {assignments(columns)} WHERE user_id = :user_id AND item_id = :item_id",
                {**columns, "user_id": item.user_id, "item_id": item.item_id},
            )
            add_to_trash_bytes(connection, current, -1)

        await self._store.write(restore)

    async def list_trash(self, user_id: str, *, limit: int, after_key: str | None) -> tuple[list[Item], str | None]:
        def list_trash(connection: sqlite3.Connection) -> list[tuple[str, Item]]:
            after = "AND trash_key < :after " if after_key is not None else ""
            rows = connection.execute(
                f"SELECT {ITEM_COLUMNS}, trash_key FROM items "
                f"WHERE user_id = :user AND trashed_at IS NOT NULL AND deleting = 0 {after}"
                "ORDER BY trash_key DESC LIMIT :limit",
                {"user": user_id, "after": after_key, "limit": limit + 1},
            )
            return [(row["trash_key"], item_of(row)) for row in rows]

        rows, last = page_of(await self._store.read(list_trash), limit, key=lambda row: row[0])
        return [item for _, item in rows], last

    async def schedule_purge(self, item: Item, *, purge_at: str) -> None:
        def schedule_purge(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE items SET deleting = 1, purge_at = ? WHERE user_id = ? AND item_id = ? "
                "AND trashed_at IS NOT NULL",
                (purge_at, item.user_id, item.item_id),
            )

        await self._store.write(schedule_purge)

    async def begin_purge(self, folder: Item) -> None:
        def begin_purge(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE items SET purging = 1 WHERE user_id = ? AND item_id = ?", (folder.user_id, folder.item_id)
            )

        await self._store.write(begin_purge)

    async def due_for_purge(self, now: str, *, limit: int) -> list[Item]:
        def due_for_purge(connection: sqlite3.Connection) -> list[Item]:
            rows = connection.execute(
                f"SELECT {ITEM_COLUMNS} FROM items WHERE trashed_at IS NOT NULL AND purge_at <= ? "
                "ORDER BY purge_at LIMIT ?",
                (now, limit),
            )
            return [item_of(row) for row in rows]

        return await self._store.read(due_for_purge)
