"""What every part of the files repository uses to reach its database: the store, the name
guard and the totals as steps of a transaction, and the "read one more" page."""

import sqlite3
from collections.abc import Callable, Sequence
from typing import TypeVar

from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.sqlite.record import parent_value
from scloud_files.domain import AccountClosed, Item, ItemKind, NameTaken, fold_name

Row = TypeVar("Row")
# SQLite allows 32,766 parameters in a statement; a page of ids stays far below it.
IDS_PER_STATEMENT = 500


class Database:
    def __init__(self, store: SqliteStore) -> None:
        self._store = store


def name_holders_in(
    connection: sqlite3.Connection, user_id: str, parent_id: str | None, names: Sequence[str]
) -> dict[str, str]:
    """For each of `names` taken in the folder (compared folded), the id of the live item holding it."""
    folded = {name: fold_name(name) for name in names}
    holders: dict[str, str] = {}
    wanted = sorted(set(folded.values()))
    for start in range(0, len(wanted), IDS_PER_STATEMENT):
        chunk = wanted[start : start + IDS_PER_STATEMENT]
        rows = connection.execute(
            "SELECT folded_name, item_id FROM items WHERE user_id = ? AND parent_id = ? AND trashed_at IS NULL "
            f"AND folded_name IN ({', '.join('?' * len(chunk))})",
            (user_id, parent_value(parent_id), *chunk),
        )
        holders.update((row["folded_name"], row["item_id"]) for row in rows)
    return {name: holders[fold] for name, fold in folded.items() if fold in holders}


def require_free_name(connection: sqlite3.Connection, item: Item) -> None:
    """NameTaken if another live item holds the item's name in its folder. The writer holds the
    database's write lock, so nothing can take the name between this check and the write; the
    UNIQUE index items_name_guard stands behind it."""
    holder = name_holders_in(connection, item.user_id, item.parent_id, [item.name]).get(item.name)
    if holder is not None and holder != item.item_id:
        raise NameTaken(holder)


def count_into_open_account(connection: sqlite3.Connection, user_id: str, size: int, count: int) -> None:
    """Adds to the user's totals, refusing (AccountClosed, so the transaction writes nothing) if
    the account is closed; the user's row is made with their first item."""
    closed = connection.execute(
        "INSERT INTO accounts (user_id, bytes_used, file_count) VALUES (?, ?, ?) ON CONFLICT (user_id) "
        "DO UPDATE SET bytes_used = bytes_used + excluded.bytes_used, file_count = file_count + excluded.file_count "
        "RETURNING closed",
        (user_id, size, count),
    ).fetchone()["closed"]
    if closed:
        raise AccountClosed()


def take_off_totals(connection: sqlite3.Connection, user_id: str, size: int, count: int, trash: int = 0) -> None:
    connection.execute(
        "UPDATE accounts SET bytes_used = bytes_used - ?, file_count = file_count - ?, trash_bytes = trash_bytes - ? "
        "WHERE user_id = ?",
        (size, count, trash, user_id),
    )


def add_to_trash_bytes(connection: sqlite3.Connection, item: Item, sign: int) -> None:
    """A file trashed (sign 1) or restored (-1) by the user: its size in or out of the trash's share."""
    if item.kind is ItemKind.FILE:
        connection.execute(
            "UPDATE accounts SET trash_bytes = trash_bytes + ? WHERE user_id = ?",
            (sign * (item.size or 0), item.user_id),
        )


def page_of(rows: list[Row], limit: int, key: Callable[[Row], str]) -> tuple[list[Row], str | None]:
    """A page read with one row more than `limit`: the page, and the key to continue after if
    that extra row says more follow."""
    page = rows[:limit]
    return page, key(page[-1]) if len(rows) > limit and page else None
