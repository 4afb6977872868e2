"""ShareLinkStore on SQLite: `share_links` by the hash of the link id, their access log
(`share_access_log`, deleted with its link by cascade) and the wrong-password counters
(`share_attempts`). What is past its time is removed by later writes, at most FORGET_BATCH rows
of each table per write, by the rows' own clock, as the ZIP links are."""

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from scloud_files.adapters.sqlite.access import Database, page_of
from scloud_files.adapters.sqlite.record import assignments, insert_row
from scloud_files.domain import (
    AccessEntry,
    AccessEvent,
    ItemKind,
    LinkNotFound,
    RefusalReason,
    ShareLink,
    link_attempts_key,
)

FORGET_BATCH = 100
LINK_COLUMNS = (
    "token_hash, link_ref, owner_id, item_id, item_kind, created_at, expires_at, forget_at, password_hash, "
    "download_limit, owner_name, revoked_at, download_count, open_count, refused_count, last_access_at"
)
SETTINGS = ("expires_at", "forget_at", "password_hash", "download_limit", "owner_name", "revoked_at")


def _seconds(moment: str) -> int:
    return int(datetime.fromisoformat(moment).timestamp())


def _moment(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def _link_of(row: sqlite3.Row) -> ShareLink:
    return ShareLink(**{**dict(row), "item_kind": ItemKind(row["item_kind"])})


def _entry_of(row: sqlite3.Row) -> AccessEntry:
    return AccessEntry(
        key=row["entry_key"],
        at=row["at"],
        event=AccessEvent(row["event"]),
        reason=RefusalReason(row["reason"]) if row["reason"] else None,
        browser=row["browser"],
        network=row["network"],
        forget_at=_moment(row["forget_after"]),
    )


def _forget_past(connection: sqlite3.Connection, table: str, key: str, now: int) -> None:
    # Table and key names come from this module, never from input.
    connection.execute(
        f"DELETE FROM {table} WHERE ({key}) IN (SELECT {key} FROM {table} WHERE forget_after < ? "
        "ORDER BY forget_after LIMIT ?)",
        (now, FORGET_BATCH),
    )


class SqliteShareLinks(Database):
    async def add(self, link: ShareLink) -> None:
        row: dict[str, Any] = {
            **{name: getattr(link, name) for name in LINK_COLUMNS.split(", ")},
            "item_kind": link.item_kind.value,
            "forget_after": _seconds(link.forget_at),
        }

        def add(connection: sqlite3.Connection) -> None:
            _forget_past(connection, "share_links", "token_hash", _seconds(link.created_at))
            _forget_past(connection, "share_attempts", "scope_key, window_start", _seconds(link.created_at))
            insert_row(connection, "share_links", row)

        await self._store.write(add)

    async def find(self, token_hash: str) -> ShareLink | None:
        return await self._one("token_hash = ?", (token_hash,))

    async def get(self, owner_id: str, link_ref: str) -> ShareLink | None:
        return await self._one("owner_id = ? AND link_ref = ?", (owner_id, link_ref))

    async def _one(self, condition: str, values: tuple[str, ...]) -> ShareLink | None:
        def one(connection: sqlite3.Connection) -> ShareLink | None:
            row = connection.execute(f"SELECT {LINK_COLUMNS} FROM share_links WHERE {condition}", values).fetchone()
            return _link_of(row) if row else None

        return await self._store.read(one)

    async def list_owned(
        self, owner_id: str, *, limit: int, after_ref: str | None
    ) -> tuple[list[ShareLink], str | None]:
        def list_owned(connection: sqlite3.Connection) -> list[ShareLink]:
            rows = connection.execute(
                f"SELECT {LINK_COLUMNS} FROM share_links WHERE owner_id = ? AND link_ref < ? "
                "ORDER BY link_ref DESC LIMIT ?",
                (owner_id, after_ref or "~", limit + 1),
            )
            return [_link_of(row) for row in rows]

        return page_of(await self._store.read(list_owned), limit, lambda link: link.link_ref)

    async def update_settings(self, link: ShareLink) -> None:
        row = {name: getattr(link, name) for name in SETTINGS}
        row["forget_after"] = _seconds(link.forget_at)

        def update_settings(connection: sqlite3.Connection) -> None:
            changed = connection.execute(
                f"UPDATE share_links SET {assignments(row)} WHERE token_hash = :token_hash",
                {**row, "token_hash": link.token_hash},
            ).rowcount
            if not changed:
                raise LinkNotFound()

        await self._store.write(update_settings)

    async def count_download(self, token_hash: str, now: str) -> bool:
        def count_download(connection: sqlite3.Connection) -> bool:
            row = connection.execute(
                "UPDATE share_links SET download_count = download_count + 1 WHERE token_hash = ? "
                "AND revoked_at IS NULL AND expires_at > ? "
                "AND (download_limit IS NULL OR download_count < download_limit) RETURNING download_count",
                (token_hash, now),
            ).fetchone()
            return row is not None

        return await self._store.write(count_download)

    async def record_access(self, link: ShareLink, entry: AccessEntry) -> None:
        def record_access(connection: sqlite3.Connection) -> None:
            _forget_past(connection, "share_access_log", "link_ref, entry_key", _seconds(entry.at))
            counted = connection.execute(
                "UPDATE share_links SET open_count = open_count + ?, refused_count = refused_count + ?, "
                "last_access_at = max(coalesce(last_access_at, ''), ?) WHERE token_hash = ?",
                (entry.event is AccessEvent.OPEN, entry.event is AccessEvent.REFUSED, entry.at, link.token_hash),
            ).rowcount
            if not counted:
                return
            insert_row(
                connection,
                "share_access_log",
                {
                    "link_ref": link.link_ref,
                    "entry_key": entry.key,
                    "at": entry.at,
                    "event": entry.event.value,
                    "reason": entry.reason.value if entry.reason else None,
                    "browser": entry.browser,
                    "network": entry.network,
                    "forget_after": _seconds(entry.forget_at),
                },
            )

        await self._store.write(record_access)

    async def access_log(
        self, link: ShareLink, *, limit: int, after_key: str | None
    ) -> tuple[list[AccessEntry], str | None]:
        def access_log(connection: sqlite3.Connection) -> list[AccessEntry]:
            rows = connection.execute(
                "SELECT entry_key, at, event, reason, browser, network, forget_after FROM share_access_log "
                "WHERE link_ref = ? AND entry_key < ? ORDER BY entry_key DESC LIMIT ?",
                (link.link_ref, after_key or "~", limit + 1),
            )
            return [_entry_of(row) for row in rows]

        return page_of(await self._store.read(access_log), limit, lambda entry: entry.key)

    async def shared_items(self, owner_id: str, item_ids: Sequence[str], now: str) -> set[str]:
        if not item_ids:
            return set()
        marks = ", ".join("?" * len(item_ids))

        def shared_items(connection: sqlite3.Connection) -> set[str]:
            # Through share_links_by_owner: the owner's links (at most those made in the last
            # expiry + retention period), never their drive.
            rows = connection.execute(
                f"SELECT DISTINCT item_id FROM share_links WHERE owner_id = ? AND item_id IN ({marks}) "
                "AND revoked_at IS NULL AND expires_at > ?",
                (owner_id, *item_ids, now),
            )
            return {row["item_id"] for row in rows}

        return await self._store.read(shared_items)

    async def delete_links(self, owner_id: str, *, item_id: str | None = None) -> int:
        condition = "owner_id = ?" + (" AND item_id = ?" if item_id is not None else "")
        values = (owner_id,) if item_id is None else (owner_id, item_id)

        def delete_links(connection: sqlite3.Connection) -> int:
            hashes = [
                row["token_hash"]
                for row in connection.execute(f"SELECT token_hash FROM share_links WHERE {condition}", values)
            ]
            connection.executemany(
                "DELETE FROM share_attempts WHERE scope_key = ?", [(link_attempts_key(h),) for h in hashes]
            )
            # The log goes with its link (ON DELETE CASCADE).
            return connection.execute(f"DELETE FROM share_links WHERE {condition}", values).rowcount

        return await self._store.write(delete_links)

    async def failed_attempts(self, key: str, window_start: str) -> int:
        def failed_attempts(connection: sqlite3.Connection) -> int:
            row = connection.execute(
                "SELECT attempts FROM share_attempts WHERE scope_key = ? AND window_start = ?", (key, window_start)
            ).fetchone()
            return int(row["attempts"]) if row else 0

        return await self._store.read(failed_attempts)

    async def count_failed_attempt(self, key: str, window_start: str, *, forget_at: str) -> int:
        def count_failed_attempt(connection: sqlite3.Connection) -> int:
            row = connection.execute(
                "INSERT INTO share_attempts (scope_key, window_start, attempts, forget_after) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (scope_key, window_start) DO UPDATE SET attempts = attempts + 1 RETURNING attempts",
                (key, window_start, _seconds(forget_at)),
            ).fetchone()
            return int(row["attempts"])

        return await self._store.write(count_failed_attempt)
