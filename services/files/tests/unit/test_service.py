from datetime import UTC, datetime

import pytest

from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.domain import (
    AccountClosed,
    FileNotFound,
    FileTooLarge,
    InvalidCursor,
    ItemKind,
    ObjectKeys,
    StorageUsage,
    encode_page_cursor,
)
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import chunks_of

KEYS = ObjectKeys.for_development()

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
    return build_drive(
        repository=repository, blob_store=blobs, max_upload_bytes=LIMIT, download_url_ttl_seconds=300, now=lambda: NOW
    )


async def upload(service, user_id="alice", name="notes.txt", content=b"hello", content_type="text/plain"):
    return await service.upload_file(user_id, file_name=name, content_type=content_type, chunks=chunks_of(content))


async def test_upload_stores_bytes_under_server_ids_and_records_metadata(service, repository, blobs):
    stored = await service.upload_file(
        "alice", file_name="notes.txt", content_type="text/plain", chunks=chunks_of(b"hel", b"lo")
    )
    assert (stored.name, stored.size, stored.content_type) == ("notes.txt", 5, "text/plain")
    assert stored.created_at == "2026-11-25T09:30:00+00:00"
    assert stored.object_key == KEYS.file("alice", stored.item_id)
    assert blobs.objects == {stored.object_key: (b"hello", "text/plain")}
    assert await service.get_file("alice", stored.item_id) == stored


async def test_upload_at_the_limit_is_accepted(service):
    stored = await upload(service, content=b"x" * LIMIT)
    assert stored.size == LIMIT


async def test_upload_over_the_limit_stores_nothing(service, repository, blobs):
    with pytest.raises(FileTooLarge):
        await service.upload_file(
            "alice", file_name="big.bin", content_type=None, chunks=chunks_of(b"x" * 600, b"x" * 401)
        )
    assert repository.items == {} and blobs.objects == {}


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("<script>alert(1)</script>.html", "<script>alert(1)</script>.html"),
        ('q"uote;.txt', 'q"uote;.txt'),
        ("../../etc/passwd", "../../etc/passwd"),
        ("", "untitled"),
        (" \u200b ", "untitled"),
        ("  a\x00b\x1fc\u202e\r\nd.txt  ", "abcd.txt"),
        ("zero\u200bwidth\u200d\ufeff\u00ad.txt", "zerowidth.txt"),
        ("line\u2028break.txt", "linebreak.txt"),
        ("re\u0301sume\u0301.txt", "résumé.txt"),
        ("résumé 日本.txt", "résumé 日本.txt"),
    ],
)
async def test_file_names_are_kept_as_typed_without_invisible_characters(service, blobs, raw, cleaned):
    stored = await upload(service, name=raw)
    assert stored.name == cleaned
    assert list(blobs.objects) == [KEYS.file("alice", stored.item_id)]


async def test_long_names_are_cut_to_255_characters_keeping_the_extension(service):
    stored = await upload(service, name="a" * 300 + ".pdf")
    assert len(stored.name) == 255 and stored.name.endswith("a.pdf")
    stored = await upload(service, name="日" * 300)
    assert stored.name == "日" * 255


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("image/PNG", "image/png"),
        ("image/jpeg", "image/jpeg"),
        ("application/pdf", "application/pdf"),
        ("text/plain; charset=utf-8", "text/plain"),
        ("audio/mpeg", "audio/mpeg"),
        ("video/mp4", "video/mp4"),
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("application/xhtml+xml", "application/octet-stream"),
        ("text/xml", "application/octet-stream"),
        ("application/xml", "application/octet-stream"),
        ("text/javascript", "application/octet-stream"),
        ("application/javascript", "application/octet-stream"),
        ("application/x-unknown", "application/octet-stream"),
        (None, "application/octet-stream"),
        ("", "application/octet-stream"),
        ("not a type", "application/octet-stream"),
        ("text/html\r\nX-Evil: 1", "application/octet-stream"),
    ],
)
async def test_bytes_are_stored_with_the_served_type_safe_inline_or_octet_stream(service, blobs, raw, cleaned):
    stored = await upload(service, content_type=raw)
    assert stored.content_type == cleaned
    assert blobs.objects[stored.object_key][1] == cleaned


async def test_an_upload_finishing_after_the_account_closed_leaves_nothing(service, repository, blobs):
    async def chunks_while_the_account_is_deleted():
        yield b"first"
        await service.delete_user_files("alice")
        yield b"last"

    with pytest.raises(AccountClosed):
        await service.upload_file(
            "alice", file_name="a.txt", content_type=None, chunks=chunks_while_the_account_is_deleted()
        )
    assert blobs.objects == {} and repository.items == {}
    assert await service.get_storage_usage("alice") == StorageUsage(0, 0)


async def test_failed_metadata_write_removes_the_bytes(service, repository, blobs):
    repository.fail_writes = True
    with pytest.raises(ServiceUnavailable):
        await upload(service)
    assert blobs.objects == {}


async def test_failed_blob_write_records_no_metadata(service, repository, blobs):
    blobs.fail_puts = True
    with pytest.raises(ServiceUnavailable):
        await upload(service)
    assert repository.items == {}


async def test_list_pages_newest_first_with_an_opaque_cursor(service):
    ids = [(await upload(service, name=f"{index}.txt")).item_id for index in range(5)]
    pages, cursor = [], None
    for _ in range(5):
        page = await service.list_files("alice", limit=2, cursor=cursor)
        pages.append([file.item_id for file in page.items])
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[:1]]


async def test_last_full_page_has_no_cursor(service):
    for index in range(4):
        await upload(service, name=f"{index}.txt")
    first = await service.list_files("alice", limit=2, cursor=None)
    second = await service.list_files("alice", limit=2, cursor=first.next_cursor)
    assert len(second.items) == 2 and second.next_cursor is None


@pytest.mark.parametrize("cursor", ["garbage!", "Zm9v", encode_page_cursor(["newest", "file"], "not-a-ulid"), "%%%"])
async def test_malformed_cursor_is_refused(service, cursor):
    with pytest.raises(InvalidCursor):
        await service.list_files("alice", limit=10, cursor=cursor)


async def test_users_see_only_their_own_files(service, blobs):
    stored = await upload(service, user_id="alice")
    for action in (service.get_file, service.create_download_link):
        with pytest.raises(FileNotFound):
            await action("bob", stored.item_id)
    with pytest.raises(FileNotFound):
        await service.trash_item("bob", stored.item_id, kind=ItemKind.FILE)
    assert (await service.list_files("bob", limit=10, cursor=None)).items == []
    assert await service.get_file("alice", stored.item_id) == stored
    assert stored.object_key in blobs.objects


@pytest.mark.parametrize("file_id", ["missing", "01JAAAAAAAAAAAAAAAAAAAAAAA", "x" * 5000])
async def test_unknown_file_ids_are_not_found(service, file_id):
    with pytest.raises(FileNotFound):
        await service.get_file("alice", file_id)


async def test_download_link_names_the_file_and_its_type(service):
    stored = await upload(service, name="résumé 日本.txt", content_type="text/plain")
    url, expires_at = await service.create_download_link("alice", stored.item_id)
    assert expires_at == datetime(2026, 11, 25, 9, 35, tzinfo=UTC)
    assert "filename%2A%3DUTF-8%27%27r%25C3%25A9sum%25C3%25A9%2520%25E6%2597%25A5%25E6%259C%25AC.txt" in url
    assert "type=text%2Fplain" in url
    assert "disposition=attachment" in url


@pytest.mark.parametrize(
    "content_type, disposition",
    [
        ("image/png", "inline"),
        ("application/pdf", "inline"),
        ("text/html", "attachment"),
        ("image/svg+xml", "attachment"),
    ],
)
async def test_inline_links_only_for_types_safe_inline(service, content_type, disposition):
    stored = await upload(service, name="a", content_type=content_type)
    url, _ = await service.create_download_link("alice", stored.item_id, inline=True)
    assert f"disposition={disposition}%3B" in url


async def test_delete_moves_to_the_trash_and_a_purge_removes_bytes_and_metadata(service, repository, blobs):
    stored = await upload(service)
    await service.trash_item("alice", stored.item_id, kind=ItemKind.FILE)
    assert blobs.objects and (await service.list_files("alice", limit=10, cursor=None)).items == []
    with pytest.raises(FileNotFound):
        await service.trash_item("alice", stored.item_id, kind=ItemKind.FILE)
    await service.delete_forever("alice", [stored.item_id])
    assert await service.purge_due() == 1
    assert repository.items == {} and blobs.objects == {}


async def test_a_purge_retried_after_a_failure_completes(service, repository, blobs):
    stored = await upload(service)
    await service.trash_item("alice", stored.item_id, kind=ItemKind.FILE)
    await service.delete_forever("alice", [stored.item_id])
    repository.fail_writes = True
    with pytest.raises(ServiceUnavailable):
        await service.purge_due()
    repository.fail_writes = False
    assert await service.purge_due() == 1
    assert repository.items == {} and blobs.objects == {}


async def test_delete_user_files_removes_everything_and_orphans_and_is_idempotent(service, repository, blobs):
    for index in range(3):
        await upload(service, name=f"{index}.txt")
    kept = await upload(service, user_id="bob")
    blobs.objects[KEYS.file("alice", "01JAAAAAAAAAAAAAAAAAAAAAAA")] = (b"left over", "text/plain")
    # Stored before owner segments were sealed: under the user id in clear.
    blobs.objects["users/alice/01JAAAAAAAAAAAAAAAAAAAAAAB"] = (b"older", "text/plain")
    assert await service.delete_user_files("alice") == 3
    assert await service.delete_user_files("alice") == 0
    assert list(blobs.objects) == [kept.object_key]
    assert list(repository.items) == [("bob", kept.item_id)]
    with pytest.raises(AccountClosed):
        await upload(service)
    assert blobs.objects == {kept.object_key: (b"hello", "text/plain")}


async def test_storage_usage_counts_uploads_and_deletes(service):
    await upload(service, name="a", content=b"x" * 10)
    deleted = await upload(service, name="b", content=b"x" * 32)
    await upload(service, name="c", content=b"x" * 5)
    await upload(service, user_id="bob", content=b"x" * 7)
    await service.trash_item("alice", deleted.item_id, kind=None)
    assert await service.get_storage_usage("alice") == StorageUsage(47, 3, trash_bytes=32)
    await service.delete_forever("alice", [deleted.item_id])
    await service.purge_due()
    assert await service.get_storage_usage("alice") == StorageUsage(15, 2)
    assert await service.get_storage_usage("carol") == StorageUsage(0, 0)
