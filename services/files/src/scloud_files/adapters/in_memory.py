"""In-memory implementations of the files service's ports, for unit tests."""

from collections.abc import AsyncIterable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from scloud_common.errors import ServiceUnavailable
from scloud_files.domain import AccountClosed, StorageUsage, StoredFile

if TYPE_CHECKING:
    from scloud_files.ports import BlobStore, FileRepository


class InMemoryFileRepository:
    def __init__(self) -> None:
        self.files: dict[tuple[str, str], StoredFile] = {}
        self.totals: dict[str, StorageUsage] = {}
        self.closed: set[str] = set()
        self.fail_writes = False

    def _add_to_totals(self, user_id: str, size: int, count: int) -> None:
        total = self.totals.get(user_id, StorageUsage(0, 0))
        self.totals[user_id] = StorageUsage(total.bytes_used + size, total.file_count + count)

    async def add(self, file: StoredFile) -> None:
        if self.fail_writes:
            raise ServiceUnavailable()
        if file.user_id in self.closed:
            raise AccountClosed()
        self.files[(file.user_id, file.file_id)] = file
        self._add_to_totals(file.user_id, file.file_size, 1)

    async def get(self, user_id: str, file_id: str) -> StoredFile | None:
        return self.files.get((user_id, file_id))

    async def list_newest_first(
        self, user_id: str, *, limit: int, after_file_id: str | None
    ) -> tuple[list[StoredFile], bool]:
        newest_first = sorted(
            (file for (owner, _), file in self.files.items() if owner == user_id),
            key=lambda file: file.file_id,
            reverse=True,
        )
        if after_file_id is not None:
            newest_first = [file for file in newest_first if file.file_id < after_file_id]
        return newest_first[:limit], len(newest_first) > limit

    async def delete(self, file: StoredFile) -> None:
        if self.fail_writes:
            raise ServiceUnavailable()
        if self.files.pop((file.user_id, file.file_id), None) is not None:
            self._add_to_totals(file.user_id, -file.file_size, -1)

    async def close_account(self, user_id: str) -> None:
        self.closed.add(user_id)

    async def delete_all(self, user_id: str) -> int:
        keys = [key for key in self.files if key[0] == user_id]
        for key in keys:
            del self.files[key]
        if user_id in self.totals:
            self.totals[user_id] = StorageUsage(0, 0)
        return len(keys)

    async def usage(self, user_id: str) -> StorageUsage:
        return self.totals.get(user_id, StorageUsage(0, 0))

    async def recount_usage(self, user_id: str) -> StorageUsage:
        sizes = [file.file_size for (owner, _), file in self.files.items() if owner == user_id]
        self.totals[user_id] = StorageUsage(sum(sizes), len(sizes))
        return self.totals[user_id]

    async def list_user_ids(self) -> list[str]:
        return sorted({owner for owner, _ in self.files} | set(self.totals) | self.closed)


class InMemoryBlobStore:
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.fail_puts = False
        self.fail_deletes = False

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> None:
        received = bytearray()
        async for chunk in chunks:
            received += chunk
            if self.fail_puts:
                raise ServiceUnavailable()
        if self.fail_puts:
            raise ServiceUnavailable()
        self.objects[key] = (bytes(received), content_type)

    async def delete(self, key: str) -> None:
        if self.fail_deletes:
            raise ServiceUnavailable()
        self.objects.pop(key, None)

    async def delete_prefix(self, prefix: str) -> int:
        keys = [key for key in self.objects if key.startswith(prefix)]
        for key in keys:
            await self.delete(key)
        return len(keys)

    def presign_download(self, key: str, *, content_disposition: str, content_type: str, ttl_seconds: int) -> str:
        query = urlencode({"disposition": content_disposition, "type": content_type, "ttl": ttl_seconds})
        return f"memory://blobs/{key}?{query}"


# Protocols are structural, so nothing holds a fake to its port until a test happens to call what
# drifted. These assignments make mypy (`make lint`) do it; the adapters are held to the same ports
# where bootstrap assigns them to its Protocol-typed parameters.
if TYPE_CHECKING:
    _file_repository: FileRepository = InMemoryFileRepository()
    _blob_store: BlobStore = InMemoryBlobStore()
