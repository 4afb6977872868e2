"""Copying files and folders into a folder: small selections within the request, large ones as
copy jobs whose progress the browser reads and which it may cancel."""

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from scloud_common.auth_deps import require_scope
from scloud_common.scopes import Scope
from scloud_common.web import error_responses
from scloud_files.domain import OnConflict
from scloud_files.domain.copy_job import CopyJob
from scloud_files.drive.copy_job import CopyJobReport
from scloud_files.http.copy_schemas import CopyJobRead, ItemsCopy
from scloud_files.http.deps import CopyItemsDep, CopyJobsDep, CurrentUser
from scloud_files.http.routes import folder_id_of
from scloud_files.http.schemas import BulkResultRead

copies = APIRouter(prefix="/items", tags=["items"], dependencies=[require_scope(Scope.FILES_READ, Scope.FILES_WRITE)])


@copies.post(
    "/copy",
    response_model=BulkResultRead,
    responses={
        202: {"model": CopyJobRead, "description": "A large selection: the copy job, started."},
        **error_responses(401, 404, 422, 503, 507),
    },
)
async def copy_items(body: ItemsCopy, user: CurrentUser, copy: CopyItemsDep) -> JSONResponse:
    """Copies each item into the folder (404 `folder_not_found` if it is not one), folders with
    everything they hold; the bytes are copied inside the storage, never through the service.
    The whole selection must fit in what is left of the quota, or nothing is copied: 507
    `quota_exceeded` with `details` `used`, `quota` and `size`. A selection holding at most
    the copy-job threshold's files is copied now and answered like a move (`items`, `failed`
    with `name_taken` for a taken name unless `onConflict` is `rename`, `remaining`); a larger
    one answers 202 with a copy job to follow at `/items/copy-jobs/{id}`."""
    outcome = await copy(
        user.user_id, body.ids, parent_id=folder_id_of(body.parent_id), on_conflict=OnConflict(body.on_conflict)
    )
    if isinstance(outcome, CopyJob):
        job = CopyJobRead.from_domain(CopyJobReport(outcome, []))
        return JSONResponse(job.model_dump(mode="json", by_alias=True), status_code=status.HTTP_202_ACCEPTED)
    return JSONResponse(BulkResultRead.from_domain(outcome).model_dump(mode="json", by_alias=True))


@copies.get("/copy-jobs/{job_id}", responses=error_responses(401, 404, 503))
async def read_copy_job(job_id: str, user: CurrentUser, jobs: CopyJobsDep) -> CopyJobRead:
    """The copy job's state and progress, and the copies made so far. A job is kept a week after
    it ends; 404 `copy_job_not_found` after that or for another user's."""
    return CopyJobRead.from_domain(await jobs.get(user.user_id, job_id))


@copies.delete("/copy-jobs/{job_id}", responses=error_responses(401, 404, 503))
async def cancel_copy_job(job_id: str, user: CurrentUser, jobs: CopyJobsDep) -> CopyJobRead:
    """Cancels the copy job: it stops after the files being copied, and what was copied stays
    (the answer's `items` and counters say what). Usually answered once it stopped (`cancelled`);
    otherwise `cancelRequested` is true and the state follows soon. A finished job is answered
    as it is."""
    return CopyJobRead.from_domain(await jobs.cancel(user.user_id, job_id))
