"""The activity log's fake and SQLite adapter hold the same promises
(tests/contracts/activity_ports.py); the DynamoDB adapter is held to them in the integration tier."""

import pytest

from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.in_memory_activity import InMemoryActivityLog
from scloud_files.adapters.sqlite import MIGRATIONS, SqliteActivityLog
from services.files.tests.contracts.activity_ports import ActivityLogContract


class TestInMemoryActivityLog(ActivityLogContract):
    @pytest.fixture
    def activity(self):
        return InMemoryActivityLog()


class TestSqliteActivityLog(ActivityLogContract):
    @pytest.fixture
    async def activity(self, tmp_path):
        store = await SqliteStore.open(tmp_path / "files.db", migrations=MIGRATIONS)
        yield SqliteActivityLog(store)
        await store.close()
