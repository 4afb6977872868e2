"""GrantStore on SQLite: one `grants` row holds a grant's every side (the owner's, the
grantee's and, while it waits, the invitation's), so each write is one statement on the writer.
Invitations past their expiry are skipped by reads and deleted by later invitations, at most
FORGET_BATCH per write, by their own clock."""

import sqlite3
from collections.abc import Sequence
from typing import Any

from scloud_files.adapters.sqlite.access import Database, page_of
from scloud_files.adapters.sqlite.record import insert_row
from scloud_files.domain import ItemKind
from scloud_files.domain.grant import Grant, PersonNotFound, Role, ShareNotFound

FORGET_BATCH = 100
COLUMNS = (
    "owner_id, item_id, person_id, email, role, item_kind, item_name, owner_name, created_at, grantee_id, "
    "expires_at, in_drive"
)
KEY = "owner_id = :owner_id AND item_id = :item_id AND person_id = :person_id"


def _row(grant: Grant) -> dict[str, Any]:
    return {
        **{name: getattr(grant, name) for name in COLUMNS.split(", ")},
        "role": grant.role.value,
        "item_kind": grant.item_kind.value,
        "in_drive": int(grant.in_drive),
    }


def _grant_of(row: sqlite3.Row) -> Grant:
    return Grant(
        **{
            **dict(row),
            "role": Role(row["role"]),
            "item_kind": ItemKind(row["item_kind"]),
            "in_drive": bool(row["in_drive"]),
        }
    )


def _key_of(grant: Grant) -> dict[str, str]:
    return {"owner_id": grant.owner_id, "item_id": grant.item_id, "person_id": grant.person_id}


class SqliteGrants(Database):
    async def add(self, grant: Grant) -> None:
        row = _row(grant)

        def add(connection: sqlite3.Connection) -> None:
            if grant.expires_at is not None:
                connection.execute(
                    "DELETE FROM grants WHERE (owner_id, item_id, person_id) IN (SELECT owner_id, item_id, person_id "
                    "FROM grants WHERE grantee_id IS NULL AND expires_at < ? ORDER BY expires_at LIMIT ?)",
                    (grant.created_at, FORGET_BATCH),
                )
            connection.execute(f"DELETE FROM grants WHERE {KEY}", row)
            if grant.grantee_id is not None:
                # Another spelling of the grantee's address may hold the item already: theirs now.
                connection.execute(
                    "DELETE FROM grants WHERE grantee_id = ? AND item_id = ?", (grant.grantee_id, grant.item_id)
                )
            insert_row(connection, "grants", row)

        await self._store.write(add)

    async def _all(self, condition: str, values: dict[str, Any], suffix: str = "") -> list[Grant]:
        def select(connection: sqlite3.Connection) -> list[Grant]:
            rows = connection.execute(f"SELECT {COLUMNS} FROM grants WHERE {condition} {suffix}", values)
            return [_grant_of(row) for row in rows]

        return await self._store.read(select)

    async def get(self, owner_id: str, item_id: str, person_id: str) -> Grant | None:
        found = await self._all(KEY, {"owner_id": owner_id, "item_id": item_id, "person_id": person_id})
        return found[0] if found else None

    async def people_on(self, owner_id: str, item_id: str) -> list[Grant]:
        return await self._all(
            "owner_id = :owner_id AND item_id = :item_id",
            {"owner_id": owner_id, "item_id": item_id},
            "ORDER BY created_at, person_id",
        )

    async def _update(self, grant: Grant, assignment: str, value: Any, *, condition: str = "") -> int:
        def update(connection: sqlite3.Connection) -> int:
            return connection.execute(
                f"UPDATE grants SET {assignment} = :value WHERE {KEY} {condition}", {**_key_of(grant), "value": value}
            ).rowcount

        return await self._store.write(update)

    async def set_role(self, grant: Grant, role: Role) -> None:
        if not await self._update(grant, "role", role.value):
            raise PersonNotFound()

    async def remove(self, grant: Grant) -> None:
        def remove(connection: sqlite3.Connection) -> None:
            connection.execute(f"DELETE FROM grants WHERE {KEY}", _key_of(grant))

        await self._store.write(remove)

    async def shared_with(self, grantee_id: str, item_id: str) -> Grant | None:
        found = await self._all("grantee_id = :grantee AND item_id = :item", {"grantee": grantee_id, "item": item_id})
        return found[0] if found else None

    async def list_shared_with(
        self, grantee_id: str, *, limit: int, after_item_id: str | None
    ) -> tuple[list[Grant], str | None]:
        rows = await self._all(
            "grantee_id = :grantee AND item_id < :after",
            {"grantee": grantee_id, "after": after_item_id or "~", "limit": limit + 1},
            "ORDER BY item_id DESC LIMIT :limit",
        )
        return page_of(rows, limit, lambda grant: grant.item_id)

    async def set_in_drive(self, grant: Grant, in_drive: bool) -> None:
        if not await self._update(grant, "in_drive", int(in_drive), condition="AND grantee_id IS NOT NULL"):
            raise ShareNotFound()

    async def invitations_to(self, person_id: str, now: str) -> list[Grant]:
        return await self._all(
            "person_id = :person AND grantee_id IS NULL AND expires_at > :now", {"person": person_id, "now": now}
        )

    async def claim(self, invitation: Grant, grantee_id: str) -> bool:
        def claim(connection: sqlite3.Connection) -> bool:
            row = connection.execute(f"SELECT {COLUMNS} FROM grants WHERE {KEY}", _key_of(invitation)).fetchone()
            if row is None or _grant_of(row) != invitation:
                return False
            held = connection.execute(
                "SELECT 1 FROM grants WHERE grantee_id = ? AND item_id = ?", (grantee_id, invitation.item_id)
            ).fetchone()
            if held:
                connection.execute(f"DELETE FROM grants WHERE {KEY}", _key_of(invitation))
                return False
            connection.execute(
                f"UPDATE grants SET grantee_id = :grantee, expires_at = NULL WHERE {KEY}",
                {**_key_of(invitation), "grantee": grantee_id},
            )
            return True

        return await self._store.write(claim)

    async def shared_items(self, owner_id: str, item_ids: Sequence[str], now: str) -> set[str]:
        if not item_ids:
            return set()
        marks = ", ".join("?" * len(item_ids))

        def shared_items(connection: sqlite3.Connection) -> set[str]:
            # The primary key's (owner_id, item_id) prefix: the page's items, never the drive.
            rows = connection.execute(
                f"SELECT DISTINCT item_id FROM grants WHERE owner_id = ? AND item_id IN ({marks}) "
                "AND (expires_at IS NULL OR expires_at > ?)",
                (owner_id, *item_ids, now),
            )
            return {row["item_id"] for row in rows}

        return await self._store.read(shared_items)

    async def delete_for_item(self, owner_id: str, item_id: str) -> int:
        def delete(connection: sqlite3.Connection) -> int:
            return connection.execute(
                "DELETE FROM grants WHERE owner_id = ? AND item_id = ?", (owner_id, item_id)
            ).rowcount

        return await self._store.write(delete)

    async def delete_for_account(self, user_id: str) -> int:
        def delete(connection: sqlite3.Connection) -> int:
            owned = connection.execute("DELETE FROM grants WHERE owner_id = ?", (user_id,)).rowcount
            return owned + connection.execute("DELETE FROM grants WHERE grantee_id = ?", (user_id,)).rowcount

        return await self._store.write(delete)
