"""What the files use cases need from the outside world."""

from collections.abc import AsyncIterable
from typing import Protocol

from scloud_files.domain import StorageUsage, StoredFile


class FileRepository(Protocol):
    """File metadata, keyed by (user id, file id)."""

    async def add(self, file: StoredFile) -> None: ...

    async def get(self, user_id: str, file_id: str) -> StoredFile | None: ...

    async def list_newest_first(
        self, user_id: str, *, limit: int, after_file_id: str | None
    ) -> tuple[list[StoredFile], bool]:
        """Up to `limit` files with ids below `after_file_id` (all if None), newest first, and
        whether more follow."""
        ...

    async def delete(self, user_id: str, file_id: str) -> None:
        """Idempotent."""
        ...

    async def delete_all(self, user_id: str) -> int:
        """Removes every file of the user; returns how many there were. Idempotent."""
        ...

    async def usage(self, user_id: str) -> StorageUsage: ...


class BlobStore(Protocol):
    """File bytes, under keys the service builds."""

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> None:
        """Stores the bytes as they arrive. If `chunks` or the store fails, nothing is left behind
        and the error propagates."""
        ...

    async def delete(self, key: str) -> None:
        """Idempotent."""
        ...

    async def delete_prefix(self, prefix: str) -> int:
        """Deletes every object whose key starts with `prefix`; returns how many. Idempotent."""
        ...

    def presign_download(self, key: str, *, content_disposition: str, content_type: str, ttl_seconds: int) -> str:
        """A URL the browser can GET the bytes from, with these response headers, for `ttl_seconds`."""
        ...
