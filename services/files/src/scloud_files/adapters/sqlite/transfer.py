"""Everything the files database holds, read a page at a time and written back, for moving an
installation between stores (`python -m scloud_admin`): totals, items, unfiled files. Each page
is written in one transaction; an item's owner gets an `accounts` row first (its foreign key),
whose totals the user's usage record sets when it arrives."""

import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from typing import Any

from scloud_common.sqlite_store import SqliteStore
from scloud_common.transfer import TransferRecord, WriteOutcome
from scloud_files.adapters.sqlite.record import ITEM_COLUMNS, UNFILED_COLUMNS, item_of, item_row, unfiled_file_of
from scloud_files.adapters.sqlite.schema import MIGRATIONS
from scloud_files.transfer_record import (
    UNFILED,
    USAGE,
    item_transfer_record,
    unfiled_of,
    unfiled_record,
    usage_record,
)
from scloud_files.transfer_record import (
    item_of as transferred_item,
)

# A page of records, and where the next one starts (None: this was the last).
PageRead = tuple[list[TransferRecord], tuple[str, ...] | None]
Page = Callable[[sqlite3.Connection, tuple[str, ...], int], PageRead]


def _usage_page(connection: sqlite3.Connection, after: tuple[str, ...], size: int) -> PageRead:
    rows = connection.execute(
        "SELECT user_id, bytes_used, file_count, trash_bytes, closed, quota_bytes FROM accounts WHERE user_id > ? "
        "ORDER BY user_id LIMIT ?",
        (*(after or ("",)), size),
    ).fetchall()
    records = [_usage_of(row) for row in rows]
    return [record for record in records if record], (rows[-1]["user_id"],) if len(rows) == size else None


def _usage_of(row: sqlite3.Row) -> TransferRecord | None:
    return usage_record(
        row["user_id"],
        bytes_used=row["bytes_used"],
        file_count=row["file_count"],
        closed=bool(row["closed"]),
        trash_bytes=row["trash_bytes"],
        quota_bytes=row["quota_bytes"],
    )


def _item_record(row: sqlite3.Row) -> TransferRecord:
    item = replace(item_of(row), deleting=bool(row["deleting"]))
    return item_transfer_record(item, purging=bool(row["purging"]))


def _item_page(connection: sqlite3.Connection, after: tuple[str, ...], size: int) -> PageRead:
    rows = connection.execute(
        f"SELECT {ITEM_COLUMNS} FROM items WHERE (user_id, item_id) > (?, ?) ORDER BY user_id, item_id LIMIT ?",
        (*(after or ("", "")), size),
    ).fetchall()
    last = (rows[-1]["user_id"], rows[-1]["item_id"]) if len(rows) == size else None
    return [_item_record(row) for row in rows], last


def _unfiled_page(connection: sqlite3.Connection, after: tuple[str, ...], size: int) -> PageRead:
    rows = connection.execute(
        f"SELECT {UNFILED_COLUMNS} FROM unfiled_files WHERE (user_id, file_id) > (?, ?) "
        "ORDER BY user_id, file_id LIMIT ?",
        (*(after or ("", "")), size),
    ).fetchall()
    last = (rows[-1]["user_id"], rows[-1]["file_id"]) if len(rows) == size else None
    return [unfiled_record(unfiled_file_of(row)) for row in rows], last


def _existing(connection: sqlite3.Connection, record: TransferRecord) -> TransferRecord | None:
    if record.kind == USAGE:
        row = connection.execute(
            "SELECT user_id, bytes_used, file_count, trash_bytes, closed, quota_bytes FROM accounts WHERE user_id = ?",
            (record.key,),
        ).fetchone()
        return _usage_of(row) if row else None
    user_id, item_id = record.key.split("/", 1)
    if record.kind == UNFILED:
        row = connection.execute(
            f"SELECT {UNFILED_COLUMNS} FROM unfiled_files WHERE user_id = ? AND file_id = ?", (user_id, item_id)
        ).fetchone()
        return unfiled_record(unfiled_file_of(row)) if row else None
    row = connection.execute(
        f"SELECT {ITEM_COLUMNS} FROM items WHERE user_id = ? AND item_id = ?", (user_id, item_id)
    ).fetchone()
    return _item_record(row) if row else None


def _upsert(connection: sqlite3.Connection, table: str, key: str, row: dict[str, Any]) -> None:
    # Table and column names come from this module and record.py, never from input.
    columns = ", ".join(row)
    updates = ", ".join(f"{column} = excluded.{column}" for column in row)
    connection.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + name for name in row)}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}",
        row,
    )


def _write_record(connection: sqlite3.Connection, record: TransferRecord) -> None:
    body = record.body
    if record.kind == USAGE:
        row = {key: body[key] for key in ("user_id", "bytes_used", "file_count")} | {
            "closed": int(body["closed"]),
            "trash_bytes": body.get("trash_bytes", 0),
            "quota_bytes": body.get("quota_bytes"),
        }
        _upsert(connection, "accounts", "user_id", row)
        return
    connection.execute("INSERT OR IGNORE INTO accounts (user_id) VALUES (?)", (body["user_id"],))
    if record.kind == UNFILED:
        _upsert(connection, "unfiled_files", "user_id, file_id", dict(unfiled_of(record).__dict__))
        return
    item, purging = transferred_item(record)
    _upsert(connection, "items", "user_id, item_id", {**item_row(item), "purging": int(purging)})


def _reader(page: Page, after: tuple[str, ...], size: int) -> Callable[[sqlite3.Connection], PageRead]:
    def read(connection: sqlite3.Connection) -> PageRead:
        return page(connection, after, size)

    return read


class SqliteFilesTransfer:
    service = "files"

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    @classmethod
    async def open(cls, path: str) -> "SqliteFilesTransfer":
        return cls(await SqliteStore.open(path, migrations=MIGRATIONS))

    async def pages(self, size: int) -> AsyncIterator[list[TransferRecord]]:
        for page in (_usage_page, _item_page, _unfiled_page):
            after: tuple[str, ...] | None = ()
            while after is not None:
                records, after = await self._store.read(_reader(page, after, size))
                if records:
                    yield records

    async def write(self, records: Sequence[TransferRecord]) -> WriteOutcome:
        def write(connection: sqlite3.Connection) -> WriteOutcome:
            outcome = WriteOutcome()
            for record in records:
                if _existing(connection, record) == record:
                    outcome += WriteOutcome(unchanged=1)
                    continue
                _write_record(connection, record)
                outcome += WriteOutcome(written=1)
            return outcome

        return await self._store.write(write)

    async def close(self) -> None:
        await self._store.close()
