"""The auth database on SQLite: its tables (versioned migrations) and the purge of expired rows.

One table per port, where DynamoDB keeps every kind of record in the sessions table under key
prefixes. Each expiring kind has an indexed `expires_at` column (for attempt and mail counters:
when the store may forget them), which the purge reads as DynamoDB's TTL reads `expiresAt`.
"""

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable

from scloud_common.errors import AppError
from scloud_common.sqlite_schema import Migration
from scloud_common.sqlite_store import SqliteStore

logger = logging.getLogger(__name__)

MIGRATIONS = [
    Migration(
        1,
        """
        CREATE TABLE sessions (
            session_id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            token_hash TEXT NOT NULL,
            previous_token_hash TEXT,
            expires_at INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
            rotated_at INTEGER,
            user_agent TEXT NOT NULL DEFAULT '',
            last_used_at INTEGER
        ) STRICT;
        CREATE INDEX sessions_by_user ON sessions (user_id);
        CREATE INDEX sessions_by_expiry ON sessions (expires_at);

        CREATE TABLE attempts (
            key TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            last_attempt_at INTEGER NOT NULL,
            locked_until INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX attempts_by_expiry ON attempts (expires_at);

        CREATE TABLE send_limits (
            key TEXT PRIMARY KEY,
            events INTEGER NOT NULL,
            last_event_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX send_limits_by_expiry ON send_limits (expires_at);

        CREATE TABLE two_factor (
            user_id TEXT PRIMARY KEY,
            secret TEXT,
            pending_secret TEXT,
            last_used_step INTEGER NOT NULL DEFAULT 0,
            recovery_salt TEXT NOT NULL DEFAULT '',
            enabled_at INTEGER
        ) STRICT;

        CREATE TABLE recovery_codes (
            user_id TEXT NOT NULL REFERENCES two_factor (user_id) ON DELETE CASCADE,
            code_hash TEXT NOT NULL,
            PRIMARY KEY (user_id, code_hash)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE sign_in_challenges (
            token_hash TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            user_agent TEXT NOT NULL,
            expires_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX sign_in_challenges_by_expiry ON sign_in_challenges (expires_at);

        CREATE TABLE one_time_tokens (
            purpose TEXT NOT NULL,
            token_hash TEXT NOT NULL,
            user_id TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            password_stamp TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (purpose, token_hash)
        ) STRICT;
        CREATE INDEX one_time_tokens_by_expiry ON one_time_tokens (expires_at);
        """,
    ),
    Migration(
        2,
        """
        CREATE TABLE personal_access_tokens (
            token_id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            name TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            scopes TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            last_used_at INTEGER,
            revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
        ) STRICT;
        CREATE INDEX personal_access_tokens_by_user ON personal_access_tokens (user_id);
        CREATE INDEX personal_access_tokens_by_expiry ON personal_access_tokens (expires_at);
        """,
    ),
]

EXPIRING_TABLES = (
    "sessions",
    "attempts",
    "send_limits",
    "sign_in_challenges",
    "one_time_tokens",
    "personal_access_tokens",
)
# Rows stay a day past their expiry, as DynamoDB's TTL keeps items for a while: an expired link
# still answers "expired" rather than "unknown", and an ended session still names a known device.
PURGE_GRACE_SECONDS = 24 * 3600
PURGE_INTERVAL_SECONDS = 600.0
PURGE_BATCH = 500


class ExpiredRowPurge:
    """Deletes, every `interval_seconds`, the rows whose expiry passed `grace_seconds` ago. Each
    transaction deletes at most `batch` rows of one table, so the writer is never held for long
    and requests queued behind it run between batches."""

    def __init__(
        self,
        store: SqliteStore,
        *,
        clock: Callable[[], float] = time.time,
        interval_seconds: float = PURGE_INTERVAL_SECONDS,
        grace_seconds: int = PURGE_GRACE_SECONDS,
        batch: int = PURGE_BATCH,
    ) -> None:
        self._store = store
        self._clock = clock
        self._interval = interval_seconds
        self._grace = grace_seconds
        self._batch = batch
        self._task: asyncio.Task[None] | None = None

    async def purge_batch(self, table: str) -> int:
        """Deletes up to `batch` expired rows of `table`; answers how many."""
        if table not in EXPIRING_TABLES:
            raise ValueError(f"{table} has no expiry")
        cutoff = int(self._clock()) - self._grace
        # The table name comes from EXPIRING_TABLES, never from input.
        sql = f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE expires_at < ? LIMIT ?)"

        def delete(connection: sqlite3.Connection) -> int:
            return connection.execute(sql, (cutoff, self._batch)).rowcount

        return await self._store.write(delete)

    async def purge(self) -> int:
        """Deletes every expired row, batch by batch; answers how many."""
        total = 0
        for table in EXPIRING_TABLES:
            while (deleted := await self.purge_batch(table)) > 0:
                total += deleted
                if deleted < self._batch:
                    break
        return total

    def start(self) -> None:
        """Purges now and then every interval, until `close`."""
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                deleted = await self.purge()
                if deleted:
                    logger.info("expired rows purged", extra={"count": deleted})
            except AppError as error:
                # A busy or full disk now may be gone at the next round; the rows can wait.
                logger.warning("expired rows not purged", extra={"code": error.code})
            await asyncio.sleep(self._interval)
