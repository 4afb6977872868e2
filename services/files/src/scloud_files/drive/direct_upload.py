"""Direct uploads: the browser sends a file's bytes to S3 in parts over presigned URLs; the
service authorises each step and records the file once S3 holds it (upload_completion.py).
Every step costs the same whatever the user stores: a few reads of counters and of the user's
bounded set of uploads in progress, and S3 calls for this upload only."""

import logging
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from scloud_common.event_metrics import UploadKind
from scloud_files.domain import (
    FileTooLarge,
    InvalidParts,
    NameTaken,
    ObjectKeys,
    OnConflict,
    PartLayout,
    PendingUpload,
    StoredPart,
    UploadNotFound,
    clean_file_name,
    is_sha256,
    served_content_type,
)
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.quota import StorageQuota
from scloud_files.drive.upload_outcome import UploadOutcomes
from scloud_files.ports import FileRepository, MultipartStore, PendingUploadStore

logger = logging.getLogger(__name__)

MIB = 1024 * 1024


@dataclass(frozen=True)
class DirectUploadLimits:
    """`max_file_bytes`: the largest file; `part_bytes`: the part size when the browser asks for
    none; `upload_ttl`: how long an upload may take before the sweeper aborts it;
    `part_url_ttl_seconds`: how long a signed part URL works; `max_parts_per_request`: parts
    signed at once; `max_pending_per_user`: uploads one user may have in progress."""

    max_file_bytes: int
    part_bytes: int
    upload_ttl: timedelta
    part_url_ttl_seconds: int
    max_parts_per_request: int
    max_pending_per_user: int
    max_batch_files: int = 100
    max_batch_file_bytes: int = 64 * MIB


@dataclass(frozen=True)
class PartRequest:
    number: int
    size: int
    sha256: str


@dataclass(frozen=True)
class SignedPart:
    number: int
    url: str
    headers: dict[str, str]
    expires_at: str


class PendingUploads:
    """The user's live uploads, as every step after creation finds them."""

    def __init__(
        self, pending: PendingUploadStore, multipart: MultipartStore, repository: FileRepository, *, now: Clock
    ) -> None:
        self.store = pending
        self.multipart = multipart
        self._repository = repository
        self._now = now

    async def require(
        self,
        user_id: str,
        upload_id: str,
        *,
        batch: bool = False,
        request_ref: str | None = None,
        share_ref: str | None = None,
    ) -> PendingUpload:
        """The user's upload (a batch with `batch`, a visitor's through the file request
        `request_ref` with it, an editor's through the share `share_ref` with it); UploadNotFound
        for another user's, an unknown or an expired one, or one of another kind or scope."""
        upload = await self.store.get(user_id, upload_id)
        if (
            upload is None
            or self.has_expired(upload)
            or upload.is_batch != batch
            or not in_scope(upload, request_ref, share_ref)
        ):
            raise UploadNotFound()
        return upload

    def has_expired(self, upload: PendingUpload) -> bool:
        return upload.expires_at <= timestamp(self._now())

    async def discard(self, upload: PendingUpload) -> None:
        """Aborts the S3 upload (its parts go), or deletes a batch's objects, and forgets the
        record; idempotent."""
        if upload.is_batch:
            # A completion whose forgetting of the batch failed has recorded files under it.
            ids = [file.file_id for file in upload.batch_files]
            recorded = await self._repository.get_many(upload.user_id, ids)
            listed = await self.multipart.list_sizes(upload.object_key, limit=len(ids) + 1)
            await self.delete_unrecorded(upload, listed, recorded)
        else:
            await self.multipart.abort_multipart(upload.object_key, upload.s3_upload_id)
        await self.store.remove(upload)

    async def delete_unrecorded(self, batch: PendingUpload, keys: Iterable[str], recorded: Container[str]) -> None:
        """Deletes the objects of `keys` (a listing of the batch's prefix) whose file id is not in
        `recorded`: what a batch leaves when it is over."""
        for key in keys:
            if key.removeprefix(batch.object_key) not in recorded:
                await self.multipart.delete(key)


def in_scope(upload: PendingUpload, request_ref: str | None, share_ref: str | None) -> bool:
    """Whether the upload was created through this scope: the owner's own routes (both None),
    one file request or one editor's share; an upload of one scope is unknown to every other."""
    return upload.request_ref == request_ref and upload.share_ref == share_ref


class CreateUpload:
    def __init__(
        self,
        repository: FileRepository,
        uploads: PendingUploads,
        paths: FolderPaths,
        quota: StorageQuota,
        limits: DirectUploadLimits,
        *,
        keys: ObjectKeys,
        new_id: Callable[[], str],
        now: Clock,
    ) -> None:
        self._repository = repository
        self._keys = keys
        self._uploads = uploads
        self._paths = paths
        self._quota = quota
        self.limits = limits
        self._new_id = new_id
        self._now = now

    async def __call__(
        self,
        user_id: str,
        *,
        name: str,
        size: int,
        content_type: str | None,
        parent_id: str | None,
        on_conflict: OnConflict,
        modified_at: datetime | None,
        part_size: int | None,
        request_ref: str | None = None,
        share_ref: str | None = None,
    ) -> PendingUpload:
        """Checks what can be checked before any byte is sent (limit, folder, name, quota), then
        starts the S3 multipart upload under a key built from ids and records it with its
        expiry. FileTooLarge, FolderNotFound, InvalidName, NameTaken (with `fail`),
        QuotaExceeded, TooManyUploads."""
        if size > self.limits.max_file_bytes:
            raise FileTooLarge()
        await self._paths.require_folder(user_id, parent_id)
        clean_name = clean_file_name(name)
        if on_conflict is OnConflict.FAIL:
            holder = (await self._repository.name_holders(user_id, parent_id, [clean_name])).get(clean_name)
            if holder is not None:
                raise NameTaken(holder)
        await self._quota.require_room(user_id, size)
        moment = self._now()
        upload_id = self._new_id()
        key = self._keys.file(user_id, upload_id)
        stored_type = served_content_type(content_type)
        layout = PartLayout.choose(size, part_size, default=self.limits.part_bytes)
        upload = PendingUpload(
            upload_id=upload_id,
            user_id=user_id,
            s3_upload_id=await self._uploads.multipart.create_multipart(key, content_type=stored_type),
            object_key=key,
            name=clean_name,
            size=size,
            part_size=layout.part_size,
            content_type=stored_type,
            parent_id=parent_id,
            on_conflict=on_conflict,
            modified_at=timestamp(min(modified_at, moment)) if modified_at is not None else None,
            created_at=timestamp(moment),
            expires_at=timestamp(moment + self.limits.upload_ttl),
            request_ref=request_ref,
            share_ref=share_ref,
        )
        try:
            await self._uploads.store.add(upload, max_per_user=self.limits.max_pending_per_user)
        except BaseException:
            await self._uploads.multipart.abort_multipart(key, upload.s3_upload_id)
            raise
        logger.info("direct upload created", extra={"user_id": user_id, "upload_id": upload_id, "file_size": size})
        return upload


class SignParts:
    def __init__(self, uploads: PendingUploads, limits: DirectUploadLimits, *, now: Clock) -> None:
        self._uploads = uploads
        self._limits = limits
        self._now = now

    async def __call__(
        self,
        user_id: str,
        upload_id: str,
        parts: Sequence[PartRequest],
        *,
        request_ref: str | None = None,
        share_ref: str | None = None,
    ) -> list[SignedPart]:
        """A presigned PUT per part, bound to the part's size and SHA-256. InvalidParts for a part
        outside the upload, of another size than its place gives it, or whose checksum is not a
        base64 SHA-256 digest; UploadNotFound."""
        if len(parts) > self._limits.max_parts_per_request:
            raise InvalidParts()
        upload = await self._uploads.require(user_id, upload_id, request_ref=request_ref, share_ref=share_ref)
        layout = upload.layout
        for part in parts:
            if layout.size_of(part.number) != part.size or not is_sha256(part.sha256):
                raise InvalidParts()
        ttl = self._limits.part_url_ttl_seconds
        expires_at = timestamp(self._now() + timedelta(seconds=ttl))
        signed = []
        for part in parts:
            url, headers = self._uploads.multipart.presign_part(
                upload.object_key,
                upload.s3_upload_id,
                number=part.number,
                size=part.size,
                sha256=part.sha256,
                ttl_seconds=ttl,
            )
            signed.append(SignedPart(part.number, url, headers, expires_at))
        return signed


class GetUpload:
    def __init__(self, uploads: PendingUploads) -> None:
        self._uploads = uploads

    async def __call__(
        self, user_id: str, upload_id: str, *, request_ref: str | None = None, share_ref: str | None = None
    ) -> tuple[PendingUpload, list[StoredPart]]:
        """The upload and the parts S3 holds of it, to resume. UploadNotFound, also when S3 no
        longer has the upload (the record is forgotten then)."""
        upload = await self._uploads.require(user_id, upload_id, request_ref=request_ref, share_ref=share_ref)
        parts = await self._uploads.multipart.list_parts(upload.object_key, upload.s3_upload_id)
        if parts is None:
            await self._uploads.store.remove(upload)
            raise UploadNotFound()
        return upload, parts


class AbortUpload:
    def __init__(self, uploads: PendingUploads) -> None:
        self._uploads = uploads
        self._outcomes = UploadOutcomes(UploadKind.MULTIPART)

    async def __call__(
        self, user_id: str, upload_id: str, *, request_ref: str | None = None, share_ref: str | None = None
    ) -> None:
        """Aborts the S3 upload and forgets it. UploadNotFound for an unknown one (or one of
        another scope); an expired one is aborted too, and answered as unknown."""
        upload = await self._uploads.store.get(user_id, upload_id)
        if upload is None or not in_scope(upload, request_ref, share_ref):
            raise UploadNotFound()
        expired = self._uploads.has_expired(upload)
        await self._uploads.discard(upload)
        if expired:
            raise UploadNotFound()
        self._outcomes.aborted()
