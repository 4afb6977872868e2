"""What the files use cases need from the outside world."""

from collections.abc import AsyncIterable
from typing import Protocol

from scloud_files.domain import StorageUsage, StoredFile


class FileRepository(Protocol):
    """File metadata, keyed by (user id, file id), and each user's totals, which change in the
    same atomic write as the file records they count."""

    async def add(self, file: StoredFile) -> None:
        """Records the file and adds it to the user's totals; AccountClosed, and nothing written,
        if the user's account has been closed."""
        ...

    async def get(self, user_id: str, file_id: str) -> StoredFile | None: ...

    async def list_newest_first(
        self, user_id: str, *, limit: int, after_file_id: str | None
    ) -> tuple[list[StoredFile], bool]:
        """Up to `limit` files with ids below `after_file_id` (all if None), newest first, and
        whether more follow."""
        ...

    async def delete(self, file: StoredFile) -> None:
        """Removes the record and takes it off the user's totals. Idempotent: a record already
        gone changes nothing."""
        ...

    async def close_account(self, user_id: str) -> None:
        """From now on `add` refuses this user. Idempotent; the mark is never removed."""
        ...

    async def delete_all(self, user_id: str) -> int:
        """Removes every file of the user and zeroes the totals; returns how many files there
        were. Idempotent."""
        ...

    async def usage(self, user_id: str) -> StorageUsage:
        """The user's totals, read in constant time whatever the number of files."""
        ...

    async def recount_usage(self, user_id: str) -> StorageUsage:
        """Recomputes the user's totals from the file records, stores and returns them."""
        ...

    async def list_user_ids(self) -> list[str]:
        """Every user with files or totals; reads the whole table, for repairs only."""
        ...


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
