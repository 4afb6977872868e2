"""Uploads through the service: the bytes stream to the blob store, then the item is recorded."""

import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import datetime

from scloud_common.errors import AppError
from scloud_files.domain import (
    SNIFF_BYTES,
    FileTooLarge,
    Item,
    ItemKind,
    NameTaken,
    OnConflict,
    clean_file_name,
    detect_media_type,
    object_key,
    served_content_type,
)
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.name_clash import NameClash
from scloud_files.drive.upload_slots import UploadSlots
from scloud_files.ports import BlobStore, FileRepository

logger = logging.getLogger(__name__)


class SizeLimitedStream:
    """Passes chunks through, counting them, and raises FileTooLarge as soon as the total passes
    the limit, so an oversized upload stops at the limit rather than at its end."""

    def __init__(self, chunks: AsyncIterable[bytes], limit: int) -> None:
        self._chunks = chunks
        self._limit = limit
        self.size = 0
        # The first bytes, for type detection.
        self.head = bytearray()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            self.size += len(chunk)
            if self.size > self._limit:
                raise FileTooLarge()
            if len(self.head) < SNIFF_BYTES:
                self.head += chunk[: SNIFF_BYTES - len(self.head)]
            yield chunk


class UploadFile:
    def __init__(
        self,
        repository: FileRepository,
        blob_store: BlobStore,
        paths: FolderPaths,
        names: NameClash,
        *,
        max_upload_bytes: int,
        slots: UploadSlots,
        new_id: Callable[[], str],
        now: Clock,
    ) -> None:
        self._repository = repository
        self._blob_store = blob_store
        self._paths = paths
        self._names = names
        self.max_upload_bytes = max_upload_bytes
        # The route holds one of these while the body arrives (see UploadSlots.hold).
        self.slots = slots
        self._new_id = new_id
        self._now = now

    async def __call__(
        self,
        user_id: str,
        *,
        file_name: str,
        content_type: str | None,
        chunks: AsyncIterable[bytes],
        parent_id: str | None = None,
        on_conflict: OnConflict = OnConflict.FAIL,
        modified_at: datetime | None = None,
    ) -> Item:
        """Streams the bytes to the blob store, then records the metadata. Either both are stored
        or neither: a refused metadata write removes the bytes again, and so does an account
        closed while the bytes were arriving (AccountClosed); a write whose outcome is unknown
        never leaves a listed file without bytes (see _record_or_compensate). The bytes are
        stored with the type they will be served with, which only keeps the declared type if it
        is safe inline. A name taken in the folder is refused before any byte is stored, unless
        `on_conflict` says to replace (the old file goes to the trash) or keep both
        (`name (1).ext`). The item's `media_type` is detected from the name and the first bytes;
        its `modified_at` is `modified_at` (the file's own time, from the browser) if given, but
        never later than now, else the upload time."""
        await self._paths.require_folder(user_id, parent_id)
        name = clean_file_name(file_name)
        if on_conflict is OnConflict.FAIL:
            holder = (await self._repository.name_holders(user_id, parent_id, [name])).get(name)
            if holder is not None:
                raise NameTaken(holder)
        file_id = self._new_id()
        key = object_key(user_id, file_id)
        cleaned_type = served_content_type(content_type)
        stream = SizeLimitedStream(chunks, self.max_upload_bytes)
        await self._blob_store.put(key, stream, content_type=cleaned_type)
        moment = self._now()
        now = timestamp(moment)
        item = Item(
            item_id=file_id,
            user_id=user_id,
            kind=ItemKind.FILE,
            name=name,
            parent_id=parent_id,
            created_at=now,
            modified_at=timestamp(min(modified_at, moment)) if modified_at is not None else now,
            size=stream.size,
            content_type=cleaned_type,
            object_key=key,
            media_type=detect_media_type(name, bytes(stream.head)),
        )
        item = await self._record_or_compensate(item, on_conflict)
        logger.info("file uploaded", extra={"user_id": user_id, "file_id": file_id, "file_size": stream.size})
        return item

    async def _record_or_compensate(self, item: Item, on_conflict: OnConflict) -> Item:
        """Records the stored bytes' item. The bytes are removed again only when the store
        definitely refused the item. After an outcome it cannot tell (a timeout, a 5xx: the
        write may have landed), the item is read back: there, the upload succeeded; absent, the
        bytes go; unreadable, they stay, and the reconcile pass removes them if no row ever
        names them. A cancelled upload (the client left) keeps them for the same pass."""
        try:
            return await self._record(item, on_conflict)
        except AppError as error:
            if error.kind.is_failure_of_ours:
                try:
                    landed = await self._repository.get(item.user_id, item.item_id)
                except AppError:
                    logger.warning(
                        "upload outcome unknown; bytes kept for the reconcile pass",
                        extra={"user_id": item.user_id, "file_id": item.item_id},
                    )
                    raise error from None
                if landed is not None:
                    logger.info("upload landed despite an error", extra={"file_id": item.item_id, "error": error.code})
                    return landed
            await self._remove_bytes(item.object_key or "")
            raise

    async def _record(self, item: Item, on_conflict: OnConflict) -> Item:
        async def write(attempted: str) -> Item:
            named = item.moved(name=attempted, parent_id=item.parent_id, modified_at=item.modified_at)
            await self._repository.create(named)
            return named

        return await self._names.place(
            write,
            user_id=item.user_id,
            parent_id=item.parent_id,
            name=item.name,
            kind=ItemKind.FILE,
            on_conflict=on_conflict,
            item_id=item.item_id,
        )

    async def _remove_bytes(self, key: str) -> None:
        try:
            await self._blob_store.delete(key)
        except Exception:
            logger.exception("could not remove the bytes of an unrecorded upload", extra={"object_key": key})
