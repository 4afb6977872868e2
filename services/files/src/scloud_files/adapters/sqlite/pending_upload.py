"""PendingUploadStore on SQLite: the table `pending_uploads` of the files database, keyed by
(user id, upload id), with an index on the expiry for the sweeper."""

import sqlite3
from dataclasses import replace
from typing import Any

from scloud_files.adapters.sqlite.access import Database
from scloud_files.adapters.sqlite.record import insert_row, parent_value
from scloud_files.adapters.sqlite.schema import ROOT
from scloud_files.domain import OnConflict, PendingUpload, TooManyUploads, decode_batch_files, encode_batch_files

COLUMNS = (
    "user_id, upload_id, s3_upload_id, object_key, name, size, part_size, content_type, parent_id, on_conflict, "
    "modified_at, created_at, expires_at, batch_files, request_ref, share_ref"
)


def _row(upload: PendingUpload) -> dict[str, Any]:
    return {
        "user_id": upload.user_id,
        "upload_id": upload.upload_id,
        "s3_upload_id": upload.s3_upload_id,
        "object_key": upload.object_key,
        "name": upload.name,
        "size": upload.size,
        "part_size": upload.part_size,
        "content_type": upload.content_type,
        "parent_id": parent_value(upload.parent_id),
        "on_conflict": upload.on_conflict.value,
        "modified_at": upload.modified_at,
        "created_at": upload.created_at,
        "expires_at": upload.expires_at,
        "batch_files": encode_batch_files(upload.batch_files),
        "settled": int(upload.is_settled),
        "request_ref": upload.request_ref,
        "share_ref": upload.share_ref,
    }


def _upload_of(row: sqlite3.Row) -> PendingUpload:
    return PendingUpload(
        upload_id=row["upload_id"],
        user_id=row["user_id"],
        s3_upload_id=row["s3_upload_id"],
        object_key=row["object_key"],
        name=row["name"],
        size=row["size"],
        part_size=row["part_size"],
        content_type=row["content_type"],
        parent_id=None if row["parent_id"] == ROOT else row["parent_id"],
        on_conflict=OnConflict(row["on_conflict"]),
        modified_at=row["modified_at"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        batch_files=decode_batch_files(row["batch_files"]),
        request_ref=row["request_ref"],
        share_ref=row["share_ref"],
    )


class SqlitePendingUploads(Database):
    async def add(self, upload: PendingUpload, *, max_per_user: int) -> None:
        def add(connection: sqlite3.Connection) -> None:
            # The one writer holds the write lock: nothing is added between the count and the insert.
            (count,) = connection.execute(
                "SELECT count(*) FROM (SELECT 1 FROM pending_uploads WHERE user_id = ? AND NOT settled LIMIT ?)",
                (upload.user_id, max_per_user),
            ).fetchone()
            if count >= max_per_user:
                raise TooManyUploads()
            insert_row(connection, "pending_uploads", _row(upload))

        await self._store.write(add)

    async def get(self, user_id: str, upload_id: str) -> PendingUpload | None:
        def get(connection: sqlite3.Connection) -> PendingUpload | None:
            row = connection.execute(
                f"SELECT {COLUMNS} FROM pending_uploads WHERE user_id = ? AND upload_id = ?", (user_id, upload_id)
            ).fetchone()
            return _upload_of(row) if row else None

        return await self._store.read(get)

    async def of_user(self, user_id: str, *, limit: int) -> list[PendingUpload]:
        def of_user(connection: sqlite3.Connection) -> list[PendingUpload]:
            rows = connection.execute(
                f"SELECT {COLUMNS} FROM pending_uploads WHERE user_id = ? ORDER BY upload_id LIMIT ?", (user_id, limit)
            )
            return [_upload_of(row) for row in rows]

        return await self._store.read(of_user)

    async def remove(self, upload: PendingUpload) -> None:
        def remove(connection: sqlite3.Connection) -> None:
            connection.execute(
                "DELETE FROM pending_uploads WHERE user_id = ? AND upload_id = ?", (upload.user_id, upload.upload_id)
            )

        await self._store.write(remove)

    async def settle(self, batch: PendingUpload, settled: PendingUpload) -> None:
        row = _row(replace(settled, size=0))

        def settle(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE pending_uploads SET size = 0, batch_files = ?, settled = ? WHERE user_id = ? AND upload_id = ?",
                (row["batch_files"], row["settled"], batch.user_id, batch.upload_id),
            )

        await self._store.write(settle)

    async def reserved_bytes(self, user_id: str) -> int:
        def reserved_bytes(connection: sqlite3.Connection) -> int:
            (total,) = connection.execute(
                "SELECT coalesce(sum(size), 0) FROM pending_uploads WHERE user_id = ?", (user_id,)
            ).fetchone()
            return int(total)

        return await self._store.read(reserved_bytes)

    async def expired(self, now: str, *, limit: int) -> list[PendingUpload]:
        def expired(connection: sqlite3.Connection) -> list[PendingUpload]:
            rows = connection.execute(
                f"SELECT {COLUMNS} FROM pending_uploads WHERE expires_at <= ? ORDER BY expires_at LIMIT ?",
                (now, limit),
            )
            return [_upload_of(row) for row in rows]

        return await self._store.read(expired)
