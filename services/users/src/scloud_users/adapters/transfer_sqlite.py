"""Every account of the users database, read a page at a time and written back, for moving an
installation between stores (`python -m scloud_admin`)."""

import sqlite3
from collections.abc import AsyncIterator, Sequence

from scloud_common.sqlite_store import SqliteStore
from scloud_common.transfer import TransferRecord, WriteOutcome
from scloud_users.adapters.sqlite import MIGRATIONS, SqliteUserRepository, _account_from_row
from scloud_users.domain import EmailTaken
from scloud_users.transfer_record import account_of, account_record

_UPSERT = (
    "INSERT INTO users "
    "(user_id, email, username, gender, date_of_birth, created_at, email_verified, locked, password_hash) "
    "VALUES (:user_id, :email, :username, :gender, :date_of_birth, :created_at, :email_verified, :locked, "
    ":password_hash) "
    "ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, username = excluded.username, "
    "gender = excluded.gender, date_of_birth = excluded.date_of_birth, created_at = excluded.created_at, "
    "email_verified = excluded.email_verified, locked = excluded.locked, password_hash = excluded.password_hash"
)


class SqliteUserTransfer:
    service = "users"

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._repository = SqliteUserRepository(store)

    @classmethod
    async def open(cls, path: str) -> "SqliteUserTransfer":
        return cls(await SqliteStore.open(path, migrations=MIGRATIONS))

    async def pages(self, size: int) -> AsyncIterator[list[TransferRecord]]:
        after = ""
        while True:

            def page(connection: sqlite3.Connection, after: str = after) -> list[TransferRecord]:
                rows = connection.execute(
                    "SELECT * FROM users WHERE user_id > ? ORDER BY user_id LIMIT ?", (after, size)
                ).fetchall()
                return [account_record(_account_from_row(row)) for row in rows]

            records = await self._store.read(page)
            if records:
                yield records
            if len(records) < size:
                return
            after = records[-1].key

    async def write(self, records: Sequence[TransferRecord]) -> WriteOutcome:
        outcome = WriteOutcome()
        for record in records:
            existing = await self._repository.get(record.key)
            if existing is not None and account_record(existing) == record:
                outcome += WriteOutcome(unchanged=1)
                continue
            account = account_of(record)
            row = {
                **vars(account.user),
                "email_verified": int(account.user.email_verified),
                "locked": int(account.user.locked),
            }
            row["password_hash"] = account.password_hash

            def upsert(connection: sqlite3.Connection, row: dict[str, object] = row) -> None:
                connection.execute(_UPSERT, row)

            await self._store.write(upsert, constraint_errors={"UNIQUE constraint failed: users.email": EmailTaken})
            outcome += WriteOutcome(written=1)
        return outcome

    async def close(self) -> None:
        await self._store.close()
