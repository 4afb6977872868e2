"""A user's totals and account: the closed mark, the usage counters, their recount, and
deleting everything of a user."""

import sqlite3
from dataclasses import replace

from scloud_files.adapters.sqlite.access import Database, take_off_totals
from scloud_files.domain import ItemKind, StorageUsage

# Rows removed per transaction by delete_all, so the one writer is never held for long by one
# large account while other users' writes wait.
DELETE_BATCH = 1000


class AccountRecords(Database):
    async def close_account(self, user_id: str) -> None:
        def close_account(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO accounts (user_id, closed) VALUES (?, 1) ON CONFLICT (user_id) DO UPDATE SET closed = 1",
                (user_id,),
            )

        await self._store.write(close_account)

    async def account_closed(self, user_id: str) -> bool:
        def account_closed(connection: sqlite3.Connection) -> bool:
            row = connection.execute("SELECT closed FROM accounts WHERE user_id = ?", (user_id,)).fetchone()
            return bool(row and row["closed"])

        return await self._store.read(account_closed)

    async def delete_all(self, user_id: str) -> int:
        def delete_batch(connection: sqlite3.Connection) -> tuple[int, int]:
            """Deletes up to DELETE_BATCH items and takes their files off the totals: how many
            rows went, and how many of them were files."""
            rows = connection.execute(
                "DELETE FROM items WHERE (user_id, item_id) IN "
                "(SELECT user_id, item_id FROM items WHERE user_id = ? LIMIT ?) RETURNING kind, size",
                (user_id, DELETE_BATCH),
            ).fetchall()
            files = [row["size"] for row in rows if row["kind"] == ItemKind.FILE.value]
            take_off_totals(connection, user_id, sum(files), len(files))
            return len(rows), len(files)

        def delete_rest(connection: sqlite3.Connection) -> int:
            """The files recorded before folders, and the totals zeroed (the closed mark stays)."""
            unfiled = connection.execute("DELETE FROM unfiled_files WHERE user_id = ?", (user_id,)).rowcount
            connection.execute("DELETE FROM file_versions WHERE user_id = ?", (user_id,))
            connection.execute(
                "UPDATE accounts SET bytes_used = 0, file_count = 0, trash_bytes = 0 WHERE user_id = ?", (user_id,)
            )
            return unfiled

        files = 0
        while True:
            deleted, deleted_files = await self._store.write(delete_batch)
            files += deleted_files
            if deleted < DELETE_BATCH:
                break
        return files + await self._store.write(delete_rest)

    async def usage(self, user_id: str) -> StorageUsage:
        def usage(connection: sqlite3.Connection) -> StorageUsage:
            row = connection.execute(
                "SELECT bytes_used, file_count, trash_bytes, quota_bytes FROM accounts WHERE user_id = ?", (user_id,)
            ).fetchone()
            if row is None:
                return StorageUsage(0, 0)
            return StorageUsage(row["bytes_used"], row["file_count"], row["trash_bytes"], row["quota_bytes"])

        return await self._store.read(usage)

    async def set_quota(self, user_id: str, quota_bytes: int | None) -> None:
        def set_quota(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO accounts (user_id, quota_bytes) VALUES (?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET quota_bytes = excluded.quota_bytes",
                (user_id, quota_bytes),
            )

        await self._store.write(set_quota)

    async def recount_usage(self, user_id: str) -> StorageUsage:
        def recount_usage(connection: sqlite3.Connection) -> StorageUsage:
            # Trashed files count until purged, as in the counters.
            row = connection.execute(
                "SELECT coalesce(sum(size), 0) AS bytes, count(*) AS files, "
                "coalesce(sum(CASE WHEN trashed THEN size END), 0) AS trash FROM ("
                "SELECT size, trashed_at IS NOT NULL AS trashed FROM items WHERE user_id = :user AND kind = 'file' "
                "UNION ALL SELECT file_size, 0 FROM unfiled_files WHERE user_id = :user)",
                {"user": user_id},
            ).fetchone()
            # Earlier versions count too, until the retention removes them.
            kept = connection.execute(
                "SELECT coalesce(sum(size), 0) AS bytes FROM file_versions WHERE user_id = ? AND current = 0",
                (user_id,),
            ).fetchone()["bytes"]
            usage = StorageUsage(row["bytes"] + kept, row["files"], row["trash"])
            quota = connection.execute(
                "INSERT INTO accounts (user_id, bytes_used, file_count, trash_bytes) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET bytes_used = excluded.bytes_used, "
                "file_count = excluded.file_count, trash_bytes = excluded.trash_bytes RETURNING quota_bytes",
                (user_id, usage.bytes_used, usage.file_count, usage.trash_bytes),
            ).fetchone()["quota_bytes"]
            return replace(usage, quota_bytes=quota)

        return await self._store.write(recount_usage)

    async def list_user_ids(self) -> list[str]:
        # Every item and unfiled file references its owner's accounts row (a foreign key).
        def list_user_ids(connection: sqlite3.Connection) -> list[str]:
            return [row["user_id"] for row in connection.execute("SELECT user_id FROM accounts ORDER BY user_id")]

        return await self._store.read(list_user_ids)
