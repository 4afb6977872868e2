"""Batches of small files: the browser declares up to `max_batch_files` files at once, PUTs each
one straight to S3 over a presigned PutObject URL bound to its size, content type and SHA-256,
then completes the batch, which one listing of the batch's prefix checks and the service
records. The service's work per file is a signature and a row: the checks, the reservation and
the listing are per batch. A batch is a pending upload (its declared sizes reserve quota, it
counts once against the per-user bound, the sweeper deletes what an expired one left)."""

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from scloud_common.errors import AppError
from scloud_files.domain import (
    BatchFile,
    FileTooLarge,
    InvalidBatch,
    Item,
    ItemKind,
    NameTaken,
    ObjectKeys,
    OnConflict,
    PendingUpload,
    clean_file_name,
    detect_media_type,
    fold_name,
    is_sha256,
    served_content_type,
)
from scloud_files.domain.activity import ActivityAction
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.direct_upload import DirectUploadLimits, PendingUploads
from scloud_files.drive.file_record import FileRecorder
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.quota import StorageQuota
from scloud_files.ports import FileRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchFileRequest:
    name: str
    size: int
    content_type: str | None
    sha256: str
    modified_at: datetime | None


@dataclass(frozen=True)
class SignedFile:
    file: BatchFile
    url: str
    headers: dict[str, str]


@dataclass(frozen=True)
class TakenName:
    """A file of the request not declared, its name taken (with `fail`): the user chooses."""

    name: str
    existing_id: str


@dataclass(frozen=True)
class CreatedBatch:
    """`answers` follows the request's order; `batch` is None when every name was taken."""

    batch: PendingUpload | None
    answers: list[SignedFile | TakenName]

    @property
    def files(self) -> list[SignedFile]:
        return [answer for answer in self.answers if isinstance(answer, SignedFile)]


class BatchFileState(StrEnum):
    RECORDED = "recorded"
    MISSING = "missing"
    REFUSED = "refused"


@dataclass(frozen=True)
class BatchFileOutcome:
    """What became of one file of a completed batch: its item if recorded, the error's code if
    refused, neither if S3 did not have it."""

    file_id: str
    state: BatchFileState
    item: Item | None = None
    error: str | None = None


class CreateBatch:
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
        files: Sequence[BatchFileRequest],
        *,
        parent_id: str | None,
        on_conflict: OnConflict,
    ) -> CreatedBatch:
        """Checks the whole batch before any byte is sent, records it, and signs a PUT per file
        under a key built from ids. InvalidBatch (more than `max_batch_files`, a name twice, a
        checksum that is not a SHA-256), FileTooLarge (a file over `max_batch_file_bytes`),
        FolderNotFound, InvalidName, QuotaExceeded (for the total of the files declared),
        TooManyUploads. With `fail`, a file whose name is taken is answered as such and left out,
        so the user is asked about it alone."""
        if not files or len(files) > self.limits.max_batch_files or not all(is_sha256(f.sha256) for f in files):
            raise InvalidBatch()
        if any(f.size > self.limits.max_batch_file_bytes for f in files):
            raise FileTooLarge()
        names = [clean_file_name(f.name) for f in files]
        if len({fold_name(name) for name in names}) != len(names):
            raise InvalidBatch()
        await self._paths.require_folder(user_id, parent_id)
        holders: dict[str, str] = {}
        if on_conflict is OnConflict.FAIL:
            taken = await self._repository.name_holders(user_id, parent_id, names)
            holders = {fold_name(name): holder for name, holder in taken.items()}
        wanted = [(name, f) for name, f in zip(names, files, strict=True) if fold_name(name) not in holders]
        if not wanted:
            return CreatedBatch(None, [TakenName(name, holders[fold_name(name)]) for name in names])
        await self._quota.require_room(user_id, sum(f.size for _, f in wanted))
        moment = self._now()
        batch_id = self._new_id()
        declared = tuple(
            BatchFile(
                file_id=self._new_id(),
                name=name,
                size=f.size,
                content_type=served_content_type(f.content_type),
                sha256=f.sha256,
                modified_at=timestamp(min(f.modified_at, moment)) if f.modified_at is not None else None,
            )
            for name, f in wanted
        )
        total = sum(f.size for f in declared)
        url_ttl = self.limits.part_url_ttl_seconds
        batch = PendingUpload(
            upload_id=batch_id,
            user_id=user_id,
            s3_upload_id="",
            object_key=self._keys.batch(user_id, batch_id),
            name="",
            size=total,
            part_size=1,
            content_type="",
            parent_id=parent_id,
            on_conflict=on_conflict,
            modified_at=None,
            created_at=timestamp(moment),
            # The URLs' lifetime, and as long again to complete.
            expires_at=timestamp(moment + timedelta(seconds=2 * url_ttl)),
            batch_files=declared,
        )
        await self._uploads.store.add(batch, max_per_user=self.limits.max_pending_per_user)
        by_name = {file.name: file for file in declared}
        answers: list[SignedFile | TakenName] = []
        for name in names:
            file = by_name.get(name)
            if file is None:
                answers.append(TakenName(name, holders[fold_name(name)]))
                continue
            url, headers = self._uploads.multipart.presign_put(
                batch.object_key + file.file_id,
                size=file.size,
                content_type=file.content_type,
                sha256=file.sha256,
                ttl_seconds=url_ttl,
            )
            answers.append(SignedFile(file, url, headers))
        logger.info("batch created", extra={"user_id": user_id, "upload_id": batch_id, "files": len(declared)})
        return CreatedBatch(batch, answers)


class CompleteBatch:
    def __init__(
        self,
        repository: FileRepository,
        uploads: PendingUploads,
        recorder: FileRecorder,
        quota: StorageQuota,
        *,
        now: Clock,
    ) -> None:
        self._repository = repository
        self._uploads = uploads
        self._recorder = recorder
        self._quota = quota
        self._now = now

    async def __call__(self, user_id: str, batch_id: str, sent: Sequence[str]) -> list[BatchFileOutcome]:
        """Records the files of `sent` that S3 holds at their declared size, and answers each
        file of the batch: recorded, missing (not sent or not in S3) or refused (another size,
        a name taken with `fail`; its object deleted). An object S3 holds at its declared size
        can only have come through its signed URL, so its bytes are the declared SHA-256. The
        batch is over then: objects not recorded are deleted, and its answer is kept until the
        batch's expiry, so a repeated call (the client lost the answer) gets it again.
        UploadNotFound; QuotaExceeded and FolderNotFound (the objects not recorded yet deleted).
        After a failure of ours (503) the batch stays: a repeated call records the rest and
        answers those recorded."""
        batch = await self._uploads.require(user_id, batch_id, batch=True)
        recorded = await self._repository.get_many(user_id, [f.file_id for f in batch.batch_files])
        if batch.is_settled:
            return [
                BatchFileOutcome(f.file_id, BatchFileState(f.outcome or ""), recorded.get(f.file_id), f.error)
                for f in batch.batch_files
            ]
        wanted = set(sent)
        sizes = await self._uploads.multipart.list_sizes(batch.object_key, limit=len(batch.batch_files) + 1)
        outcomes: dict[str, BatchFileOutcome] = {}
        present: list[BatchFile] = []
        for file in batch.batch_files:
            key = batch.object_key + file.file_id
            if file.file_id in recorded:
                outcomes[file.file_id] = BatchFileOutcome(file.file_id, BatchFileState.RECORDED, recorded[file.file_id])
            elif file.file_id not in wanted or key not in sizes:
                outcomes[file.file_id] = BatchFileOutcome(file.file_id, BatchFileState.MISSING)
            elif sizes[key] != file.size:
                logger.warning("batch file does not match its declaration", extra={"object_key": key})
                outcomes[file.file_id] = BatchFileOutcome(file.file_id, BatchFileState.REFUSED, error="upload_mismatch")
            else:
                present.append(file)
        try:
            await self._quota.require_room(user_id, sum(f.size for f in present), excluding=batch)
            for file in present:
                outcomes[file.file_id] = await self._record(batch, file)
        except AppError as error:
            # After a failure of ours the batch stays, so that the client's retry records the rest.
            if not error.kind.is_failure_of_ours:
                for file in present:
                    outcomes.setdefault(
                        file.file_id, BatchFileOutcome(file.file_id, BatchFileState.REFUSED, error=error.code)
                    )
                await self._finish(batch, outcomes, sizes)
            raise
        await self._finish(batch, outcomes, sizes)
        logger.info(
            "batch completed",
            extra={"user_id": user_id, "upload_id": batch_id, "files": len(present), "declared": len(outcomes)},
        )
        return [outcomes[f.file_id] for f in batch.batch_files]

    async def _record(self, batch: PendingUpload, file: BatchFile) -> BatchFileOutcome:
        now = timestamp(self._now())
        item = Item(
            item_id=file.file_id,
            user_id=batch.user_id,
            kind=ItemKind.FILE,
            name=file.name,
            parent_id=batch.parent_id,
            created_at=now,
            modified_at=file.modified_at or now,
            size=file.size,
            content_type=file.content_type,
            object_key=batch.object_key + file.file_id,
            media_type=detect_media_type(file.name, b""),
            sha256=file.sha256,
        )
        try:
            recorded = await self._recorder.record_or_compensate(item, batch.on_conflict, action=ActivityAction.UPLOAD)
        except NameTaken as refused:
            return BatchFileOutcome(file.file_id, BatchFileState.REFUSED, error=refused.code)
        return BatchFileOutcome(file.file_id, BatchFileState.RECORDED, recorded)

    async def _finish(self, batch: PendingUpload, outcomes: dict[str, BatchFileOutcome], sizes: dict[str, int]) -> None:
        """Deletes the objects no file was recorded for and keeps the batch's answer in its
        record (which no longer reserves quota) until its expiry. A failure here does not fail
        the request: what is left, the sweeper or the reconcile pass removes."""
        recorded_ids = {o.file_id for o in outcomes.values() if o.state is BatchFileState.RECORDED}
        settled = replace(
            batch,
            size=0,
            batch_files=tuple(
                replace(f, outcome=outcomes[f.file_id].state.value, error=outcomes[f.file_id].error)
                for f in batch.batch_files
            ),
        )
        with contextlib.suppress(AppError):
            await self._uploads.delete_unrecorded(batch, sizes, recorded_ids)
            await self._uploads.store.settle(batch, settled)
