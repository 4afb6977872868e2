"""What a visitor holding a file request may do, signed out: see where their files go and send
files there with the step 11 direct-upload protocol, as new files that never replace one.
Nothing here lists the folder, names another item or hands out a download."""

import logging
from collections.abc import Sequence
from datetime import datetime

from scloud_common.errors import AppError, NotFound
from scloud_files.domain import (
    CompletedPart,
    FileRequest,
    FileTooLarge,
    Item,
    ItemKind,
    OnConflict,
    OwnerStorageFull,
    PendingUpload,
    QuotaExceeded,
    ReceivedFile,
    RequestedFolder,
    RequestExpired,
    RequestFull,
    RequestNotFound,
    RequestRefusal,
    RequestRevoked,
    StoredPart,
    link_hash,
)
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.direct_upload import AbortUpload, CreateUpload, GetUpload, PartRequest, SignedPart, SignParts
from scloud_files.drive.file_request import RequestLimits
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.upload_completion import CompleteUpload
from scloud_files.ports import FileRepository, FileRequestStore

logger = logging.getLogger(__name__)

REFUSALS: dict[RequestRefusal, type[AppError]] = {
    RequestRefusal.REVOKED: RequestRevoked,
    RequestRefusal.EXPIRED: RequestExpired,
}


class RequestGate:
    """Finds a request and lets a visitor through it, or says why not."""

    def __init__(self, requests: FileRequestStore, repository: FileRepository, paths: FolderPaths, *, now: Clock):
        self._requests = requests
        self._repository = repository
        self._paths = paths
        self._now = now

    async def enter(self, request_id: str) -> tuple[FileRequest, Item]:
        """The live request and its folder. RequestNotFound whatever the reason (unknown, its
        folder trashed or gone, its owner's account closed); RequestRevoked, RequestExpired."""
        request = await self._requests.find(link_hash(request_id))
        if request is None or await self._repository.account_closed(request.owner_id):
            raise RequestNotFound()
        try:
            folder = await self._paths.require_live(request.owner_id, request.folder_id, ItemKind.FOLDER)
        except NotFound:
            raise RequestNotFound() from None
        refusal = request.refusal(timestamp(self._now()))
        if refusal is not None:
            raise REFUSALS[refusal]()
        return request, folder


def bytes_left(request: FileRequest) -> int | None:
    return None if request.max_total_bytes is None else max(0, request.max_total_bytes - request.bytes_received)


class OpenFileRequest:
    def __init__(self, gate: RequestGate) -> None:
        self._gate = gate

    async def __call__(self, request_id: str) -> RequestedFolder:
        request, folder = await self._gate.enter(request_id)
        return RequestedFolder(
            folder_name=folder.name,
            expires_at=request.expires_at,
            max_file_bytes=request.max_file_bytes,
            bytes_left=bytes_left(request),
            owner_name=request.owner_name,
        )


class CreateRequestUpload:
    def __init__(self, gate: RequestGate, create: CreateUpload) -> None:
        self._gate = gate
        self._create = create

    async def __call__(
        self,
        request_id: str,
        *,
        name: str,
        size: int,
        content_type: str | None,
        modified_at: datetime | None,
        part_size: int | None,
    ) -> PendingUpload:
        """A direct upload into the request's folder, owned by its owner and counted against
        their quota. Checked now against the per-file limit (FileTooLarge), what the total
        still accepts (RequestFull) and the owner's quota (OwnerStorageFull); all again at
        completion, against the size S3 reports."""
        request, folder = await self._gate.enter(request_id)
        if size > request.max_file_bytes:
            raise FileTooLarge()
        if not request.has_room_for(size):
            raise RequestFull(bytes_left=bytes_left(request) or 0)
        try:
            return await self._create(
                request.owner_id,
                name=name,
                size=size,
                content_type=content_type,
                parent_id=folder.item_id,
                on_conflict=OnConflict.RENAME,
                modified_at=modified_at,
                part_size=part_size,
                request_ref=request.request_ref,
            )
        except QuotaExceeded:
            raise OwnerStorageFull() from None


class SignRequestParts:
    def __init__(self, gate: RequestGate, sign: SignParts) -> None:
        self._gate = gate
        self._sign = sign

    async def __call__(self, request_id: str, upload_id: str, parts: Sequence[PartRequest]) -> list[SignedPart]:
        request, _ = await self._gate.enter(request_id)
        return await self._sign(request.owner_id, upload_id, parts, request_ref=request.request_ref)


class GetRequestUpload:
    def __init__(self, gate: RequestGate, get: GetUpload) -> None:
        self._gate = gate
        self._get = get

    async def __call__(self, request_id: str, upload_id: str) -> tuple[PendingUpload, list[StoredPart]]:
        request, _ = await self._gate.enter(request_id)
        return await self._get(request.owner_id, upload_id, request_ref=request.request_ref)


class AbortRequestUpload:
    def __init__(self, gate: RequestGate, abort: AbortUpload) -> None:
        self._gate = gate
        self._abort = abort

    async def __call__(self, request_id: str, upload_id: str) -> None:
        request, _ = await self._gate.enter(request_id)
        await self._abort(request.owner_id, upload_id, request_ref=request.request_ref)


class RequestAdmission:
    """A completion's count against its request: the per-file limit, then the total in one
    conditional write on the request (concurrent completions never pass it), and, once the file
    is recorded, its place in the owner's next notice."""

    def __init__(
        self, requests: FileRequestStore, request: FileRequest, note: str | None, limits: RequestLimits, now: Clock
    ) -> None:
        self._requests = requests
        self._request = request
        self._note = note
        self._limits = limits
        self._now = now

    async def admit(self, upload: PendingUpload, size: int) -> None:
        request = self._request
        if size > request.max_file_bytes:
            raise FileTooLarge()
        if await self._requests.receive(request.token_hash, size, now=timestamp(self._now())):
            return
        # Revoked, expired or filled since it was read: say which.
        current = await self._requests.find(request.token_hash)
        if current is None:
            raise RequestNotFound()
        refusal = current.refusal(timestamp(self._now()))
        if refusal is not None:
            raise REFUSALS[refusal]()
        raise RequestFull(bytes_left=bytes_left(current) or 0)

    async def release(self, upload: PendingUpload, size: int) -> None:
        await self._requests.give_back(self._request.token_hash, size)

    async def received(self, item: Item) -> None:
        moment = self._now()
        received = ReceivedFile(item.name, item.size or 0, timestamp(moment), self._note or None)
        try:
            await self._requests.add_notice(
                self._request.token_hash, received, due_at=timestamp(moment + self._limits.notice_interval)
            )
        except AppError:
            # The file is recorded: a notice that misses it is no reason to fail the visitor.
            logger.warning("file request notice not recorded", extra={"file_id": item.item_id})


class CompleteRequestUpload:
    def __init__(
        self,
        gate: RequestGate,
        complete: CompleteUpload,
        requests: FileRequestStore,
        limits: RequestLimits,
        *,
        now: Clock,
    ) -> None:
        self._gate = gate
        self._complete = complete
        self._requests = requests
        self._limits = limits
        self._now = now

    async def __call__(
        self, request_id: str, upload_id: str, parts: Sequence[CompletedPart], *, note: str | None
    ) -> Item:
        """The recorded file (a new name, `name (1).ext`, if the folder has it). Beyond what a
        direct completion refuses: FileTooLarge, RequestFull, OwnerStorageFull, RequestRevoked
        and RequestExpired, the bytes deleted each time."""
        request, _ = await self._gate.enter(request_id)
        admission = RequestAdmission(self._requests, request, note, self._limits, self._now)
        try:
            return await self._complete(
                request.owner_id, upload_id, parts, request_ref=request.request_ref, guard=admission
            )
        except QuotaExceeded:
            raise OwnerStorageFull() from None
