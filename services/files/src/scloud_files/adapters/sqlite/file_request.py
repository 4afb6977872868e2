"""FileRequestStore on SQLite: `file_requests` by the hash of the request id. The one writer
holds the write lock, so the total's check and its addition are one statement; a request past
its forget time is removed by later writes, at most FORGET_BATCH at a time."""

import sqlite3
from datetime import datetime
from typing import Any

from scloud_files.adapters.sqlite.access import Database, page_of
from scloud_files.adapters.sqlite.record import assignments, insert_row
from scloud_files.adapters.sqlite.share_link import FORGET_BATCH
from scloud_files.domain import (
    MAX_NOTICE_FILES,
    FileRequest,
    ReceivedFile,
    RequestNotFound,
    decode_received,
    encode_received,
)

COLUMNS = (
    "token_hash, request_ref, owner_id, folder_id, created_at, expires_at, forget_at, max_file_bytes, "
    "max_total_bytes, owner_name, revoked_at, bytes_received, files_received, notice_pending, notice_more, "
    "notice_due_at"
)
SETTINGS = ("expires_at", "forget_at", "max_file_bytes", "max_total_bytes", "owner_name", "revoked_at")


def _seconds(moment: str) -> int:
    return int(datetime.fromisoformat(moment).timestamp())


def _request_of(row: sqlite3.Row) -> FileRequest:
    return FileRequest(**{**dict(row), "notice_pending": decode_received(row["notice_pending"])})


def _forget_past(connection: sqlite3.Connection, now: int) -> None:
    connection.execute(
        "DELETE FROM file_requests WHERE token_hash IN (SELECT token_hash FROM file_requests "
        "WHERE forget_after < ? ORDER BY forget_after LIMIT ?)",
        (now, FORGET_BATCH),
    )


class SqliteFileRequests(Database):
    async def add(self, request: FileRequest) -> None:
        row: dict[str, Any] = {
            **{name: getattr(request, name) for name in COLUMNS.split(", ")},
            "notice_pending": encode_received(request.notice_pending),
            "forget_after": _seconds(request.forget_at),
        }

        def add(connection: sqlite3.Connection) -> None:
            _forget_past(connection, _seconds(request.created_at))
            insert_row(connection, "file_requests", row)

        await self._store.write(add)

    async def find(self, token_hash: str) -> FileRequest | None:
        return await self._one("token_hash = ?", (token_hash,))

    async def get(self, owner_id: str, request_ref: str) -> FileRequest | None:
        return await self._one("owner_id = ? AND request_ref = ?", (owner_id, request_ref))

    async def _one(self, condition: str, values: tuple[str, ...]) -> FileRequest | None:
        def one(connection: sqlite3.Connection) -> FileRequest | None:
            row = connection.execute(f"SELECT {COLUMNS} FROM file_requests WHERE {condition}", values).fetchone()
            return _request_of(row) if row else None

        return await self._store.read(one)

    async def list_owned(
        self, owner_id: str, *, limit: int, after_ref: str | None
    ) -> tuple[list[FileRequest], str | None]:
        def list_owned(connection: sqlite3.Connection) -> list[FileRequest]:
            rows = connection.execute(
                f"SELECT {COLUMNS} FROM file_requests WHERE owner_id = ? AND request_ref < ? "
                "ORDER BY request_ref DESC LIMIT ?",
                (owner_id, after_ref or "~", limit + 1),
            )
            return [_request_of(row) for row in rows]

        return page_of(await self._store.read(list_owned), limit, lambda request: request.request_ref)

    async def update_settings(self, request: FileRequest) -> None:
        row: dict[str, Any] = {name: getattr(request, name) for name in SETTINGS}
        row["forget_after"] = _seconds(request.forget_at)

        def update_settings(connection: sqlite3.Connection) -> None:
            changed = connection.execute(
                f"UPDATE file_requests SET {assignments(row)} WHERE token_hash = :token_hash",
                {**row, "token_hash": request.token_hash},
            ).rowcount
            if not changed:
                raise RequestNotFound()

        await self._store.write(update_settings)

    async def receive(self, token_hash: str, size: int, *, now: str) -> bool:
        def receive(connection: sqlite3.Connection) -> bool:
            row = connection.execute(
                "UPDATE file_requests SET bytes_received = bytes_received + :size, files_received = files_received + 1 "
                "WHERE token_hash = :hash AND revoked_at IS NULL AND expires_at > :now "
                "AND (max_total_bytes IS NULL OR bytes_received + :size <= max_total_bytes) RETURNING 1",
                {"size": size, "hash": token_hash, "now": now},
            ).fetchone()
            return row is not None

        return await self._store.write(receive)

    async def give_back(self, token_hash: str, size: int) -> None:
        def give_back(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE file_requests SET bytes_received = max(0, bytes_received - ?), "
                "files_received = max(0, files_received - 1) WHERE token_hash = ?",
                (size, token_hash),
            )

        await self._store.write(give_back)

    async def add_notice(self, token_hash: str, received: ReceivedFile, *, due_at: str) -> None:
        def add_notice(connection: sqlite3.Connection) -> None:
            row = connection.execute(
                "SELECT notice_pending FROM file_requests WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            if row is None:
                return
            pending = decode_received(row["notice_pending"])
            listed = len(pending) < MAX_NOTICE_FILES
            connection.execute(
                "UPDATE file_requests SET notice_pending = ?, notice_more = notice_more + ?, "
                "notice_due_at = coalesce(notice_due_at, ?) WHERE token_hash = ?",
                (encode_received(pending + ((received,) if listed else ())), int(not listed), due_at, token_hash),
            )

        await self._store.write(add_notice)

    async def due_notices(self, now: str, *, limit: int) -> list[FileRequest]:
        def due_notices(connection: sqlite3.Connection) -> list[FileRequest]:
            rows = connection.execute(
                f"SELECT {COLUMNS} FROM file_requests WHERE notice_due_at IS NOT NULL AND notice_due_at <= ? "
                "ORDER BY notice_due_at LIMIT ?",
                (now, limit),
            )
            return [_request_of(row) for row in rows]

        return await self._store.read(due_notices)

    async def clear_notice(self, sent: FileRequest, *, next_due_at: str) -> None:
        def clear_notice(connection: sqlite3.Connection) -> None:
            row = connection.execute(
                "SELECT notice_pending, notice_more FROM file_requests WHERE token_hash = ?", (sent.token_hash,)
            ).fetchone()
            if row is None:
                return
            left = decode_received(row["notice_pending"])[len(sent.notice_pending) :]
            more = max(0, row["notice_more"] - sent.notice_more)
            connection.execute(
                "UPDATE file_requests SET notice_pending = ?, notice_more = ?, notice_due_at = ? WHERE token_hash = ?",
                (encode_received(left), more, next_due_at if left or more else None, sent.token_hash),
            )

        await self._store.write(clear_notice)

    async def delete_requests(self, owner_id: str, *, folder_id: str | None = None) -> int:
        condition = "owner_id = ?" + (" AND folder_id = ?" if folder_id is not None else "")
        values = (owner_id,) if folder_id is None else (owner_id, folder_id)

        def delete_requests(connection: sqlite3.Connection) -> int:
            return connection.execute(f"DELETE FROM file_requests WHERE {condition}", values).rowcount

        return await self._store.write(delete_requests)
