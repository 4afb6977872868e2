from datetime import UTC, datetime

import pytest

from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.domain import FileNotFound, FileTooLarge, InvalidCursor, StorageUsage, encode_cursor
from scloud_files.service import FileService

LIMIT = 1000
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


@pytest.fixture
def repository():
    return InMemoryFileRepository()


@pytest.fixture
def blobs():
    return InMemoryBlobStore()


@pytest.fixture
def service(repository, blobs):
    return FileService(
        repository=repository, blob_store=blobs, max_upload_bytes=LIMIT, download_url_ttl_seconds=300, now=lambda: NOW
    )


async def chunks_of(*parts: bytes):
    for part in parts:
        yield part


async def upload(service, user_id="alice", name="notes.txt", content=b"hello", content_type="text/plain"):
    return await service.upload_file(user_id, file_name=name, content_type=content_type, chunks=chunks_of(content))


async def test_upload_stores_bytes_under_server_ids_and_records_metadata(service, repository, blobs):
    stored = await service.upload_file(
        "alice", file_name="notes.txt", content_type="text/plain", chunks=chunks_of(b"hel", b"lo")
    )
    assert (stored.file_name, stored.file_size, stored.content_type) == ("notes.txt", 5, "text/plain")
    assert stored.upload_date == "2026-11-25T09:30:00+00:00"
    assert stored.object_key == f"users/alice/{stored.file_id}"
    assert blobs.objects == {stored.object_key: (b"hello", "text/plain")}
    assert await service.get_file("alice", stored.file_id) == stored


async def test_upload_at_the_limit_is_accepted(service):
    stored = await upload(service, content=b"x" * LIMIT)
    assert stored.file_size == LIMIT


async def test_upload_over_the_limit_stores_nothing(service, repository, blobs):
    with pytest.raises(FileTooLarge):
        await service.upload_file(
            "alice", file_name="big.bin", content_type=None, chunks=chunks_of(b"x" * 600, b"x" * 401)
        )
    assert repository.files == {} and blobs.objects == {}


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("C:\\fakepath\\photo.jpg", "photo.jpg"),
        ("../../etc/passwd", "passwd"),
        ("dir/sub/", "untitled"),
        ("", "untitled"),
        ("..", "untitled"),
        ("  a\x00b\x1fc\u202e.txt  ", "abc.txt"),
        ("résumé 日本.txt", "résumé 日本.txt"),
    ],
)
async def test_file_names_are_sanitised(service, blobs, raw, cleaned):
    stored = await upload(service, name=raw)
    assert stored.file_name == cleaned
    assert list(blobs.objects) == [f"users/alice/{stored.file_id}"]


async def test_long_names_are_cut_to_255_characters_keeping_the_extension(service):
    stored = await upload(service, name="a" * 300 + ".pdf")
    assert len(stored.file_name) == 255 and stored.file_name.endswith("a.pdf")


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("image/PNG", "image/png"),
        ("text/plain; charset=utf-8", "text/plain"),
        (None, "application/octet-stream"),
        ("", "application/octet-stream"),
        ("not a type", "application/octet-stream"),
        ("text/html\r\nX-Evil: 1", "application/octet-stream"),
    ],
)
async def test_content_type_is_validated(service, raw, cleaned):
    assert (await upload(service, content_type=raw)).content_type == cleaned


async def test_failed_metadata_write_removes_the_bytes(service, repository, blobs):
    repository.fail_writes = True
    with pytest.raises(ServiceUnavailable):
        await upload(service)
    assert blobs.objects == {}


async def test_failed_blob_write_records_no_metadata(service, repository, blobs):
    blobs.fail_puts = True
    with pytest.raises(ServiceUnavailable):
        await upload(service)
    assert repository.files == {}


async def test_list_pages_newest_first_with_an_opaque_cursor(service):
    ids = [(await upload(service, name=f"{index}.txt")).file_id for index in range(5)]
    pages, cursor = [], None
    for _ in range(5):
        page = await service.list_files("alice", limit=2, cursor=cursor)
        pages.append([file.file_id for file in page.files])
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[:1]]


async def test_last_full_page_has_no_cursor(service):
    for index in range(4):
        await upload(service, name=f"{index}.txt")
    first = await service.list_files("alice", limit=2, cursor=None)
    second = await service.list_files("alice", limit=2, cursor=first.next_cursor)
    assert len(second.files) == 2 and second.next_cursor is None


@pytest.mark.parametrize("cursor", ["garbage!", "Zm9v", encode_cursor("not-a-ulid"), "%%%"])
async def test_malformed_cursor_is_refused(service, cursor):
    with pytest.raises(InvalidCursor):
        await service.list_files("alice", limit=10, cursor=cursor)


async def test_users_see_only_their_own_files(service, blobs):
    stored = await upload(service, user_id="alice")
    for action in (service.get_file, service.create_download_link, service.delete_file):
        with pytest.raises(FileNotFound):
            await action("bob", stored.file_id)
    assert (await service.list_files("bob", limit=10, cursor=None)).files == []
    assert await service.get_file("alice", stored.file_id) == stored
    assert stored.object_key in blobs.objects


@pytest.mark.parametrize("file_id", ["missing", "01JAAAAAAAAAAAAAAAAAAAAAAA", "x" * 5000])
async def test_unknown_file_ids_are_not_found(service, file_id):
    with pytest.raises(FileNotFound):
        await service.get_file("alice", file_id)


async def test_download_link_names_the_file_and_its_type(service):
    stored = await upload(service, name="résumé 日本.txt", content_type="text/plain")
    url, expires_at = await service.create_download_link("alice", stored.file_id)
    assert expires_at == datetime(2026, 11, 25, 9, 35, tzinfo=UTC)
    assert "filename%2A%3DUTF-8%27%27r%25C3%25A9sum%25C3%25A9%2520%25E6%2597%25A5%25E6%259C%25AC.txt" in url
    assert "type=text%2Fplain" in url


async def test_delete_removes_bytes_and_metadata(service, repository, blobs):
    stored = await upload(service)
    await service.delete_file("alice", stored.file_id)
    assert repository.files == {} and blobs.objects == {}
    with pytest.raises(FileNotFound):
        await service.delete_file("alice", stored.file_id)


async def test_delete_retried_after_a_failure_completes(service, repository, blobs):
    stored = await upload(service)
    repository.fail_writes = True
    with pytest.raises(ServiceUnavailable):
        await service.delete_file("alice", stored.file_id)
    repository.fail_writes = False
    await service.delete_file("alice", stored.file_id)
    assert repository.files == {} and blobs.objects == {}


async def test_delete_user_files_removes_everything_and_orphans_and_is_idempotent(service, repository, blobs):
    for index in range(3):
        await upload(service, name=f"{index}.txt")
    kept = await upload(service, user_id="bob")
    blobs.objects["users/alice/orphan"] = (b"left over", "text/plain")
    assert await service.delete_user_files("alice") == 3
    assert await service.delete_user_files("alice") == 0
    assert list(blobs.objects) == [kept.object_key]
    assert list(repository.files) == [("bob", kept.file_id)]


async def test_storage_usage_sums_a_users_files(service):
    await upload(service, content=b"x" * 10)
    await upload(service, content=b"x" * 32)
    await upload(service, user_id="bob", content=b"x" * 7)
    assert await service.get_storage_usage("alice") == StorageUsage(42, 2)
    assert await service.get_storage_usage("carol") == StorageUsage(0, 0)
