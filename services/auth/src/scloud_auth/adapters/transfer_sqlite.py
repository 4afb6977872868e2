"""Every user's two-factor settings in the auth database, read a page at a time and written
back, for moving an installation between stores (`python -m scloud_admin`)."""

import sqlite3
from collections.abc import AsyncIterator, Sequence

from scloud_auth.adapters.sqlite import SqliteTwoFactorRepository
from scloud_auth.adapters.sqlite_tables import MIGRATIONS
from scloud_auth.transfer_record import two_factor_record, write_two_factor
from scloud_common.sqlite_store import SqliteStore
from scloud_common.transfer import TransferRecord, WriteOutcome


class SqliteAuthTransfer:
    service = "auth"

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._repository = SqliteTwoFactorRepository(store)

    @classmethod
    async def open(cls, path: str) -> "SqliteAuthTransfer":
        return cls(await SqliteStore.open(path, migrations=MIGRATIONS))

    async def pages(self, size: int) -> AsyncIterator[list[TransferRecord]]:
        after = ""
        while True:

            def page(connection: sqlite3.Connection, after: str = after) -> list[str]:
                rows = connection.execute(
                    "SELECT user_id FROM two_factor WHERE user_id > ? ORDER BY user_id LIMIT ?", (after, size)
                )
                return [row["user_id"] for row in rows]

            user_ids = await self._store.read(page)
            records = []
            for user_id in user_ids:
                two_factor = await self._repository.get(user_id)
                if two_factor is not None:
                    records.append(two_factor_record(two_factor))
            if records:
                yield records
            if len(user_ids) < size:
                return
            after = user_ids[-1]

    async def write(self, records: Sequence[TransferRecord]) -> WriteOutcome:
        return await write_two_factor(self._repository, records)

    async def close(self) -> None:
        await self._store.close()
