"""Files use cases: upload, list, read, download links, delete, and per-user totals."""

import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from scloud_files.domain import (
    FileIdGenerator,
    FileNotFound,
    FilePage,
    FileTooLarge,
    StorageUsage,
    StoredFile,
    clean_file_name,
    content_disposition,
    decode_cursor,
    encode_cursor,
    is_file_id,
    is_inline_safe,
    object_key,
    served_content_type,
    user_prefix,
)
from scloud_files.ports import BlobStore, FileRepository

logger = logging.getLogger(__name__)


class _SizeLimitedStream:
    """Passes chunks through, counting them, and raises FileTooLarge as soon as the total passes
    the limit, so an oversized upload stops at the limit rather than at its end."""

    def __init__(self, chunks: AsyncIterable[bytes], limit: int) -> None:
        self._chunks = chunks
        self._limit = limit
        self.size = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            self.size += len(chunk)
            if self.size > self._limit:
                raise FileTooLarge()
            yield chunk


class FileService:
    def __init__(
        self,
        *,
        repository: FileRepository,
        blob_store: BlobStore,
        max_upload_bytes: int,
        download_url_ttl_seconds: int,
        new_file_id: Callable[[], str] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._repository = repository
        self._blob_store = blob_store
        self.max_upload_bytes = max_upload_bytes
        self._download_url_ttl_seconds = download_url_ttl_seconds
        self._new_file_id = new_file_id or FileIdGenerator()
        self._now = now

    async def upload_file(
        self, user_id: str, *, file_name: str, content_type: str | None, chunks: AsyncIterable[bytes]
    ) -> StoredFile:
        """Streams the bytes to the blob store, then records the metadata. Either both are stored
        or neither: a failed metadata write removes the bytes again, and so does an account
        closed while the bytes were arriving (AccountClosed). The bytes are stored with the type
        they will be served with, which only keeps the declared type if it is safe inline."""
        file_id = self._new_file_id()
        key = object_key(user_id, file_id)
        cleaned_type = served_content_type(content_type)
        stream = _SizeLimitedStream(chunks, self.max_upload_bytes)
        await self._blob_store.put(key, stream, content_type=cleaned_type)
        stored = StoredFile(
            file_id=file_id,
            user_id=user_id,
            file_name=clean_file_name(file_name),
            file_size=stream.size,
            content_type=cleaned_type,
            upload_date=self._now().isoformat(timespec="seconds"),
            object_key=key,
        )
        try:
            await self._repository.add(stored)
        except BaseException:
            try:
                await self._blob_store.delete(key)
            except Exception:
                logger.exception("could not remove the bytes of an unrecorded upload", extra={"object_key": key})
            raise
        logger.info("file uploaded", extra={"user_id": user_id, "file_id": file_id, "file_size": stream.size})
        return stored

    async def list_files(self, user_id: str, *, limit: int, cursor: str | None) -> FilePage:
        after = decode_cursor(cursor) if cursor else None
        files, more = await self._repository.list_newest_first(user_id, limit=limit, after_file_id=after)
        return FilePage(files, encode_cursor(files[-1].file_id) if more and files else None)

    async def get_file(self, user_id: str, file_id: str) -> StoredFile:
        """Another user's file is as absent as a missing one: the lookup key includes the owner."""
        stored = await self._repository.get(user_id, file_id) if is_file_id(file_id) else None
        if stored is None:
            raise FileNotFound()
        return stored

    async def create_download_link(self, user_id: str, file_id: str, *, inline: bool = False) -> tuple[str, datetime]:
        """`inline` is a wish: only a type safe to show inline is ever served inline."""
        stored = await self.get_file(user_id, file_id)
        expires_at = self._now() + timedelta(seconds=self._download_url_ttl_seconds)
        url = self._blob_store.presign_download(
            stored.object_key,
            content_disposition=content_disposition(
                stored.file_name, inline=inline and is_inline_safe(stored.content_type)
            ),
            content_type=stored.content_type,
            ttl_seconds=self._download_url_ttl_seconds,
        )
        return url, expires_at

    async def delete_file(self, user_id: str, file_id: str) -> None:
        """Bytes first, then metadata: a retry after a failure in between finds the metadata and
        finishes the job, and no metadata ever points at nothing for long."""
        stored = await self.get_file(user_id, file_id)
        await self._blob_store.delete(stored.object_key)
        await self._repository.delete(stored)
        logger.info("file deleted", extra={"user_id": user_id, "file_id": file_id})

    async def delete_user_files(self, user_id: str) -> int:
        """Every byte and every record of a user, orphaned bytes included. Idempotent. The account
        is closed first, so an upload still in flight cannot record a file afterwards: it fails
        and removes its own bytes."""
        await self._repository.close_account(user_id)
        objects = await self._blob_store.delete_prefix(user_prefix(user_id))
        files = await self._repository.delete_all(user_id)
        logger.info("user files deleted", extra={"user_id": user_id, "objects": objects, "files": files})
        return files

    async def get_storage_usage(self, user_id: str) -> StorageUsage:
        return await self._repository.usage(user_id)
