"""Sharing with people: the owner's routes on an item's people, and the grantee's under
`/api/shared-with-me/{shareId}` (the shared item's id). Outside the shared item, and for anyone
it is not shared with, every id is the same 404 as an unknown one; a viewer gets 403
`viewer_only` on the editor's routes."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse

from scloud_common.auth_deps import require_scope
from scloud_common.errors import ServiceUnavailable
from scloud_common.scopes import Scope
from scloud_common.web import error_responses
from scloud_files.domain import CompletedPart, OnConflict, SortField
from scloud_files.domain.grant import Role
from scloud_files.drive.direct_upload import PartRequest
from scloud_files.drive.move import UNSET
from scloud_files.drive.share_upload import ShareUploads
from scloud_files.drive.use_cases import Drive, People
from scloud_files.http import path_convertor  # noqa: F401  registers `{...:item_id}` before the routes below
from scloud_files.http.deps import CurrentUser
from scloud_files.http.people_schemas import (
    InDriveUpdate,
    PeopleRead,
    PersonCreate,
    PersonRead,
    PersonUpdate,
    SharedFolderRead,
    SharedItemUpdate,
    SharedUploadCreate,
    SharedWithMePageRead,
    SharedWithMeRead,
    shared_entry_read,
    shared_item_read,
)
from scloud_files.http.routes import UPLOAD_REQUEST_BODY, folder_id_of
from scloud_files.http.schemas import DownloadLinkRead, FolderCreate, ItemRead, Rfc3339Time
from scloud_files.http.upload_reader import receive_file
from scloud_files.http.upload_schemas import (
    PartsSign,
    SignedPartRead,
    SignedPartsRead,
    UploadComplete,
    UploadCreated,
    UploadRead,
)

people = APIRouter(
    prefix="/items/{item_id}/people",
    tags=["sharing with people"],
    dependencies=[require_scope(Scope.FILES_READ, Scope.SHARES_WRITE)],
)
shared = APIRouter(
    prefix="/shared-with-me",
    tags=["shared with me"],
    dependencies=[require_scope(Scope.FILES_READ, Scope.FILES_WRITE)],
)

ItemId = Annotated[str, Path(max_length=40, description="A file or folder of the user's.")]
PersonId = Annotated[str, Path(max_length=64, description="`id` of the person in the item's people.")]
ShareId = Annotated[str, Path(max_length=40, description="`id` of the item in the user's shared-with-me list.")]
InsideId = Annotated[str, Path(max_length=40, description="An item inside the share; `root` is the shared item.")]
Limit = Annotated[int, Query(ge=1, le=200, description="Entries per page.")]
Cursor = Annotated[str | None, Query(max_length=2000, description="`nextCursor` of the previous page.")]


async def _people(request: Request) -> People:
    drive: Drive = request.app.state.container.service
    if drive.people is None:
        raise ServiceUnavailable()
    return drive.people


PeopleDep = Annotated[People, Depends(_people)]


async def _share_uploads(use: PeopleDep) -> ShareUploads:
    if use.uploads is None:
        raise ServiceUnavailable()
    return use.uploads


ShareUploadsDep = Annotated[ShareUploads, Depends(_share_uploads)]


@people.post("", status_code=status.HTTP_202_ACCEPTED, responses=error_responses(401, 403, 404, 422, 503))
async def share_with_person(item_id: ItemId, body: PersonCreate, user: CurrentUser, use: PeopleDep) -> PersonRead:
    """Shares the item with the person at this email, who gets a mail. The answer is the same
    whether the address has an account or not: without one, the invitation waits 30 days for an
    account to verify it. Sharing again changes the role. 403 `email_not_verified` until the
    owner's own email is verified, `cannot_share_with_self`, `too_many_people`; 422
    `invalid_email`."""
    grant = await use.share(user.user_id, item_id, email=body.email, role=Role(body.role))
    return PersonRead.from_domain(grant)


@people.get("", responses=error_responses(401, 404, 503))
async def list_people(item_id: ItemId, user: CurrentUser, use: PeopleDep) -> PeopleRead:
    """Who has access to the item (shared on it directly), oldest first."""
    return PeopleRead(items=[PersonRead.from_domain(g) for g in await use.on_item.list(user.user_id, item_id)])


@people.patch("/{person_id}", responses=error_responses(401, 404, 422, 503))
async def change_role(
    item_id: ItemId, person_id: PersonId, body: PersonUpdate, user: CurrentUser, use: PeopleDep
) -> PersonRead:
    """Changes the person's role from their next request on."""
    grant = await use.on_item.change_role(user.user_id, item_id, person_id, Role(body.role))
    return PersonRead.from_domain(grant)


@people.delete("/{person_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 503))
async def remove_person(item_id: ItemId, person_id: PersonId, user: CurrentUser, use: PeopleDep) -> Response:
    """Ends the person's access (or invitation) at once: their next request is refused."""
    await use.on_item.remove(user.user_id, item_id, person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@shared.get("", responses=error_responses(401, 422, 503))
async def list_shared_with_me(
    user: CurrentUser, use: PeopleDep, limit: Limit = 50, cursor: Cursor = None
) -> SharedWithMePageRead:
    """What others shared with the user, newest item first. The first page first takes up the
    invitations waiting for the user's verified email. Items trashed or gone are left out, so a
    page may be short while `nextCursor` is not null."""
    page, next_cursor = await use.shared_with_me(user.user_id, limit=limit, cursor=cursor)
    return SharedWithMePageRead(items=[SharedWithMeRead.from_domain(entry) for entry in page], next_cursor=next_cursor)


@shared.delete("/{share_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 503))
async def leave_share(share_id: ShareId, user: CurrentUser, use: PeopleDep) -> Response:
    """Leaves the share: the item goes from the list and the user's access ends."""
    await use.choices.leave(user.user_id, share_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@shared.put(
    "/{share_id}/in-drive", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 422, 503)
)
async def set_in_drive(share_id: ShareId, body: InDriveUpdate, user: CurrentUser, use: PeopleDep) -> Response:
    """Adds the shared item to the user's drive view, or takes it out."""
    await use.choices.set_in_drive(user.user_id, share_id, body.in_drive)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _inside(item_id: str) -> str | None:
    return folder_id_of(item_id)


@shared.get("/{share_id}/items/{item_id}", responses=error_responses(401, 404, 503))
async def read_shared_item(share_id: ShareId, item_id: InsideId, user: CurrentUser, use: PeopleDep) -> ItemRead:
    """An item inside the share with the folders between the shared item and it."""
    _, entry = await use.read.item(user.user_id, share_id, _inside(item_id))
    return shared_entry_read(entry)


@shared.get("/{share_id}/folders/{folder_id}/children", responses=error_responses(401, 404, 422, 503))
async def list_shared_folder(
    share_id: ShareId,
    folder_id: InsideId,
    user: CurrentUser,
    use: PeopleDep,
    sort: Annotated[Literal["name", "size", "modified"], Query()] = "name",
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
    limit: Limit = 50,
    cursor: Cursor = None,
    kind: Annotated[Literal["all", "folder"], Query(description="`folder` lists only folders.")] = "all",
) -> SharedFolderRead:
    """A page of the shared folder (`root`) or of a folder inside it, folders first."""
    folder, items, next_cursor = await use.read.children(
        user.user_id,
        share_id,
        _inside(folder_id),
        sort=SortField(sort),
        descending=order == "desc",
        folders_only=kind == "folder",
        limit=limit,
        cursor=cursor,
    )
    return SharedFolderRead(
        folder=shared_entry_read(folder),
        items=[shared_item_read(item, [], is_root=False) for item in items],
        next_cursor=next_cursor,
    )


@shared.get("/{share_id}/files/{file_id}/download", responses=error_responses(401, 404, 422, 503))
async def download_shared_file(
    share_id: ShareId,
    file_id: InsideId,
    user: CurrentUser,
    use: PeopleDep,
    disposition: Annotated[Literal["attachment", "inline"], Query()] = "attachment",
) -> DownloadLinkRead:
    """A short-lived link to the file's bytes (the shared file itself: `root`)."""
    url, expires_at = await use.read.download(
        user.user_id, share_id, _inside(file_id), inline=disposition == "inline", as_text=False
    )
    return DownloadLinkRead(url=url, expires_at=expires_at)


@shared.post(
    "/{share_id}/folders",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemRead,
    responses={
        200: {"model": ItemRead, "description": "`merge`: the existing folder"},
        **error_responses(401, 403, 404, 409, 422, 503),
    },
)
async def create_shared_folder(
    share_id: ShareId, body: FolderCreate, user: CurrentUser, use: PeopleDep
) -> JSONResponse:
    """Editors: creates a folder in the shared folder (`parentId` `root`) or a folder inside it,
    as `POST /api/folders` does; the owner owns it."""
    folder, created = await use.edit.create_folder(
        user.user_id, share_id, folder_id_of(body.parent_id), name=body.name, on_conflict=OnConflict(body.on_conflict)
    )
    return JSONResponse(
        shared_item_read(folder, [], is_root=False).model_dump(mode="json", by_alias=True),
        status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


@shared.post(
    "/{share_id}/upload",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_REQUEST_BODY,
    responses=error_responses(401, 403, 404, 409, 413, 422, 429, 503, 507),
)
async def upload_to_share(
    share_id: ShareId,
    request: Request,
    user: CurrentUser,
    use: PeopleDep,
    parent_id: Annotated[str | None, Query(alias="parentId", max_length=40)] = None,
    on_conflict: Annotated[Literal["fail", "replace", "rename"], Query(alias="onConflict")] = "fail",
    modified_at: Annotated[Rfc3339Time | None, Query(alias="modifiedAt")] = None,
) -> ItemRead:
    """Editors: stores one file in the shared folder (`parentId` `root`) or a folder inside it,
    as `POST /api/files/upload` does, counted against the owner's quota (507 `quota_exceeded`)."""
    stored = await receive_file(
        request,
        user.user_id,
        use.edit.upload_file,
        lambda part: use.edit.upload(
            user.user_id,
            share_id,
            folder_id_of(parent_id),
            file_name=part.file_name,
            content_type=part.content_type,
            chunks=part.chunks,
            on_conflict=OnConflict(on_conflict),
            modified_at=modified_at,
        ),
    )
    return shared_item_read(stored, [], is_root=False)


@shared.post(
    "/{share_id}/uploads",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 404, 409, 413, 422, 429, 503, 507),
)
async def create_shared_upload(
    share_id: ShareId, body: SharedUploadCreate, user: CurrentUser, uploads: ShareUploadsDep
) -> UploadCreated:
    """Editors: starts a direct upload into the shared folder (`parentId` `root`) or a folder
    inside it, as `POST /api/uploads` does (then sign parts, PUT them, complete). The file will
    be the owner's, counted against the owner's quota (507 `quota_exceeded`). Only this user's
    routes on this share reach the upload."""
    upload = await uploads.create(
        user.user_id,
        share_id,
        folder_id_of(body.parent_id),
        name=body.name,
        size=body.size,
        content_type=body.type,
        on_conflict=OnConflict(body.on_conflict),
        modified_at=body.modified_at,
        part_size=body.part_size,
    )
    return UploadCreated.from_domain(upload, max_parts_per_request=uploads.max_parts_per_request)


@shared.post("/{share_id}/uploads/{upload_id:item_id}/parts", responses=error_responses(401, 403, 404, 422, 503))
async def sign_shared_upload_parts(
    share_id: ShareId, upload_id: str, body: PartsSign, user: CurrentUser, uploads: ShareUploadsDep
) -> SignedPartsRead:
    """Editors: a presigned PUT URL for each part, bound to its size and SHA-256, as
    `POST /api/uploads/{id}/parts`."""
    signed = await uploads.sign_parts(
        user.user_id, share_id, upload_id, [PartRequest(part.number, part.size, part.sha256) for part in body.parts]
    )
    return SignedPartsRead(parts=[SignedPartRead.from_domain(part) for part in signed])


@shared.get("/{share_id}/uploads/{upload_id:item_id}", responses=error_responses(401, 403, 404, 503))
async def read_shared_upload(
    share_id: ShareId, upload_id: str, user: CurrentUser, uploads: ShareUploadsDep
) -> UploadRead:
    """Editors: the upload and the parts S3 holds already, to resume."""
    upload, parts = await uploads.get(user.user_id, share_id, upload_id)
    return UploadRead.from_domain(upload, parts)


@shared.post(
    "/{share_id}/uploads/{upload_id:item_id}/complete",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 404, 409, 422, 503, 507),
)
async def complete_shared_upload(
    share_id: ShareId, upload_id: str, body: UploadComplete, user: CurrentUser, uploads: ShareUploadsDep
) -> ItemRead:
    """Editors: joins the parts into the owner's file, as `POST /api/uploads/{id}/complete`. The
    grant is checked again before the file is recorded: an editor removed (404) or made a viewer
    (403 `viewer_only`) meanwhile is refused and the bytes are deleted."""
    item = await uploads.complete(
        user.user_id,
        share_id,
        upload_id,
        [CompletedPart(part.number, part.etag, part.sha256) for part in body.parts],
    )
    return shared_item_read(item, [], is_root=False)


@shared.delete(
    "/{share_id}/uploads/{upload_id:item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 503),
)
async def abort_shared_upload(
    share_id: ShareId, upload_id: str, user: CurrentUser, uploads: ShareUploadsDep
) -> Response:
    """Editors: aborts the upload; the parts S3 holds are dropped."""
    await uploads.abort(user.user_id, share_id, upload_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@shared.patch("/{share_id}/items/{item_id}", responses=error_responses(401, 403, 404, 409, 422, 503))
async def update_shared_item(
    share_id: ShareId, item_id: ShareId, body: SharedItemUpdate, user: CurrentUser, use: PeopleDep
) -> ItemRead:
    """Editors: renames and/or moves an item inside the share (`parentId` `root`: the shared
    folder). 403 `shared_root_fixed` for the shared item itself."""
    item = await use.edit.update(
        user.user_id,
        share_id,
        item_id,
        name=body.name if body.name is not None else UNSET,
        parent_id=folder_id_of(body.parent_id) if "parent_id" in body.model_fields_set else UNSET,
    )
    return shared_item_read(item, [], is_root=False)


@shared.delete(
    "/{share_id}/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 403, 404, 503)
)
async def trash_shared_item(share_id: ShareId, item_id: ShareId, user: CurrentUser, use: PeopleDep) -> Response:
    """Editors: moves an item inside the share to the owner's trash."""
    await use.edit.trash(user.user_id, share_id, item_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


__all__ = ["people", "shared"]
