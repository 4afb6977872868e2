"""The SQLite files repository holds the same promises as the fake and the DynamoDB adapter.

Unit tier: SQLite is embedded, so the suite needs no server, only a file in a fresh folder, and
runs with every unit run beside the fake's."""

import pytest

from scloud_common.sqlite_schema import schema_version
from scloud_common.sqlite_store import SqliteFault, SqliteStore
from scloud_files.adapters.sqlite import (
    MIGRATIONS,
    SqliteFileRepository,
    SqliteFileRequests,
    SqlitePendingUploads,
    SqliteShareLinks,
    account_record,
    archive_link,
)
from scloud_files.adapters.sqlite.record import insert_row, item_row
from scloud_files.domain import ArchiveRequest, ItemNotFound, StorageUsage
from services.files.tests.contracts.file_ports import NOW, FileRepositoryContract, a_file, a_folder
from services.files.tests.contracts.request_ports import FileRequestStoreContract
from services.files.tests.contracts.share_ports import ShareLinkStoreContract
from services.files.tests.contracts.upload_ports import PendingUploadStoreContract


@pytest.fixture
async def store(tmp_path):
    store = await SqliteStore.open(tmp_path / "files.db", migrations=MIGRATIONS)
    yield store
    await store.close()


class TestSqlitePendingUploads(PendingUploadStoreContract):
    @pytest.fixture
    def pending(self, store):
        return SqlitePendingUploads(store)


class TestSqliteShareLinks(ShareLinkStoreContract):
    @pytest.fixture
    def links(self, store):
        return SqliteShareLinks(store)


class TestSqliteFileRequests(FileRequestStoreContract):
    @pytest.fixture
    def requests(self, store):
        return SqliteFileRequests(store)


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


# What the SQLite adapter promises beyond the suite: how it keeps the promises on this store.


async def test_the_database_itself_refuses_a_second_live_holder_of_a_folded_name(store):
    repository = SqliteFileRepository(store)
    first = a_file("Résumé.txt")
    await repository.create(first)
    second = item_row(a_file("RESUME.TXT"))

    def insert_behind_the_check(connection):
        insert_row(connection, "items", second)

    with pytest.raises(SqliteFault):
        await store.write(insert_behind_the_check)
    await repository.trash(first, trashed_at=NOW, purge_at=NOW)
    await store.write(insert_behind_the_check)
    assert await repository.name_holders("alice", None, ["résumé.txt"]) == {"résumé.txt": second["item_id"]}


async def test_relocate_refuses_an_item_moved_since_the_caller_read_it(store):
    repository = SqliteFileRepository(store)
    file = a_file("a.txt")
    await repository.create(file)
    renamed = file.moved(name="b.txt", parent_id=None, modified_at=NOW)
    await repository.relocate(file, renamed)
    with pytest.raises(ItemNotFound):
        await repository.relocate(file, file.moved(name="c.txt", parent_id=None, modified_at=NOW))
    assert await repository.get("alice", file.item_id) == renamed


async def test_delete_all_works_in_bounded_transactions_and_counts_every_file(store, monkeypatch):
    monkeypatch.setattr(account_record, "DELETE_BATCH", 7)
    repository = SqliteFileRepository(store)
    folder = a_folder()
    await repository.create(folder)
    for index in range(30):
        await repository.create(a_file(str(index), parent_id=folder.item_id, size=2))
    transactions = []
    write = store.write

    async def counting_write(work, **kwargs):
        transactions.append(work)
        return await write(work, **kwargs)

    monkeypatch.setattr(store, "write", counting_write)
    assert await repository.delete_all("alice") == 30
    # 31 rows in batches of 7, then the unfiled files and the totals.
    assert len(transactions) == 5 + 1
    assert await repository.usage("alice") == StorageUsage(0, 0)
    assert await repository.list_newest("alice", kind=None, limit=10, after_id=None) == ([], None)


async def test_links_never_claimed_are_forgotten_a_bounded_number_per_save(store):
    repository = SqliteFileRepository(store)
    for index in range(archive_link.FORGET_BATCH + 5):
        await repository.save_archive(f"old-{index}", ArchiveRequest("alice", [], "old", "2026-11-20T00:00:00+00:00"))
    # An hour after those expired: each save forgets at most FORGET_BATCH of them.
    later = ArchiveRequest("alice", [], "new", "2026-11-20T01:00:01+00:00")
    await repository.save_archive("new-1", later)
    assert await links(store) == 5 + 1
    await repository.save_archive("new-2", later)
    assert await links(store) == 2
    assert await repository.claim_archive("new-1", "2026-11-20T01:00:00+00:00") == later


async def test_the_schema_is_migrated_once_and_the_data_outlives_the_store(tmp_path):
    path = tmp_path / "files.db"
    store = await SqliteStore.open(path, migrations=MIGRATIONS)
    file = a_file(size=4)
    await SqliteFileRepository(store).create(file)
    await store.close()
    store = await SqliteStore.open(path, migrations=MIGRATIONS)
    try:
        repository = SqliteFileRepository(store)
        assert await repository.get("alice", file.item_id) == file
        assert await repository.usage("alice") == StorageUsage(4, 1)
        assert await store.read(schema_version) == len(MIGRATIONS)
    finally:
        await store.close()


async def links(store) -> int:
    return await store.read(lambda connection: connection.execute("SELECT count(*) FROM archive_links").fetchone()[0])
