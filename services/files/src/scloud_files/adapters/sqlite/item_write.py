"""Reading and writing single items: create with its name and the totals, rename and move with
the folders on the way checked, delete."""

import sqlite3
from collections.abc import Sequence
from dataclasses import replace

from scloud_common.errors import Conflict
from scloud_files.adapters.sqlite.access import (
    IDS_PER_STATEMENT,
    Database,
    count_into_open_account,
    name_holders_in,
    require_free_name,
    take_off_totals,
)
from scloud_files.adapters.sqlite.record import (
    ITEM_COLUMNS,
    assignments,
    insert_row,
    item_of,
    item_row,
    parent_value,
    placement,
    select_item,
)
from scloud_files.adapters.sqlite.versions import delete_current_version
from scloud_files.domain import (
    ChainChanged,
    FolderNotFound,
    Item,
    ItemKind,
    ItemNotFound,
    NameTaken,
    ThumbnailState,
    fold_name,
)

_CREATE_ERRORS = {
    # Item ids are ULIDs made by the service; a clash is the caller's bug, not a name taken.
    "UNIQUE constraint failed: items.user_id, items.item_id": Conflict,
}


class ItemWrites(Database):
    async def create(self, item: Item) -> None:
        def create(connection: sqlite3.Connection) -> None:
            is_file = item.kind is ItemKind.FILE
            count_into_open_account(connection, item.user_id, (item.size or 0) if is_file else 0, int(is_file))
            if select_item(connection, item.user_id, item.item_id) is not None:
                # A retry of a create that landed unseen: its own item, counted once.
                raise NameTaken(item.item_id)
            if item.parent_id is not None:
                _require_live_folder(connection, item.user_id, item.parent_id)
            require_free_name(connection, item)
            insert_row(connection, "items", item_row(item))

        await self._store.write(create, constraint_errors=_CREATE_ERRORS)

    async def set_thumbnail(self, item: Item, state: ThumbnailState) -> bool:
        def set_thumbnail(connection: sqlite3.Connection) -> bool:
            cursor = connection.execute(
                "UPDATE items SET thumbnail = ? WHERE user_id = ? AND item_id = ?",
                (state.value, item.user_id, item.item_id),
            )
            return cursor.rowcount == 1

        return await self._store.write(set_thumbnail)

    async def pending_thumbnails(self, *, limit: int) -> list[Item]:
        def pending_thumbnails(connection: sqlite3.Connection) -> list[Item]:
            rows = connection.execute(
                f"SELECT {ITEM_COLUMNS} FROM items WHERE thumbnail = 'pending' AND trashed_at IS NULL "
                "ORDER BY item_id LIMIT ?",
                (limit,),
            )
            return [item_of(row) for row in rows]

        return await self._store.read(pending_thumbnails)

    async def get(self, user_id: str, item_id: str) -> Item | None:
        return await self._store.read(lambda connection: select_item(connection, user_id, item_id))

    async def get_many(self, user_id: str, item_ids: Sequence[str]) -> dict[str, Item]:
        wanted = list(dict.fromkeys(item_ids))

        def get_many(connection: sqlite3.Connection) -> dict[str, Item]:
            found: dict[str, Item] = {}
            for start in range(0, len(wanted), IDS_PER_STATEMENT):
                chunk = wanted[start : start + IDS_PER_STATEMENT]
                rows = connection.execute(
                    f"SELECT {ITEM_COLUMNS} FROM items WHERE user_id = ? "
                    f"AND item_id IN ({', '.join('?' * len(chunk))})",
                    (user_id, *chunk),
                )
                found.update((row["item_id"], item_of(row)) for row in rows)
            return found

        return await self._store.read(get_many)

    async def name_holders(self, user_id: str, parent_id: str | None, names: Sequence[str]) -> dict[str, str]:
        return await self._store.read(lambda connection: name_holders_in(connection, user_id, parent_id, names))

    async def relocate(self, item: Item, moved: Item, *, target_chain: Sequence[Item] = ()) -> None:
        def relocate(connection: sqlite3.Connection) -> None:
            current = select_item(connection, item.user_id, item.item_id)
            # Moved or renamed meanwhile: what the caller decided on is no longer what is stored.
            if (
                current is None
                or current.trashed_at is not None
                or (current.name, current.parent_id) != (item.name, item.parent_id)
            ):
                raise ItemNotFound()
            _require_unchanged_chain(connection, target_chain)
            target = current.moved(name=moved.name, parent_id=moved.parent_id, modified_at=moved.modified_at)
            if (target.parent_id, fold_name(target.name)) != (current.parent_id, fold_name(current.name)):
                require_free_name(connection, target)
            columns = placement(target)
            connection.execute(
                f"UPDATE items SET {assignments(columns)} WHERE user_id = :user_id AND item_id = :item_id",
                {**columns, "user_id": item.user_id, "item_id": item.item_id},
            )

        await self._store.write(relocate)

    async def delete(self, item: Item) -> None:
        def delete(connection: sqlite3.Connection) -> None:
            row = connection.execute(
                "DELETE FROM items WHERE user_id = ? AND item_id = ? RETURNING kind, size, trashed_at, object_key",
                (item.user_id, item.item_id),
            ).fetchone()
            if row is not None and row["object_key"] is not None:
                delete_current_version(connection, replace(item, object_key=row["object_key"]))
            # A row already gone was taken off the totals by whoever removed it.
            if row is not None and row["kind"] == ItemKind.FILE.value:
                trash = row["size"] if row["trashed_at"] is not None else 0
                take_off_totals(connection, item.user_id, row["size"], 1, trash)

        await self._store.write(delete)


def _require_live_folder(connection: sqlite3.Connection, user_id: str, folder_id: str) -> None:
    """FolderNotFound unless the folder is there, a folder, not trashed and not being purged."""
    row = connection.execute(
        "SELECT kind, trashed_at, deleting, purging FROM items WHERE user_id = ? AND item_id = ?", (user_id, folder_id)
    ).fetchone()
    if (
        row is None
        or row["kind"] != ItemKind.FOLDER.value
        or row["trashed_at"] is not None
        or row["deleting"]
        or row["purging"]
    ):
        raise FolderNotFound()


def _require_unchanged_chain(connection: sqlite3.Connection, chain: Sequence[Item]) -> None:
    """ChainChanged unless every folder of `chain` is still where the caller read it, and live."""
    for folder in chain:
        row = connection.execute(
            "SELECT parent_id, trashed_at FROM items WHERE user_id = ? AND item_id = ?",
            (folder.user_id, folder.item_id),
        ).fetchone()
        if row is None or row["parent_id"] != parent_value(folder.parent_id) or row["trashed_at"] is not None:
            raise ChainChanged()
