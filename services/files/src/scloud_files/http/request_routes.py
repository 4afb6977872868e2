"""File requests: the owner's routes, and the public ones a visitor calls signed out to send files
into the request's folder with the direct-upload protocol (the gateway passes them on without a
token and marks every answer under the public prefix `noindex`)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from scloud_common.auth_deps import require_scope
from scloud_common.scopes import Scope
from scloud_common.web import error_responses
from scloud_files.domain import LINK_ID_PATTERN, CompletedPart
from scloud_files.drive.clock import timestamp, utc_now
from scloud_files.drive.direct_upload import PartRequest
from scloud_files.drive.move import UNSET
from scloud_files.http import path_convertor  # noqa: F401  registers `{...:item_id}` before the routes below
from scloud_files.http.deps import CurrentUser, FileRequestsDep
from scloud_files.http.request_schemas import (
    FileRequestCreate,
    FileRequestCreated,
    FileRequestPageRead,
    FileRequestRead,
    FileRequestUpdate,
    ReceivedFileRead,
    RequestedFolderRead,
    RequestUploadComplete,
    RequestUploadCreate,
    RequestUploadRead,
)
from scloud_files.http.upload_schemas import PartsSign, SignedPartRead, SignedPartsRead

PUBLIC_PAGE = "/r/{}"
requests = APIRouter(
    prefix="/files/requests",
    tags=["file requests"],
    dependencies=[require_scope(Scope.FILES_READ, Scope.SHARES_WRITE)],
)
public = APIRouter(prefix="/files/public/requests", tags=["public file requests"])

Limit = Annotated[int, Query(ge=1, le=200, description="Entries per page.")]
Cursor = Annotated[str | None, Query(max_length=200, description="`nextCursor` of the previous page.")]
RequestId = Annotated[str, Path(pattern=f"^{LINK_ID_PATTERN}$", description="The request id from `/r/<requestId>`.")]


@requests.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(401, 403, 404, 422, 503))
async def create_request(body: FileRequestCreate, user: CurrentUser, requests: FileRequestsDep) -> FileRequestCreated:
    """A file request into one of the user's folders: visitors may send files there, never see
    or download anything. Only an account whose email is verified may make one (403
    `email_not_verified`). 404 `folder_not_found`; 422 `invalid_expiry` (details `maxDays`),
    `invalid_request_limit` (details `maxFileBytes`). The request id is in this answer only."""
    request, request_id = await requests.create(
        user.user_id,
        body.folder_id,
        expires_at=body.expires_at,
        max_file_bytes=body.max_file_bytes,
        max_total_bytes=body.max_total_bytes,
        show_owner_name=body.show_owner_name,
    )
    read = FileRequestRead.from_domain(request, timestamp(utc_now()))
    return FileRequestCreated(**read.model_dump(), request_id=request_id, url=PUBLIC_PAGE.format(request_id))


@requests.get("", responses=error_responses(401, 422, 503))
async def list_requests(
    user: CurrentUser, requests: FileRequestsDep, limit: Limit = 50, cursor: Cursor = None
) -> FileRequestPageRead:
    """The user's requests, newest first, with what they received; revoked and expired ones stay
    listed until they are forgotten."""
    page, next_cursor = await requests.list(user.user_id, limit=limit, cursor=cursor)
    now = timestamp(utc_now())
    return FileRequestPageRead(
        items=[FileRequestRead.from_domain(request, now) for request in page], next_cursor=next_cursor
    )


@requests.get("/{request_ref}", responses=error_responses(401, 404, 503))
async def read_request(request_ref: str, user: CurrentUser, requests: FileRequestsDep) -> FileRequestRead:
    return FileRequestRead.from_domain(await requests.get(user.user_id, request_ref), timestamp(utc_now()))


@requests.patch("/{request_ref}", responses=error_responses(401, 404, 422, 503))
async def update_request(
    request_ref: str, body: FileRequestUpdate, user: CurrentUser, requests: FileRequestsDep
) -> FileRequestRead:
    """Changes what is sent: a new expiry (bounded from now), the per-file limit, the total
    limit or none (null), whether the owner's name shows. What was received stays."""
    sent = body.model_fields_set
    request = await requests.update(
        user.user_id,
        request_ref,
        expires_at=body.expires_at if body.expires_at is not None else UNSET,
        max_file_bytes=body.max_file_bytes if body.max_file_bytes is not None else UNSET,
        max_total_bytes=body.max_total_bytes if "max_total_bytes" in sent else UNSET,
        show_owner_name=body.show_owner_name if body.show_owner_name is not None else UNSET,
    )
    return FileRequestRead.from_domain(request, timestamp(utc_now()))


@requests.delete("/{request_ref}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 503))
async def revoke_request(request_ref: str, user: CurrentUser, requests: FileRequestsDep) -> Response:
    """Closes the request at once: visitors get 410 `request_revoked` from now on, uploads in
    flight included."""
    await requests.revoke(user.user_id, request_ref)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@public.get("/{request_id}", responses=error_responses(404, 410, 503))
async def open_request(request_id: RequestId, requests: FileRequestsDep) -> RequestedFolderRead:
    """Where the files go (the folder's name only), the limits, the expiry and the owner's name
    if they chose to show it. 404 `request_not_found` (unknown, or the folder or the account is
    gone); 410 `request_revoked`, `request_expired`."""
    return RequestedFolderRead.from_domain(await requests.open(request_id))


@public.post(
    "/{request_id}/uploads",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 410, 413, 422, 429, 503, 507),
)
async def create_request_upload(
    request_id: RequestId, body: RequestUploadCreate, requests: FileRequestsDep
) -> RequestUploadRead:
    """Starts a direct upload into the request's folder (then sign parts, PUT them, complete).
    Refused before any byte is sent: 413 `file_too_large` (over the request's `maxFileBytes`),
    413 `request_full` (details `bytesLeft`), 507 `quota_exceeded` (the owner's storage).
    The file never replaces one: a name the folder has gets a number at completion."""
    upload = await requests.create_upload(
        request_id,
        name=body.name,
        size=body.size,
        content_type=body.type,
        modified_at=body.modified_at,
        part_size=body.part_size,
    )
    return RequestUploadRead.from_domain(upload, [], max_parts_per_request=requests.max_parts_per_request)


@public.post("/{request_id}/uploads/{upload_id:item_id}/parts", responses=error_responses(404, 410, 422, 503))
async def sign_request_parts(
    request_id: RequestId, upload_id: str, body: PartsSign, requests: FileRequestsDep
) -> SignedPartsRead:
    """A presigned PUT URL for each part, bound to its size and SHA-256, as for the owner's own
    uploads. 404 `upload_not_found` for an upload of another request."""
    signed = await requests.sign_parts(
        request_id, upload_id, [PartRequest(part.number, part.size, part.sha256) for part in body.parts]
    )
    return SignedPartsRead(parts=[SignedPartRead.from_domain(part) for part in signed])


@public.get("/{request_id}/uploads/{upload_id:item_id}", responses=error_responses(404, 410, 503))
async def read_request_upload(request_id: RequestId, upload_id: str, requests: FileRequestsDep) -> RequestUploadRead:
    """The upload and the parts S3 holds already, to resume."""
    upload, parts = await requests.get_upload(request_id, upload_id)
    return RequestUploadRead.from_domain(upload, parts, max_parts_per_request=requests.max_parts_per_request)


@public.post(
    "/{request_id}/uploads/{upload_id:item_id}/complete",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 410, 413, 422, 503, 507),
)
async def complete_request_upload(
    request_id: RequestId, upload_id: str, body: RequestUploadComplete, requests: FileRequestsDep
) -> ReceivedFileRead:
    """Joins the parts into a new file of the request's folder. The size S3 reports is checked
    against the request's limits (413 `file_too_large`, `request_full`) and the owner's quota
    (507 `quota_exceeded`): on a refusal the bytes are deleted. The note goes to the owner with
    their next notice."""
    item = await requests.complete_upload(
        request_id,
        upload_id,
        [CompletedPart(part.number, part.etag, part.sha256) for part in body.parts],
        note=body.note,
    )
    return ReceivedFileRead.from_domain(item)


@public.delete(
    "/{request_id}/uploads/{upload_id:item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 410, 503),
)
async def abort_request_upload(request_id: RequestId, upload_id: str, requests: FileRequestsDep) -> Response:
    """Aborts the upload: the parts S3 holds are dropped."""
    await requests.abort_upload(request_id, upload_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


__all__ = ["public", "requests"]
