"""In-memory implementations of the files service's ports, for unit tests."""

from collections.abc import AsyncIterable
from urllib.parse import urlencode

from scloud_common.errors import ServiceUnavailable
from scloud_files.domain import StorageUsage, StoredFile


class InMemoryFileRepository:
    def __init__(self) -> None:
        self.files: dict[tuple[str, str], StoredFile] = {}
        self.fail_writes = False

    async def add(self, file: StoredFile) -> None:
        if self.fail_writes:
            raise ServiceUnavailable()
        self.files[(file.user_id, file.file_id)] = file

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

    async def delete(self, user_id: str, file_id: str) -> None:
        if self.fail_writes:
            raise ServiceUnavailable()
        self.files.pop((user_id, file_id), None)

    async def delete_all(self, user_id: str) -> int:
        keys = [key for key in self.files if key[0] == user_id]
        for key in keys:
            del self.files[key]
        return len(keys)

    async def usage(self, user_id: str) -> StorageUsage:
        sizes = [file.file_size for (owner, _), file in self.files.items() if owner == user_id]
        return StorageUsage(sum(sizes), len(sizes))


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
