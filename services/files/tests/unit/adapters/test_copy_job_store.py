"""The copy job store's contract (tests/contracts/copy_job_ports.py) on the in-memory fake and on
SQLite; DynamoDB's adapter runs it in the integration tier."""

import pytest

from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.in_memory_copy_job import InMemoryCopyJobs
from scloud_files.adapters.sqlite import MIGRATIONS, SqliteCopyJobs
from services.files.tests.contracts.copy_job_ports import CopyJobStoreContract


class TestInMemoryCopyJobs(CopyJobStoreContract):
    @pytest.fixture
    def jobs(self):
        return InMemoryCopyJobs()


class TestSqliteCopyJobs(CopyJobStoreContract):
    @pytest.fixture
    async def jobs(self, tmp_path):
        store = await SqliteStore.open(tmp_path / "files.db", migrations=MIGRATIONS)
        yield SqliteCopyJobs(store)
        await store.close()
