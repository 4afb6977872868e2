"""Uploads whose metadata write has an outcome the store could not report: the bytes stay with
the row whenever the row landed."""

import asyncio
from datetime import UTC, datetime

import pytest

from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.domain import FolderNotFound, ItemKind, NameTaken, OnConflict, SortField, StorageUsage
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import chunks_of

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


class CommitsThenTimesOut(InMemoryFileRepository):
    """Records the item, then answers as a store slower than the client's timeout does: with a
    503. `then` picks what the retry of the write meets instead: its own name guard."""

    def __init__(self, *, then: type[Exception] = ServiceUnavailable, reads_fail: bool = False) -> None:
        super().__init__()
        self.then = then
        self.reads_fail = reads_fail

    async def create(self, item):
        await super().create(item)
        if self.then is NameTaken:
            raise NameTaken(item.item_id)
        raise self.then()

    async def get(self, user_id, item_id):
        if self.reads_fail:
            raise ServiceUnavailable()
        return await super().get(user_id, item_id)


def drive_over(repository, blobs):
    return build_drive(repository, blobs, max_upload_bytes=1000, download_url_ttl_seconds=300, now=lambda: NOW)


async def upload(drive, name="report.pdf", on_conflict=OnConflict.FAIL):
    return await drive.upload_file(
        "alice", file_name=name, content_type=None, chunks=chunks_of(b"hello"), on_conflict=on_conflict
    )


@pytest.mark.parametrize("then", [ServiceUnavailable, NameTaken], ids=["timeout", "retry_meets_its_own_guard"])
@pytest.mark.parametrize("on_conflict", [OnConflict.FAIL, OnConflict.RENAME])
async def test_an_upload_that_landed_unseen_succeeds_with_its_bytes(then, on_conflict):
    repository, blobs = CommitsThenTimesOut(then=then), InMemoryBlobStore()
    drive = drive_over(repository, blobs)
    stored = await upload(drive, on_conflict=on_conflict)
    assert stored.name == "report.pdf"
    assert blobs.objects[stored.object_key][0] == b"hello"
    listed = await drive.list_children(
        "alice", None, sort=SortField.NAME, descending=False, kinds=[ItemKind.FILE], limit=10, cursor=None
    )
    assert [item.item_id for item in listed.items] == [stored.item_id]
    assert await drive.get_storage_usage("alice") == StorageUsage(5, 1)


async def test_an_upload_whose_outcome_cannot_be_read_keeps_its_bytes_and_answers_503():
    repository, blobs = CommitsThenTimesOut(reads_fail=True), InMemoryBlobStore()
    drive = drive_over(repository, blobs)
    with pytest.raises(ServiceUnavailable):
        await upload(drive)
    [(key, item)] = [(item.object_key, item) for item in repository.items.values()]
    assert blobs.objects[key][0] == b"hello"


async def test_a_failed_write_read_back_as_absent_leaves_no_bytes():
    repository, blobs = InMemoryFileRepository(), InMemoryBlobStore()
    drive = drive_over(repository, blobs)
    first = await upload(drive)
    repository.fail_writes = True
    with pytest.raises(ServiceUnavailable):
        await upload(drive, name="other.pdf")
    assert list(blobs.objects) == [first.object_key]


class Interleaving(InMemoryFileRepository):
    """Lets other tasks run inside every read and write, as a store over the network does."""

    async def name_holders(self, user_id, parent_id, names):
        await asyncio.sleep(0)
        return await super().name_holders(user_id, parent_id, names)

    async def create(self, item):
        await asyncio.sleep(0)
        await super().create(item)


async def test_eight_clients_upload_300_files_each_into_one_folder_without_an_error():
    repository, blobs = Interleaving(), InMemoryBlobStore()
    drive = drive_over(repository, blobs)
    folder, _ = await drive.create_folder("alice", name="inbox", parent_id=None)

    async def client(number: int) -> None:
        for index in range(300):
            await drive.upload_file(
                "alice",
                file_name=f"{number}-{index}.txt",
                content_type=None,
                chunks=chunks_of(b"x" * 3),
                parent_id=folder.item_id,
            )

    await asyncio.gather(*(client(number) for number in range(8)))
    names, cursor = [], None
    while True:
        page = await drive.list_children(
            "alice",
            folder.item_id,
            sort=SortField.NAME,
            descending=False,
            kinds=[ItemKind.FILE],
            limit=200,
            cursor=cursor,
        )
        names += [item.name for item in page.items]
        if (cursor := page.next_cursor) is None:
            break
    assert sorted(names) == sorted(f"{n}-{i}.txt" for n in range(8) for i in range(300))
    assert await drive.get_storage_usage("alice") == StorageUsage(3 * 2400, 2400)
    assert len(blobs.objects) == 2400


async def test_eight_parallel_keep_both_uploads_of_one_name_number_from_the_original():
    repository, blobs = Interleaving(), InMemoryBlobStore()
    drive = drive_over(repository, blobs)
    await asyncio.gather(*(upload(drive, on_conflict=OnConflict.RENAME) for _ in range(8)))
    names = sorted(item.name for item in repository.items.values())
    assert names == ["report (1).pdf", *(f"report ({n}).pdf" for n in range(2, 8)), "report.pdf"]


async def test_an_upload_into_a_folder_deleted_forever_meanwhile_is_refused_and_leaves_nothing():
    repository, blobs = InMemoryFileRepository(), InMemoryBlobStore()
    drive = drive_over(repository, blobs)
    top, _ = await drive.create_folder("alice", name="top", parent_id=None)
    inner, _ = await drive.create_folder("alice", name="inner", parent_id=top.item_id)

    async def chunks_while_the_folder_is_deleted_forever():
        yield b"first"
        await drive.trash_item("alice", top.item_id, kind=ItemKind.FOLDER)
        await drive.delete_forever("alice", [top.item_id])
        await drive.purge_due()
        yield b"last"

    with pytest.raises(FolderNotFound):
        await drive.upload_file(
            "alice",
            file_name="late.txt",
            content_type=None,
            chunks=chunks_while_the_folder_is_deleted_forever(),
            parent_id=inner.item_id,
        )
    assert repository.items == {} and blobs.objects == {}
    assert await drive.get_storage_usage("alice") == StorageUsage(0, 0)


async def test_a_folder_creation_whose_retry_meets_its_own_guard_succeeds():
    repository = CommitsThenTimesOut(then=NameTaken)
    drive = drive_over(repository, InMemoryBlobStore())
    folder, created = await drive.create_folder("alice", name="Projects", parent_id=None)
    assert created and await repository.get("alice", folder.item_id) == folder
