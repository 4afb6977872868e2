"""One user's parallel uploads into one folder on the SQLite store: every upload lands, and the
listing and the totals are exact. Each upload is a transaction that also changes the user's
totals row; the store's single writer runs them one after another, so none conflicts."""

import asyncio

import pytest

from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.in_memory import InMemoryBlobStore
from scloud_files.adapters.sqlite import MIGRATIONS, SqliteFileRepository
from scloud_files.domain import ItemKind, SortField, StorageUsage
from scloud_files.drive.use_cases import build_drive

WRITERS = 8
UPLOADS_PER_WRITER = 300


@pytest.fixture
async def store(tmp_path):
    store = await SqliteStore.open(tmp_path / "files.db", migrations=MIGRATIONS)
    yield store
    await store.close()


async def chunks_of(content: bytes):
    yield content


async def test_eight_writers_of_300_uploads_each_into_one_folder_all_land_and_count_exactly(store):
    repository = SqliteFileRepository(store)
    blobs = InMemoryBlobStore()
    drive = build_drive(repository, blobs, max_upload_bytes=10_000, download_url_ttl_seconds=60)
    folder, _ = await drive.create_folder("alice", name="Inbox", parent_id=None)

    async def writer(number: int) -> list[tuple[str, int]]:
        uploaded = []
        for index in range(UPLOADS_PER_WRITER):
            content = b"x" * (number * 7 + index % 13)
            item = await drive.upload_file(
                "alice",
                file_name=f"writer {number} file {index}.txt",
                content_type="text/plain",
                chunks=chunks_of(content),
                parent_id=folder.item_id,
            )
            uploaded.append((item.item_id, len(content)))
        return uploaded

    # Any failed upload raises here and fails the test: none may.
    results = await asyncio.gather(*(writer(number) for number in range(WRITERS)))

    uploaded = dict(pair for result in results for pair in result)
    assert len(uploaded) == WRITERS * UPLOADS_PER_WRITER
    listed, cursor = [], None
    while True:
        page = await drive.list_children(
            "alice",
            folder.item_id,
            sort=SortField.NAME,
            descending=False,
            kinds=list(ItemKind),
            limit=500,
            cursor=cursor,
        )
        listed += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(item.item_id for item in listed) == sorted(uploaded)
    assert {item.item_id: item.size for item in listed} == uploaded
    assert await drive.get_storage_usage("alice") == StorageUsage(sum(uploaded.values()), len(uploaded))
    assert await repository.recount_usage("alice") == StorageUsage(sum(uploaded.values()), len(uploaded))
    assert len(blobs.objects) == len(uploaded)
