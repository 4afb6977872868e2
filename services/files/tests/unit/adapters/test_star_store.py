"""The stars' fake and SQLite adapter hold the same promises (tests/contracts/star_ports.py); the
DynamoDB adapter is held to them in the integration tier."""

import pytest

from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.in_memory_star import InMemoryStars
from scloud_files.adapters.sqlite import MIGRATIONS, SqliteStars
from services.files.tests.contracts.star_ports import StarStoreContract


class TestInMemoryStars(StarStoreContract):
    @pytest.fixture
    def stars(self):
        return InMemoryStars()


class TestSqliteStars(StarStoreContract):
    @pytest.fixture
    async def stars(self, tmp_path):
        store = await SqliteStore.open(tmp_path / "files.db", migrations=MIGRATIONS)
        yield SqliteStars(store)
        await store.close()
