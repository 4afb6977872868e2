"""Direct uploads: the browser sends a file's bytes straight to S3 in parts over presigned URLs;
these routes create the upload, sign its parts, show what S3 holds (to resume), complete it into
a file, and abort it."""

from fastapi import APIRouter, Response, status

from scloud_common.auth_deps import require_scope
from scloud_common.scopes import Scope
from scloud_common.web import error_responses
from scloud_files.domain import CompletedPart, OnConflict
from scloud_files.drive.batch_upload import BatchFileRequest
from scloud_files.drive.direct_upload import PartRequest
from scloud_files.http import path_convertor  # noqa: F401  registers `{...:item_id}` before the routes below
from scloud_files.http.deps import CurrentUser, DirectUploadsDep
from scloud_files.http.schemas import ROOT_ID, ItemRead
from scloud_files.http.upload_schemas import (
    BatchComplete,
    BatchCompleted,
    BatchCreate,
    BatchCreated,
    BatchFileOutcomeRead,
    PartsSign,
    SignedPartRead,
    SignedPartsRead,
    UploadComplete,
    UploadCreate,
    UploadCreated,
    UploadRead,
)

uploads = APIRouter(
    prefix="/uploads", tags=["uploads"], dependencies=[require_scope(Scope.FILES_READ, Scope.FILES_WRITE)]
)


@uploads.post(
    "", status_code=status.HTTP_201_CREATED, responses=error_responses(401, 404, 409, 413, 422, 429, 503, 507)
)
async def create_upload(body: UploadCreate, user: CurrentUser, direct: DirectUploadsDep) -> UploadCreated:
    """Starts a direct upload of `size` bytes, cut into `partCount` parts of `partSize` (the last
    one smaller). Refused before any byte is sent: 413 `file_too_large` (over `maxFileBytes`),
    507 `quota_exceeded` (details `used`, `quota`, `size`; `used` counts the trash and the
    uploads in progress), 404 `folder_not_found`, 409 `name_taken` (`onConflict` `fail`),
    422 `invalid_name`, 429 `too_many_uploads` (uploads in progress per user are bounded).
    An upload not completed before `expiresAt` is aborted."""
    upload = await direct.create(
        user.user_id,
        name=body.name,
        size=body.size,
        content_type=body.type,
        parent_id=None if body.parent_id in (None, ROOT_ID) else body.parent_id,
        on_conflict=OnConflict(body.on_conflict),
        modified_at=body.modified_at,
        part_size=body.part_size,
    )
    return UploadCreated.from_domain(upload, max_parts_per_request=direct.create.limits.max_parts_per_request)


@uploads.post(
    "/batches", status_code=status.HTTP_201_CREATED, responses=error_responses(401, 404, 413, 422, 429, 503, 507)
)
async def create_batch(body: BatchCreate, user: CurrentUser, direct: DirectUploadsDep) -> BatchCreated:
    """Declares up to `maxBatchFiles` small files (each at most `maxBatchFileBytes`) and answers
    a presigned PutObject URL per file, bound to its size, content type and SHA-256: S3 refuses
    anything else. The whole batch is checked before any byte is sent and its total reserves
    quota: 413 `file_too_large`, 507 `quota_exceeded` (for the total), 404 `folder_not_found`,
    422 `invalid_name`, 422 `invalid_batch` (a name twice,
    a checksum that is not a SHA-256, too many files), 429 `too_many_uploads` (a batch counts as
    one upload in progress). With `onConflict` `fail`, a file whose name is taken is answered
    `name_taken` with the `existingId` holding it and left out of the batch (no id, no batch at
    all if every name is taken). Complete it before `expiresAt`."""
    created = await direct.create_batch(
        user.user_id,
        [BatchFileRequest(f.name, f.size, f.type, f.sha256, f.modified_at) for f in body.files],
        parent_id=None if body.parent_id in (None, ROOT_ID) else body.parent_id,
        on_conflict=OnConflict(body.on_conflict),
    )
    return BatchCreated.from_domain(created)


@uploads.post("/batches/{batch_id:item_id}/complete", responses=error_responses(401, 404, 503, 507))
async def complete_batch(
    batch_id: str, body: BatchComplete, user: CurrentUser, direct: DirectUploadsDep
) -> BatchCompleted:
    """Records the files named in `sent` that S3 holds at their declared size (one listing of the
    batch), and answers every file: `recorded` with its item, `missing`, or `refused` (another
    size: `upload_mismatch`; a name taken with `fail`: `name_taken`), whose bytes are deleted.
    The batch is over then; its answer is kept until `expiresAt`, so completing it again answers
    the same. 404 `upload_not_found` for another user's, an unknown or an expired batch."""
    outcomes = await direct.complete_batch(user.user_id, batch_id, body.sent)
    return BatchCompleted(files=[BatchFileOutcomeRead.from_domain(outcome) for outcome in outcomes])


@uploads.post("/{upload_id:item_id}/parts", responses=error_responses(401, 404, 422, 503))
async def sign_parts(upload_id: str, body: PartsSign, user: CurrentUser, direct: DirectUploadsDep) -> SignedPartsRead:
    """A presigned PUT URL for each part, bound to its size and SHA-256: S3 refuses other bytes
    or another length. Send the part's bytes to `url` with exactly `headers`; keep the ETag S3
    answers. 422 `invalid_parts` for a number outside the upload, a size that is not the part's
    or a checksum that is not a base64 SHA-256 digest, or more than `maxPartsPerRequest` parts."""
    signed = await direct.sign_parts(
        user.user_id, upload_id, [PartRequest(part.number, part.size, part.sha256) for part in body.parts]
    )
    return SignedPartsRead(parts=[SignedPartRead.from_domain(part) for part in signed])


@uploads.get("/{upload_id:item_id}", responses=error_responses(401, 404, 503))
async def read_upload(upload_id: str, user: CurrentUser, direct: DirectUploadsDep) -> UploadRead:
    """The upload and the parts S3 holds already (number, size, ETag), to resume after a reload
    or a network drop: S3 does not list the parts' checksums, so a client keeps those it signed.
    404 `upload_not_found` for another user's, an unknown or an expired upload."""
    upload, parts = await direct.get(user.user_id, upload_id)
    return UploadRead.from_domain(upload, parts)


@uploads.post(
    "/{upload_id:item_id}/complete",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 404, 409, 422, 503, 507),
)
async def complete_upload(
    upload_id: str, body: UploadComplete, user: CurrentUser, direct: DirectUploadsDep
) -> ItemRead:
    """Joins the parts into the file and records it, with the SHA-256 S3 computed. S3's own
    report of the object's size and checksum is checked against the declaration, the limit and
    the quota: on a mismatch the bytes are deleted and the upload is gone (422 `upload_mismatch`,
    507 `quota_exceeded`, 409 `name_taken`). 422 `invalid_parts` (the upload goes on) unless
    `parts` lists every part in order."""
    item = await direct.complete(
        user.user_id, upload_id, [CompletedPart(part.number, part.etag, part.sha256) for part in body.parts]
    )
    return ItemRead.from_domain(item)


@uploads.delete(
    "/{upload_id:item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 503)
)
async def abort_upload(upload_id: str, user: CurrentUser, direct: DirectUploadsDep) -> Response:
    """Aborts the upload: the parts S3 holds are dropped and the upload is forgotten."""
    await direct.abort(user.user_id, upload_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
