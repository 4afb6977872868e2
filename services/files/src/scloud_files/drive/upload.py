"""Uploads through the service: the bytes stream to the blob store, then the item is recorded."""

import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import datetime

from scloud_common.event_metrics import UploadKind
from scloud_files.domain import (
    SNIFF_BYTES,
    FileTooLarge,
    Item,
    ItemKind,
    NameTaken,
    ObjectKeys,
    OnConflict,
    QuotaExceeded,
    clean_file_name,
    detect_media_type,
    served_content_type,
)
from scloud_files.domain.activity import ActivityAction
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.file_record import FileRecorder
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.quota import QuotaUsage, StorageQuota
from scloud_files.drive.upload_outcome import UploadOutcomes
from scloud_files.drive.upload_slots import UploadSlots
from scloud_files.ports import BlobStore, FileRepository

logger = logging.getLogger(__name__)


class SizeLimitedStream:
    """Passes chunks through, counting them, and stops as soon as the total passes the upload
    limit (FileTooLarge) or the room left in the quota (QuotaExceeded), so an oversized upload
    stops there rather than at its end."""

    def __init__(self, chunks: AsyncIterable[bytes], limit: int, *, usage: QuotaUsage | None = None) -> None:
        self._chunks = chunks
        self._limit = limit
        self._usage = usage
        self.size = 0
        # The first bytes, for type detection.
        self.head = bytearray()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        usage = self._usage
        async for chunk in self._chunks:
            self.size += len(chunk)
            if self.size > self._limit:
                raise FileTooLarge()
            if usage is not None and usage.used + self.size > usage.quota:
                raise QuotaExceeded(used=usage.used, quota=usage.quota, size=self.size)
            if len(self.head) < SNIFF_BYTES:
                self.head += chunk[: SNIFF_BYTES - len(self.head)]
            yield chunk


class UploadFile:
    def __init__(
        self,
        repository: FileRepository,
        blob_store: BlobStore,
        paths: FolderPaths,
        recorder: FileRecorder,
        quota: StorageQuota,
        *,
        max_upload_bytes: int,
        slots: UploadSlots,
        keys: ObjectKeys,
        new_id: Callable[[], str],
        now: Clock,
    ) -> None:
        self._repository = repository
        self._keys = keys
        self._blob_store = blob_store
        self._paths = paths
        self._recorder = recorder
        self._quota = quota
        self.max_upload_bytes = max_upload_bytes
        # The route holds one of these while the body arrives (see UploadSlots.hold).
        self.slots = slots
        self._new_id = new_id
        self._now = now
        self._outcomes = UploadOutcomes(UploadKind.SINGLE)

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
        never later than now, else the upload time. The quota is checked before any byte is
        stored (a full one refuses at once) and as they arrive (QuotaExceeded past the room
        left)."""
        try:
            item = await self._store(
                user_id,
                file_name=file_name,
                content_type=content_type,
                chunks=chunks,
                parent_id=parent_id,
                on_conflict=on_conflict,
                modified_at=modified_at,
            )
        except BaseException as error:
            self._outcomes.ended_by(error)
            raise
        self._outcomes.completed(item)
        return item

    async def _store(
        self,
        user_id: str,
        *,
        file_name: str,
        content_type: str | None,
        chunks: AsyncIterable[bytes],
        parent_id: str | None,
        on_conflict: OnConflict,
        modified_at: datetime | None,
    ) -> Item:
        await self._paths.require_folder(user_id, parent_id)
        name = clean_file_name(file_name)
        if on_conflict is OnConflict.FAIL:
            holder = (await self._repository.name_holders(user_id, parent_id, [name])).get(name)
            if holder is not None:
                raise NameTaken(holder)
        usage = await self._quota.require_room(user_id, 0)
        file_id = self._new_id()
        key = self._keys.file(user_id, file_id)
        cleaned_type = served_content_type(content_type)
        stream = SizeLimitedStream(chunks, self.max_upload_bytes, usage=usage)
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
        item = await self._recorder.record_or_compensate(item, on_conflict, action=ActivityAction.UPLOAD)
        logger.info("file uploaded", extra={"user_id": user_id, "file_id": file_id, "file_size": stream.size})
        return item
