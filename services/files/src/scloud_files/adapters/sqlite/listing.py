"""Listings of live items: a folder in any order, everything in a folder, the names a search
reads, and the newest items of a kind. Each reads one range of one index (schema.py), so a page
costs the same whatever else the user has."""

import sqlite3
from collections.abc import AsyncIterator, Sequence
from typing import Any

from scloud_files.adapters.sqlite.access import Database, page_of
from scloud_files.adapters.sqlite.record import ITEM_COLUMNS, LIVE_COLUMNS, SORT_COLUMNS, item_of, parent_value
from scloud_files.domain import KEY_SEPARATOR, InvalidCursor, Item, ItemKind, SortField, segments, sort_key_item_id

# A batch of iter_children.
CHILDREN_BATCH = 100
# Every sort key of a kind starts with its rank and KEY_SEPARATOR ("\x01"); this follows them all.
_AFTER_SEPARATOR = chr(ord(KEY_SEPARATOR) + 1)


class Listings(Database):
    async def list_children(
        self,
        user_id: str,
        parent_id: str | None,
        *,
        sort: SortField,
        descending: bool,
        kinds: Sequence[ItemKind],
        limit: int,
        after_key: str | None,
    ) -> tuple[list[Item], str | None]:
        ranks = segments(kinds)
        if after_key is not None:
            if sort_key_item_id(after_key) is None or after_key[0] not in ranks:
                raise InvalidCursor()
            ranks = ranks[ranks.index(after_key[0]) :]
        column = SORT_COLUMNS[sort]

        def list_children(connection: sqlite3.Connection) -> list[tuple[str, Item]]:
            # Folders first in both directions: each kind is one range of the index, read in turn
            # until the page and one more row are found.
            rows: list[tuple[str, Item]] = []
            for index, rank in enumerate(ranks):
                rows += _read_segment(
                    connection,
                    column,
                    (user_id, parent_value(parent_id)),
                    rank,
                    descending=descending,
                    after_key=after_key if index == 0 else None,
                    limit=limit + 1 - len(rows),
                )
                if len(rows) > limit:
                    break
            return rows

        rows, last = page_of(await self._store.read(list_children), limit, key=lambda row: row[0])
        return [item for _, item in rows], last

    async def iter_children(self, user_id: str, parent_id: str | None) -> AsyncIterator[list[Item]]:
        after_key: str | None = None
        while True:
            items, after_key = await self.list_children(
                user_id,
                parent_id,
                sort=SortField.NAME,
                descending=False,
                kinds=list(ItemKind),
                limit=CHILDREN_BATCH,
                after_key=after_key,
            )
            if items:
                yield items
            if after_key is None:
                return

    async def list_newest(
        self, user_id: str, *, kind: ItemKind | None, limit: int, after_id: str | None
    ) -> tuple[list[Item], str | None]:
        def list_newest(connection: sqlite3.Connection) -> list[Item]:
            after = "AND item_id < :after " if after_id is not None else ""
            of_kind = "AND kind = :kind " if kind is not None else ""
            rows = connection.execute(
                f"SELECT {LIVE_COLUMNS} FROM items WHERE user_id = :user {of_kind}AND trashed_at IS NULL "
                f"{after}ORDER BY item_id DESC LIMIT :limit",
                {"user": user_id, "kind": kind.value if kind else None, "after": after_id, "limit": limit + 1},
            )
            return [item_of(row) for row in rows]

        return page_of(await self._store.read(list_newest), limit, key=lambda item: item.item_id)

    async def list_file_rows(self, *, after: str | None, limit: int) -> tuple[list[Item], str | None]:
        """Rows of every user in key order, `limit` read at most (folders read but left out)."""
        user_id, _, item_id = (after or "").partition("/")

        def list_file_rows(connection: sqlite3.Connection) -> list[sqlite3.Row]:
            return connection.execute(
                f"SELECT {ITEM_COLUMNS} FROM items WHERE (user_id, item_id) > (?, ?) ORDER BY user_id, item_id LIMIT ?",
                (user_id, item_id, limit + 1),
            ).fetchall()

        rows, last = page_of(
            await self._store.read(list_file_rows), limit, key=lambda row: f"{row['user_id']}/{row['item_id']}"
        )
        return [item_of(row) for row in rows if row["kind"] == ItemKind.FILE.value], last


def _read_segment(
    connection: sqlite3.Connection,
    column: str,
    folder: tuple[str, str],
    rank: str,
    *,
    descending: bool,
    after_key: str | None,
    limit: int,
) -> list[tuple[str, Item]]:
    """Up to `limit` live items of the folder whose sort keys have this rank, in order, after
    `after_key`; with their sort keys."""
    low, high = rank + KEY_SEPARATOR, rank + _AFTER_SEPARATOR
    if after_key is not None:
        high, low = (after_key, low) if descending else (high, after_key)
    parameters: dict[str, Any] = {"user": folder[0], "parent": folder[1], "low": low, "high": high, "limit": limit}
    # `column` is one of SORT_COLUMNS, never input.
    rows = connection.execute(
        f"SELECT {ITEM_COLUMNS}, {column} AS sort_key FROM items "
        f"WHERE user_id = :user AND parent_id = :parent AND trashed_at IS NULL "
        f"AND {column} > :low AND {column} < :high "
        f"ORDER BY {column} {'DESC' if descending else 'ASC'} LIMIT :limit",
        parameters,
    )
    return [(row["sort_key"], item_of(row)) for row in rows]
