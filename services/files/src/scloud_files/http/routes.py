from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from scloud_common.errors import AppError
from scloud_common.web import error_responses
from scloud_files.domain import FileTooLarge
from scloud_files.http.deps import CurrentUser, FileServiceDep
from scloud_files.http.schemas import DownloadLinkRead, FilePage, FileRead, UploadLimitsRead
from scloud_files.http.upload_reader import MULTIPART_OVERHEAD_BYTES, MultipartFileReader

router = APIRouter(prefix="/api/files", tags=["files"])

# The body is parsed by hand as it streams in, so FastAPI is not told about it; this documents it.
UPLOAD_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary", "description": "The file."}},
                }
            }
        },
    }
}


@router.get("/limits", responses=error_responses(401, 503))
async def read_upload_limits(user: CurrentUser, service: FileServiceDep) -> UploadLimitsRead:
    """The largest file an upload may carry, so the browser can refuse bigger ones up front."""
    return UploadLimitsRead(max_upload_bytes=service.max_upload_bytes)


@router.post(
    "/upload",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_REQUEST_BODY,
    responses=error_responses(401, 413, 422, 503),
)
async def upload_file(request: Request, user: CurrentUser, service: FileServiceDep) -> FileRead:
    """Stores one file, sent as multipart/form-data in exactly one field `file`. The bytes stream
    to storage as they arrive. Nothing of a refused upload is kept: 413 `file_too_large` over the
    limit, 422 `invalid_upload` for a body that is not such a form (or has two `file` fields),
    401 `account_closed` if the account was deleted while the file was arriving.

    The name is kept as typed (NFC, without control or zero-width characters, at most 255
    characters). The stored type is the declared one only if it is safe to show inline (images
    except SVG, PDF, plain text, audio, video); anything else is stored and served as
    `application/octet-stream`."""
    max_body_bytes = service.max_upload_bytes + MULTIPART_OVERHEAD_BYTES
    declared_length = request.headers.get("content-length", "")
    if declared_length.isdigit() and int(declared_length) > max_body_bytes:
        raise FileTooLarge()
    reader = MultipartFileReader(request.stream(), request.headers.get("content-type"), max_body_bytes=max_body_bytes)
    try:
        part = await reader.open_file()
        stored = await service.upload_file(
            user.user_id, file_name=part.file_name, content_type=part.content_type, chunks=part.chunks
        )
    except AppError:
        await reader.drain()
        raise
    await reader.drain()
    return FileRead.from_domain(stored)


@router.get("", responses=error_responses(401, 422, 503))
async def list_files(
    user: CurrentUser,
    service: FileServiceDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Files per page.")] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="`nextCursor` of the previous page.")] = None,
) -> FilePage:
    """The user's files, newest first, a page at a time."""
    return FilePage.from_domain(await service.list_files(user.user_id, limit=limit, cursor=cursor))


@router.get("/{file_id}", responses=error_responses(401, 404, 422, 503))
async def read_file(file_id: str, user: CurrentUser, service: FileServiceDep) -> FileRead:
    return FileRead.from_domain(await service.get_file(user.user_id, file_id))


@router.get("/{file_id}/download", responses=error_responses(401, 404, 422, 503))
async def create_download_link(
    file_id: str,
    user: CurrentUser,
    service: FileServiceDep,
    disposition: Annotated[
        Literal["attachment", "inline"],
        Query(description="`inline` to display the file (previews); honoured only for types safe inline."),
    ] = "attachment",
) -> DownloadLinkRead:
    """A short-lived link the browser follows to download the file under its name, or to show
    it inline if asked and its type is safe inline (else it is still an attachment)."""
    url, expires_at = await service.create_download_link(user.user_id, file_id, inline=disposition == "inline")
    return DownloadLinkRead(url=url, expires_at=expires_at)


@router.delete("/{file_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 422, 503))
async def delete_file(file_id: str, user: CurrentUser, service: FileServiceDep) -> Response:
    """Deletes the file's bytes and its record. Safe to retry."""
    await service.delete_file(user.user_id, file_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
