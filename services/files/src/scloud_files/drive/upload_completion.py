"""Completing a direct upload: S3 joins the parts, the service checks what S3 reports of the
object (its real size and SHA-256) against the declaration, the limit and the quota, and records
the file through the one create path. Whatever does not match is deleted and refused."""

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Protocol

from scloud_common.errors import AppError
from scloud_common.event_metrics import UploadKind
from scloud_files.domain import (
    CompletedPart,
    FileTooLarge,
    InvalidParts,
    Item,
    ItemKind,
    ObjectHead,
    PendingUpload,
    UploadMismatch,
    UploadNotFound,
    detect_media_type,
    full_object_sha256,
    is_sha256,
)
from scloud_files.domain.activity import ActivityAction
from scloud_files.drive.activity import OWNER
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.direct_upload import DirectUploadLimits, PendingUploads
from scloud_files.drive.file_record import FileRecorder
from scloud_files.drive.quota import StorageQuota
from scloud_files.drive.upload_outcome import UploadOutcomes
from scloud_files.ports import FileRepository

logger = logging.getLogger(__name__)


class CompletionGuard(Protocol):
    """What a completion through a file request or a share also checks and counts
    (request_upload.py, share_upload.py)."""

    async def admit(self, upload: PendingUpload, size: int) -> None:
        """Counts the file against its request, or raises (the bytes are deleted then)."""
        ...

    async def release(self, upload: PendingUpload, size: int) -> None:
        """Takes back what `admit` counted, for a file that was not recorded."""
        ...

    async def received(self, item: Item) -> None:
        """The file is recorded."""
        ...


def upload_activity(upload: PendingUpload) -> tuple[ActivityAction, str | None | object]:
    """What the owner's activity says of a completed upload, and who made it: a visitor through
    a file request (anonymous), an editor through a share (`<itemId>:<userId>`), or the owner."""
    if upload.request_ref is not None:
        return ActivityAction.REQUEST_UPLOAD, None
    if upload.share_ref is not None:
        return ActivityAction.UPLOAD, upload.share_ref.rpartition(":")[2]
    return ActivityAction.UPLOAD, OWNER


class CompleteUpload:
    def __init__(
        self,
        repository: FileRepository,
        uploads: PendingUploads,
        recorder: FileRecorder,
        quota: StorageQuota,
        limits: DirectUploadLimits,
        *,
        now: Clock,
    ) -> None:
        self._repository = repository
        self._uploads = uploads
        self._recorder = recorder
        self._quota = quota
        self._limits = limits
        self._now = now
        self._outcomes = UploadOutcomes(UploadKind.MULTIPART)

    async def __call__(
        self,
        user_id: str,
        upload_id: str,
        parts: Sequence[CompletedPart],
        *,
        request_ref: str | None = None,
        share_ref: str | None = None,
        guard: CompletionGuard | None = None,
    ) -> Item:
        """The recorded file, with the SHA-256 S3 reports for it. InvalidParts (nothing changed,
        the upload can go on) if `parts` is not every part of the upload in order; UploadNotFound;
        and, the object deleted and the upload forgotten: UploadMismatch (S3 refused the parts,
        or the object is not the size declared, or its checksum is not the parts'),
        FileTooLarge, QuotaExceeded, NameTaken (with `fail`), FolderNotFound. A repeated call
        after a completion whose answer was lost answers the file recorded."""
        upload = await self._uploads.require(user_id, upload_id, request_ref=request_ref, share_ref=share_ref)
        recorded = await self._repository.get(user_id, upload_id)
        if recorded is not None:
            # Counted when it was recorded: this is a retry of a completion whose answer was lost.
            await self._uploads.store.remove(upload)
            return recorded
        try:
            return await self._complete(upload, parts, guard)
        except BaseException as error:
            self._outcomes.ended_by(error)
            raise

    async def _complete(
        self, upload: PendingUpload, parts: Sequence[CompletedPart], guard: CompletionGuard | None
    ) -> Item:
        if [part.number for part in parts] != list(range(1, upload.layout.part_count + 1)) or not all(
            is_sha256(part.sha256) for part in parts
        ):
            raise InvalidParts()
        head = await self._join(upload, list(parts))
        try:
            item = await self._record(upload, head, parts, guard)
        except AppError as error:
            # After an outcome nobody heard the record stays, so that the client's retry finds
            # the file recorded or records it.
            if not error.kind.is_failure_of_ours:
                await self._forget(upload)
            raise
        await self._forget(upload)
        self._outcomes.completed(item)
        logger.info(
            "direct upload completed",
            extra={"user_id": upload.user_id, "file_id": upload.upload_id, "file_size": head.size},
        )
        return item

    async def _join(self, upload: PendingUpload, parts: list[CompletedPart]) -> ObjectHead:
        """Completes the S3 upload (or finds it completed by an earlier call) and answers what S3
        reports of the object."""
        multipart = self._uploads.multipart
        try:
            await multipart.complete_multipart(upload.object_key, upload.s3_upload_id, parts)
        except UploadMismatch:
            await self._uploads.discard(upload)
            raise
        except UploadNotFound:
            # Completed by an earlier call that got no answer, or aborted: the object tells.
            pass
        head = await multipart.head(upload.object_key)
        if head is None:
            await self._uploads.store.remove(upload)
            raise UploadNotFound()
        return head

    async def _record(
        self, upload: PendingUpload, head: ObjectHead, parts: Sequence[CompletedPart], guard: CompletionGuard | None
    ) -> Item:
        """Checks the object against the declaration, the limit and the quota, then records it;
        on any refusal the object is deleted."""
        try:
            if head.size != upload.size or head.sha256 not in full_object_sha256([part.sha256 for part in parts]):
                logger.warning(
                    "direct upload does not match its declaration",
                    extra={"upload_id": upload.upload_id, "file_size": head.size, "declared": upload.size},
                )
                raise UploadMismatch()
            if head.size > self._limits.max_file_bytes:
                raise FileTooLarge()
            await self._quota.require_room(upload.user_id, head.size, excluding=upload)
            if guard is not None:
                await guard.admit(upload, head.size)
        except AppError:
            await self._recorder.remove_bytes(upload.object_key)
            raise
        now = timestamp(self._now())
        item = Item(
            item_id=upload.upload_id,
            user_id=upload.user_id,
            kind=ItemKind.FILE,
            name=upload.name,
            parent_id=upload.parent_id,
            created_at=now,
            modified_at=upload.modified_at or now,
            size=head.size,
            content_type=upload.content_type,
            object_key=upload.object_key,
            media_type=detect_media_type(upload.name, b""),
            sha256=head.sha256,
            checksum_part_size=upload.part_size if upload.layout.part_count > 1 else None,
        )
        action, actor_id = upload_activity(upload)
        if guard is None:
            return await self._recorder.record_or_compensate(item, upload.on_conflict, action=action, actor_id=actor_id)
        try:
            recorded = await self._recorder.record_or_compensate(
                item, upload.on_conflict, action=action, actor_id=actor_id
            )
        except BaseException:
            await asyncio.shield(guard.release(upload, head.size))
            raise
        await guard.received(recorded)
        return recorded

    async def _forget(self, upload: PendingUpload) -> None:
        # The file is recorded or refused: a record left behind would only count against the
        # quota until the sweeper found it, so a failure here does not fail the request.
        with contextlib.suppress(AppError):
            await asyncio.shield(self._uploads.store.remove(upload))
