"""File versions: a new version replaces a file's content, keeps the old one and grows the totals
in one transaction; the retention removes earlier versions one at a time."""

import sqlite3
from collections.abc import Sequence
from typing import Any

from scloud_files.adapters.sqlite.access import IDS_PER_STATEMENT, Database, count_into_open_account, take_off_totals
from scloud_files.adapters.sqlite.record import insert_row, select_item
from scloud_files.domain import FileVersion, Item, ItemNotFound, SortField, content_id, sort_key

VERSION_COLUMNS = (
    "user_id, version_id, file_id, object_key, size, content_type, media_type, sha256, checksum_part_size, "
    "created_at, uploaded_by, current, expires_at"
)


def version_row(version: FileVersion) -> dict[str, Any]:
    return {
        "user_id": version.user_id,
        "version_id": version.version_id,
        "file_id": version.file_id,
        "object_key": version.object_key,
        "size": version.size,
        "content_type": version.content_type,
        "media_type": version.media_type,
        "sha256": version.sha256,
        "checksum_part_size": version.checksum_part_size,
        "created_at": version.created_at,
        "uploaded_by": version.uploaded_by,
        "current": int(version.current),
        "expires_at": version.expires_at,
    }


def version_of(row: sqlite3.Row) -> FileVersion:
    return FileVersion(
        version_id=row["version_id"],
        file_id=row["file_id"],
        user_id=row["user_id"],
        object_key=row["object_key"],
        size=row["size"],
        content_type=row["content_type"],
        created_at=row["created_at"],
        media_type=row["media_type"],
        sha256=row["sha256"],
        checksum_part_size=row["checksum_part_size"],
        uploaded_by=row["uploaded_by"],
        current=bool(row["current"]),
        expires_at=row["expires_at"],
    )


def _put_version(connection: sqlite3.Connection, version: FileVersion) -> None:
    connection.execute(
        "DELETE FROM file_versions WHERE user_id = ? AND version_id = ?", (version.user_id, version.version_id)
    )
    insert_row(connection, "file_versions", version_row(version))


def delete_current_version(connection: sqlite3.Connection, file: Item) -> None:
    """With a file's row: the record naming the content it served (none for its first one)."""
    connection.execute(
        "DELETE FROM file_versions WHERE user_id = ? AND version_id = ? AND current = 1",
        (file.user_id, content_id(file)),
    )


class VersionRecords(Database):
    async def add_version(self, file: Item, content: Item, superseded: FileVersion) -> Item:
        def add_version(connection: sqlite3.Connection) -> Item:
            current = select_item(connection, file.user_id, file.item_id)
            if (
                current is None
                or current.trashed_at is not None
                or current.deleting
                or current.object_key != file.object_key
            ):
                raise ItemNotFound()
            count_into_open_account(connection, file.user_id, content.size or 0, 0)
            updated = current.serving(content)
            connection.execute(
                "UPDATE items SET size = :size, content_type = :content_type, object_key = :object_key, "
                "media_type = :media_type, sha256 = :sha256, checksum_part_size = :checksum_part_size, thumbnail = :thumbnail, modified_at = :modified_at, "
                "size_key = :size_key, modified_key = :modified_key WHERE user_id = :user_id AND item_id = :item_id",
                {
                    "size": updated.size,
                    "content_type": updated.content_type,
                    "object_key": updated.object_key,
                    "media_type": updated.media_type,
                    "sha256": updated.sha256,
                    "checksum_part_size": updated.checksum_part_size,
                    "thumbnail": updated.thumbnail.value if updated.thumbnail is not None else None,
                    "modified_at": updated.modified_at,
                    "size_key": sort_key(updated, SortField.SIZE),
                    "modified_key": sort_key(updated, SortField.MODIFIED),
                    "user_id": updated.user_id,
                    "item_id": updated.item_id,
                },
            )
            _put_version(connection, superseded)
            _put_version(connection, FileVersion.uploaded(content, file_id=file.item_id))
            return updated

        return await self._store.write(add_version)

    async def list_versions(self, user_id: str, file_id: str) -> list[FileVersion]:
        def list_versions(connection: sqlite3.Connection) -> list[FileVersion]:
            rows = connection.execute(
                f"SELECT {VERSION_COLUMNS} FROM file_versions WHERE user_id = ? AND file_id = ? AND current = 0 "
                "ORDER BY version_id DESC",
                (user_id, file_id),
            )
            return [version_of(row) for row in rows]

        return await self._store.read(list_versions)

    async def get_version(self, user_id: str, version_id: str) -> FileVersion | None:
        def get_version(connection: sqlite3.Connection) -> FileVersion | None:
            row = connection.execute(
                f"SELECT {VERSION_COLUMNS} FROM file_versions WHERE user_id = ? AND version_id = ?",
                (user_id, version_id),
            ).fetchone()
            return version_of(row) if row else None

        return await self._store.read(get_version)

    async def recorded_objects(self, user_id: str, object_ids: Sequence[str]) -> set[str]:
        wanted = list(dict.fromkeys(object_ids))

        def recorded_objects(connection: sqlite3.Connection) -> set[str]:
            found: set[str] = set()
            for start in range(0, len(wanted), IDS_PER_STATEMENT):
                chunk = wanted[start : start + IDS_PER_STATEMENT]
                rows = connection.execute(
                    "SELECT version_id FROM file_versions WHERE user_id = ? "
                    f"AND version_id IN ({', '.join('?' * len(chunk))})",
                    (user_id, *chunk),
                )
                found.update(row["version_id"] for row in rows)
            return found

        return await self._store.read(recorded_objects)

    async def due_versions(self, now: str, *, limit: int) -> list[FileVersion]:
        def due_versions(connection: sqlite3.Connection) -> list[FileVersion]:
            rows = connection.execute(
                f"SELECT {VERSION_COLUMNS} FROM file_versions WHERE current = 0 AND expires_at <= ? "
                "ORDER BY expires_at LIMIT ?",
                (now, limit),
            )
            return [version_of(row) for row in rows]

        return await self._store.read(due_versions)

    async def delete_version(self, version: FileVersion) -> None:
        def delete_version(connection: sqlite3.Connection) -> None:
            row = connection.execute(
                "DELETE FROM file_versions WHERE user_id = ? AND version_id = ? AND current = 0 RETURNING size",
                (version.user_id, version.version_id),
            ).fetchone()
            if row is not None:
                take_off_totals(connection, version.user_id, row["size"], 0)

        await self._store.write(delete_version)
