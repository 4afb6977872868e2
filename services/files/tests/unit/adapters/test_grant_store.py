"""The grants' fake and SQLite adapter hold the same promises (tests/contracts/grant_ports.py);
the DynamoDB adapter is held to them in the integration tier."""

import pytest

from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.in_memory_grants import InMemoryGrants
from scloud_files.adapters.sqlite import MIGRATIONS, SqliteGrants
from services.files.tests.contracts.grant_ports import GrantStoreContract


class TestInMemoryGrants(GrantStoreContract):
    @pytest.fixture
    def grants(self):
        return InMemoryGrants()


class TestSqliteGrants(GrantStoreContract):
    @pytest.fixture
    async def grants(self, tmp_path):
        store = await SqliteStore.open(tmp_path / "files.db", migrations=MIGRATIONS)
        yield SqliteGrants(store)
        await store.close()
