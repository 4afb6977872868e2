"""ActivityLog on SQLite: an `activity_events` row per change (keyed by the change, so a second
write replaces it), an `activity_folders` row per folder the event names, and a `recent_files`
row per file a user touched. Rows past their expiry are skipped by reads and deleted by later
writes, at most FORGET_BATCH per table per write, by the written event's clock."""

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from scloud_files.adapters.sqlite.access import Database, page_of
from scloud_files.domain import ItemKind
from scloud_files.domain.activity import EVENT_KEY_SEPARATOR, ActivityAction, ActivityEvent, RecentTouch

FORGET_BATCH = 100
EVENT_COLUMNS = (
    "user_id, event_key, item_id, item_kind, action, actor_id, name_before, name_after, path_before, "
    "path_after, detail, at, expires_at, folder_ids"
)
EXPIRING_TABLES = {
    "activity_events": "user_id, event_key",
    "activity_folders": "user_id, folder_id, event_key",
    "recent_files": "user_id, item_id",
}


def _row(event: ActivityEvent) -> dict[str, Any]:
    return {
        "user_id": event.user_id,
        "event_key": event.event_key,
        "item_id": event.item_id,
        "item_kind": event.item_kind.value,
        "action": event.action.value,
        "actor_id": event.actor_id,
        "name_before": event.name_before,
        "name_after": event.name_after,
        "path_before": event.path_before,
        "path_after": event.path_after,
        "detail": event.detail,
        "at": event.at,
        "expires_at": event.expires_at,
        "folder_ids": json.dumps(list(event.folder_ids)),
    }


def _event_of(row: sqlite3.Row) -> ActivityEvent:
    return ActivityEvent(
        user_id=row["user_id"],
        at=row["at"],
        item_id=row["item_id"],
        item_kind=ItemKind(row["item_kind"]),
        action=ActivityAction(row["action"]),
        actor_id=row["actor_id"],
        name_before=row["name_before"],
        name_after=row["name_after"],
        path_before=row["path_before"],
        path_after=row["path_after"],
        expires_at=row["expires_at"],
        detail=row["detail"],
        folder_ids=tuple(json.loads(row["folder_ids"])),
    )


def _forget_expired(connection: sqlite3.Connection, now: str) -> None:
    for table, key in EXPIRING_TABLES.items():
        # Table and key names come from this module, never from input.
        connection.execute(
            f"DELETE FROM {table} WHERE ({key}) IN "
            f"(SELECT {key} FROM {table} WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)",
            (now, FORGET_BATCH),
        )


class SqliteActivityLog(Database):
    async def record(self, event: ActivityEvent) -> None:
        row = _row(event)

        def record(connection: sqlite3.Connection) -> None:
            _forget_expired(connection, event.at)
            connection.execute(
                f"INSERT OR REPLACE INTO activity_events ({EVENT_COLUMNS}) "
                f"VALUES ({', '.join(':' + name for name in row)})",
                row,
            )
            connection.executemany(
                "INSERT OR REPLACE INTO activity_folders (user_id, folder_id, event_key, expires_at) "
                "VALUES (?, ?, ?, ?)",
                [(event.user_id, folder_id, event.event_key, event.expires_at) for folder_id in set(event.folder_ids)],
            )

        await self._store.write(record)

    async def _page(
        self, query: str, values: tuple[Any, ...], *, limit: int, after_key: str | None
    ) -> tuple[list[ActivityEvent], str | None]:
        def select(connection: sqlite3.Connection) -> list[ActivityEvent]:
            after = "AND e.event_key < ?" if after_key is not None else ""
            rows = connection.execute(
                query.format(after=after) + " ORDER BY e.event_key DESC LIMIT ?",
                (*values, *((after_key,) if after_key is not None else ()), limit + 1),
            )
            return [_event_of(row) for row in rows]

        events = await self._store.read(select)
        return page_of(events, limit, lambda event: event.event_key)

    async def list_for_user(
        self, user_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        return await self._page(
            f"SELECT {EVENT_COLUMNS} FROM activity_events e WHERE e.user_id = ? AND e.expires_at > ? {{after}}",
            (user_id, now),
            limit=limit,
            after_key=after_key,
        )

    async def list_for_item(
        self, user_id: str, item_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        return await self._page(
            f"SELECT {EVENT_COLUMNS} FROM activity_events e "
            "WHERE e.user_id = ? AND e.item_id = ? AND e.expires_at > ? {after}",
            (user_id, item_id, now),
            limit=limit,
            after_key=after_key,
        )

    async def list_for_folder(
        self, user_id: str, folder_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        columns = ", ".join(f"e.{column}" for column in EVENT_COLUMNS.split(", "))
        return await self._page(
            f"SELECT {columns} FROM activity_folders f JOIN activity_events e "
            "ON e.user_id = f.user_id AND e.event_key = f.event_key "
            "WHERE f.user_id = ? AND f.folder_id = ? AND f.expires_at > ? {after}",
            (user_id, folder_id, now),
            limit=limit,
            after_key=after_key,
        )

    async def touch(self, touch: RecentTouch) -> None:
        def write(connection: sqlite3.Connection) -> None:
            _forget_expired(connection, touch.touched_at)
            connection.execute(
                "INSERT INTO recent_files (user_id, item_id, touched_at, expires_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id, item_id) DO UPDATE SET touched_at = excluded.touched_at, "
                "expires_at = excluded.expires_at WHERE excluded.touched_at > recent_files.touched_at",
                (touch.user_id, touch.item_id, touch.touched_at, touch.expires_at),
            )

        await self._store.write(write)

    async def list_recent(
        self, user_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[RecentTouch], str | None]:
        def select(connection: sqlite3.Connection) -> list[RecentTouch]:
            after = ""
            bounds: tuple[str, ...] = ()
            if after_key is not None:
                touched_at, _, item_id = after_key.partition(EVENT_KEY_SEPARATOR)
                after = "AND (touched_at < ? OR (touched_at = ? AND item_id < ?))"
                bounds = (touched_at, touched_at, item_id)
            rows = connection.execute(
                "SELECT user_id, item_id, touched_at, expires_at FROM recent_files "
                f"WHERE user_id = ? AND expires_at > ? {after} ORDER BY touched_at DESC, item_id DESC LIMIT ?",
                (user_id, now, *bounds, limit + 1),
            )
            return [RecentTouch(**dict(row)) for row in rows]

        touches = await self._store.read(select)
        return page_of(touches, limit, lambda touch: touch.recent_key)

    async def delete_all(self, user_id: str) -> None:
        def delete(connection: sqlite3.Connection) -> None:
            for table in EXPIRING_TABLES:
                connection.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))

        await self._store.write(delete)


if TYPE_CHECKING:
    from scloud_files.ports import ActivityLog

    _activity: ActivityLog = SqliteActivityLog.__new__(SqliteActivityLog)
