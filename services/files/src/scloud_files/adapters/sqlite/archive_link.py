"""One-time ZIP links: saved with their expiry, claimed once (the claim deletes the row), and
removed a while after they expire if never claimed, as DynamoDB's TTL does for its adapter."""

import json
import sqlite3
from datetime import datetime, timedelta

from scloud_files.adapters.sqlite.access import Database
from scloud_files.domain import ArchiveRequest

# A link never claimed is removed this long after it expired (DynamoDB's adapter sets its TTL
# the same), by a later save: each removes at most FORGET_BATCH, so the work per save is bounded.
FORGET_AFTER = timedelta(hours=1)
FORGET_BATCH = 100


class ArchiveLinks(Database):
    async def save_archive(self, token_hash: str, request: ArchiveRequest) -> None:
        expires = datetime.fromisoformat(request.expires_at)
        row = {
            "token_hash": token_hash,
            "user_id": request.user_id,
            "item_ids": json.dumps(request.item_ids),
            "name": request.name,
            "expires_at": request.expires_at,
            "forget_after": int((expires + FORGET_AFTER).timestamp()),
        }

        def save_archive(connection: sqlite3.Connection) -> None:
            # Forgotten by the clock of the links themselves: a link made now expires soon, so
            # one whose time to be forgotten is before this one's expiry is long expired.
            connection.execute(
                "DELETE FROM archive_links WHERE token_hash IN (SELECT token_hash FROM archive_links "
                "WHERE forget_after < ? ORDER BY forget_after LIMIT ?)",
                (int(expires.timestamp()), FORGET_BATCH),
            )
            connection.execute(
                "INSERT INTO archive_links (token_hash, user_id, item_ids, name, expires_at, forget_after) "
                "VALUES (:token_hash, :user_id, :item_ids, :name, :expires_at, :forget_after) "
                "ON CONFLICT (token_hash) DO UPDATE SET user_id = excluded.user_id, item_ids = excluded.item_ids, "
                "name = excluded.name, expires_at = excluded.expires_at, forget_after = excluded.forget_after",
                row,
            )

        await self._store.write(save_archive)

    async def claim_archive(self, token_hash: str, now: str) -> ArchiveRequest | None:
        def claim_archive(connection: sqlite3.Connection) -> ArchiveRequest | None:
            # Claimed or expired, the row is of no more use: it goes either way.
            row = connection.execute(
                "DELETE FROM archive_links WHERE token_hash = ? RETURNING user_id, item_ids, name, expires_at",
                (token_hash,),
            ).fetchone()
            if row is None or not row["expires_at"] > now:
                return None
            return ArchiveRequest(row["user_id"], json.loads(row["item_ids"]), row["name"], row["expires_at"])

        return await self._store.write(claim_archive)
