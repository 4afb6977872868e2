"""The SQLite files repository holds the same promises as the fake and the DynamoDB adapter.

Unit tier: SQLite is embedded, so the suite needs no server, only a file in a fresh folder, and
runs with every unit run beside the fake's."""

import pytest

from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.sqlite import MIGRATIONS, SqliteFileRepository
from services.files.tests.contracts.file_ports import FileRepositoryContract


@pytest.fixture
async def store(tmp_path):
    store = await SqliteStore.open(tmp_path / "files.db", migrations=MIGRATIONS)
    yield store
    await store.close()


class TestSqliteFileRepository(FileRepositoryContract):
    @pytest.fixture
    def repository(self, store):
        return SqliteFileRepository(store)

    @pytest.fixture
    def add_unfiled(self, store):
        """A file as an installation from before folders holds it (an import brings these)."""

        async def add(file):
            def insert(connection):
                connection.execute(
                    "INSERT INTO accounts (user_id, bytes_used, file_count) VALUES (?, ?, 1) ON CONFLICT (user_id) "
                    "DO UPDATE SET bytes_used = bytes_used + excluded.bytes_used, file_count = file_count + 1",
                    (file.user_id, file.file_size),
                )
                connection.execute(
                    "INSERT INTO unfiled_files (user_id, file_id, file_name, file_size, content_type, upload_date, "
                    "object_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        file.user_id,
                        file.file_id,
                        file.file_name,
                        file.file_size,
                        file.content_type,
                        file.upload_date,
                        file.object_key,
                    ),
                )

            await store.write(insert)

        return add
