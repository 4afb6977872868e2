"""What every FileRepository and BlobStore must do, written once. Each tier subclasses a suite
and provides the implementation: the in-memory fakes in the unit tier, the real adapters on a
local S3/DynamoDB endpoint in the integration tier. A fake that passes may be trusted."""

from collections.abc import Awaitable, Callable

import pytest

from scloud_files.domain import AccountClosed, FileIdGenerator, FileTooLarge, StorageUsage, StoredFile, object_key
from scloud_files.ports import BlobStore, FileRepository

new_file_id = FileIdGenerator()


def stored(user_id: str = "alice", size: int = 10, name: str = "résumé.txt") -> StoredFile:
    file_id = new_file_id()
    return StoredFile(
        file_id, user_id, name, size, "text/plain", "2026-11-25T09:30:00+00:00", object_key(user_id, file_id)
    )


async def chunks_of(content: bytes, size: int = 256 * 1024, fail_after: int | None = None):
    for start in range(0, len(content), size):
        if fail_after is not None and start >= fail_after:
            raise FileTooLarge()
        yield content[start : start + size]


class FileRepositoryContract:
    @pytest.fixture
    def repository(self) -> FileRepository:
        raise NotImplementedError

    async def test_add_get_and_delete_idempotently(self, repository):
        file = stored(name='<script>alert(1)</script> "q";\\.html')
        await repository.add(file)
        assert await repository.get("alice", file.file_id) == file
        assert await repository.get("bob", file.file_id) is None
        await repository.delete(file)
        await repository.delete(file)
        assert await repository.get("alice", file.file_id) is None

    async def test_list_newest_first_in_pages(self, repository):
        files = [stored() for _ in range(5)]
        for file in files:
            await repository.add(file)
        await repository.add(stored("bob"))
        await repository.close_account("carol")
        first, more = await repository.list_newest_first("alice", limit=2, after_file_id=None)
        assert first == files[:2:-1] and more
        rest, more = await repository.list_newest_first("alice", limit=3, after_file_id=first[-1].file_id)
        assert rest == files[2::-1] and not more
        assert await repository.list_newest_first("alice", limit=5, after_file_id=None) == (files[::-1], False)
        assert await repository.list_newest_first("carol", limit=5, after_file_id=None) == ([], False)

    async def test_usage_follows_every_add_and_delete(self, repository):
        assert await repository.usage("alice") == StorageUsage(0, 0)
        files = [stored(size=size) for size in (3, 40, 500)]
        for file in files:
            await repository.add(file)
        await repository.add(stored("bob", size=7))
        assert await repository.usage("alice") == StorageUsage(543, 3)
        await repository.delete(files[1])
        await repository.delete(files[1])
        assert await repository.usage("alice") == StorageUsage(503, 2)
        assert await repository.usage("bob") == StorageUsage(7, 1)

    async def test_a_closed_account_records_nothing_more(self, repository):
        kept = stored(size=5)
        await repository.add(kept)
        await repository.close_account("alice")
        await repository.close_account("alice")
        late = stored(size=9)
        with pytest.raises(AccountClosed):
            await repository.add(late)
        assert await repository.get("alice", late.file_id) is None
        assert await repository.usage("alice") == StorageUsage(5, 1)
        await repository.add(stored("bob"))

    async def test_delete_all_removes_every_file_zeroes_usage_and_keeps_the_account_closed(self, repository):
        for index in range(60):
            await repository.add(stored(size=index))
        await repository.add(stored("bob", size=7))
        await repository.close_account("alice")
        assert await repository.delete_all("alice") == 60
        assert await repository.delete_all("alice") == 0
        assert await repository.list_newest_first("alice", limit=100, after_file_id=None) == ([], False)
        assert await repository.usage("alice") == StorageUsage(0, 0)
        assert await repository.usage("bob") == StorageUsage(7, 1)
        with pytest.raises(AccountClosed):
            await repository.add(stored())

    async def test_recount_agrees_with_the_counters_and_finds_every_user(self, repository):
        for size in (1, 2, 3):
            await repository.add(stored(size=size))
        await repository.add(stored("bob", size=7))
        assert await repository.recount_usage("alice") == StorageUsage(6, 3)
        assert await repository.usage("alice") == StorageUsage(6, 3)
        assert await repository.recount_usage("nobody") == StorageUsage(0, 0)
        assert {"alice", "bob"} <= set(await repository.list_user_ids())


class BlobStoreContract:
    """`read_object(key)` gives back (bytes, content type), or None if no object has that key."""

    @pytest.fixture
    def blob_store(self) -> BlobStore:
        raise NotImplementedError

    @pytest.fixture
    def read_object(self) -> Callable[[str], Awaitable[tuple[bytes, str] | None]]:
        raise NotImplementedError

    async def test_put_stores_the_bytes_with_their_type(self, blob_store, read_object):
        await blob_store.put("users/alice/a", chunks_of(b"hello " * 1000, size=7), content_type="image/png")
        assert await read_object("users/alice/a") == (b"hello " * 1000, "image/png")
        await blob_store.put("users/alice/empty", chunks_of(b""), content_type="text/plain")
        assert await read_object("users/alice/empty") == (b"", "text/plain")

    async def test_a_failing_stream_leaves_nothing_and_propagates(self, blob_store, read_object):
        with pytest.raises(FileTooLarge):
            await blob_store.put(
                "users/alice/a", chunks_of(b"x" * 100_000, size=1000, fail_after=50_000), content_type="text/plain"
            )
        assert await read_object("users/alice/a") is None

    async def test_delete_is_idempotent(self, blob_store, read_object):
        await blob_store.put("users/alice/a", chunks_of(b"x"), content_type="text/plain")
        await blob_store.delete("users/alice/a")
        await blob_store.delete("users/alice/a")
        assert await read_object("users/alice/a") is None

    async def test_delete_prefix_removes_only_that_prefix(self, blob_store, read_object):
        for key in ("users/alice/1", "users/alice/2", "users/alicex/1", "users/bob/1"):
            await blob_store.put(key, chunks_of(b"x"), content_type="text/plain")
        assert await blob_store.delete_prefix("users/alice/") == 2
        assert await blob_store.delete_prefix("users/alice/") == 0
        assert await read_object("users/alice/1") is None and await read_object("users/alice/2") is None
        assert await read_object("users/alicex/1") == (b"x", "text/plain")
        assert await read_object("users/bob/1") == (b"x", "text/plain")

    async def test_presigned_link_is_a_url_for_the_key(self, blob_store):
        url = blob_store.presign_download(
            "users/alice/a", content_disposition="attachment", content_type="text/plain", ttl_seconds=60
        )
        assert isinstance(url, str) and "users/alice/a" in url
