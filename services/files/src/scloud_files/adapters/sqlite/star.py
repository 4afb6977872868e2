"""StarStore on SQLite: one `stars` row per star, keyed by (user, item) for the marks of a page,
with an index by star time for Starred."""

import sqlite3
from collections.abc import Sequence

from scloud_files.adapters.sqlite.access import IDS_PER_STATEMENT, Database, page_of
from scloud_files.domain.star import Star


class SqliteStars(Database):
    async def star(self, star: Star) -> None:
        def add(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO stars (user_id, item_id, starred_at, star_key) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id, item_id) DO NOTHING",
                (star.user_id, star.item_id, star.starred_at, star.key),
            )

        await self._store.write(add)

    async def unstar(self, user_id: str, item_id: str) -> None:
        def remove(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM stars WHERE user_id = ? AND item_id = ?", (user_id, item_id))

        await self._store.write(remove)

    async def list_starred(self, user_id: str, *, limit: int, after_key: str | None) -> tuple[list[Star], str | None]:
        def select(connection: sqlite3.Connection) -> list[Star]:
            rows = connection.execute(
                "SELECT user_id, item_id, starred_at FROM stars WHERE user_id = ? AND star_key < ? "
                "ORDER BY star_key DESC LIMIT ?",
                # "~" sorts after every RFC 3339 time: no bound on the first page.
                (user_id, after_key or "~", limit + 1),
            )
            return [Star(**dict(row)) for row in rows]

        return page_of(await self._store.read(select), limit, lambda star: star.key)

    async def starred_items(self, user_id: str, item_ids: Sequence[str]) -> set[str]:
        def select(connection: sqlite3.Connection) -> set[str]:
            found: set[str] = set()
            for start in range(0, len(item_ids), IDS_PER_STATEMENT):
                chunk = item_ids[start : start + IDS_PER_STATEMENT]
                rows = connection.execute(
                    f"SELECT item_id FROM stars WHERE user_id = ? AND item_id IN ({', '.join('?' * len(chunk))})",
                    (user_id, *chunk),
                )
                found.update(row["item_id"] for row in rows)
            return found

        return await self._store.read(select) if item_ids else set()

    async def delete_all(self, user_id: str) -> int:
        def delete(connection: sqlite3.Connection) -> int:
            return connection.execute("DELETE FROM stars WHERE user_id = ?", (user_id,)).rowcount

        return await self._store.write(delete)
