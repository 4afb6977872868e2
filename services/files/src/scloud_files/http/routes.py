from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse, StreamingResponse

from scloud_common.auth_deps import require_scope
from scloud_common.scopes import Scope
from scloud_common.web import error_responses
from scloud_files.domain import (
    Item,
    ItemKind,
    OnConflict,
    SortField,
    content_disposition,
)
from scloud_files.drive.move import UNSET, UpdateItem
from scloud_files.http import path_convertor  # noqa: F401  registers `{...:item_id}` before the routes below
from scloud_files.http.deps import (
    CreateArchiveDep,
    CreateDownloadLinkDep,
    CreateFolderDep,
    CurrentUser,
    DeleteForeverDep,
    EmptyTrashDep,
    GetFileDep,
    GetFolderDep,
    ListChildrenDep,
    ListFilesDep,
    ListTrashDep,
    MoveItemsDep,
    OpenArchiveDep,
    ReadStorageLimitsDep,
    RestoreItemsDep,
    SearchItemsDep,
    StarMarksDep,
    TrashItemDep,
    TrashItemsDep,
    UpdateItemDep,
    UploadFileDep,
)
from scloud_files.http.request_routes import public as public_requests
from scloud_files.http.request_routes import requests as file_requests
from scloud_files.http.schemas import (
    ROOT_ID,
    ArchiveCreate,
    ArchiveLinkRead,
    BulkResultRead,
    DownloadLinkRead,
    FolderCreate,
    ItemPageRead,
    ItemRead,
    ItemsMove,
    ItemsSelection,
    ItemUpdate,
    LimitsRead,
    Rfc3339Time,
    TrashRestore,
)
from scloud_files.http.share_routes import links as share_links
from scloud_files.http.share_routes import public as public_links
from scloud_files.http.star_routes import starred
from scloud_files.http.thumbnail_routes import thumbnails
from scloud_files.http.upload_reader import receive_file
from scloud_files.http.upload_routes import uploads
from scloud_files.http.version_routes import versions

files = APIRouter(prefix="/files", tags=["files"], dependencies=[require_scope(Scope.FILES_READ, Scope.FILES_WRITE)])
folders = APIRouter(
    prefix="/folders", tags=["folders"], dependencies=[require_scope(Scope.FILES_READ, Scope.FILES_WRITE)]
)
items = APIRouter(prefix="/items", tags=["items"], dependencies=[require_scope(Scope.FILES_READ, Scope.FILES_WRITE)])
search = APIRouter(prefix="/search", tags=["search"], dependencies=[require_scope(Scope.FILES_READ, Scope.FILES_WRITE)])
trash = APIRouter(prefix="/trash", tags=["trash"], dependencies=[require_scope(Scope.FILES_READ, Scope.FILES_WRITE)])

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

Limit = Annotated[int, Query(ge=1, le=200, description="Items per page.")]
Cursor = Annotated[str | None, Query(max_length=2000, description="`nextCursor` of the previous page.")]
Sort = Annotated[Literal["name", "size", "modified"], Query(description="Folders first, then files, each sorted.")]
Order = Annotated[Literal["asc", "desc"], Query()]


def folder_id_of(value: str | None) -> str | None:
    """`root` names the root folder everywhere; null is still accepted for it on the way in."""
    return None if value in (None, ROOT_ID) else value


@files.get("/limits", responses=error_responses(401, 503))
async def read_limits(user: CurrentUser, read_limits: ReadStorageLimitsDep) -> LimitsRead:
    """The largest file each way of uploading takes, so the browser can refuse bigger ones up
    front, the user's quota and usage (the trash's share apart) for the usage bar, and how long the
    trash keeps an item, so the browser says what the service does."""
    limits = await read_limits(user.user_id)
    return LimitsRead(
        max_upload_bytes=limits.max_upload_bytes,
        max_file_bytes=limits.max_file_bytes,
        max_batch_files=limits.max_batch_files,
        max_batch_file_bytes=limits.max_batch_file_bytes,
        trash_retention_days=limits.trash_retention_days,
        quota_bytes=limits.usage.quota,
        used_bytes=limits.usage.used,
        trash_bytes=limits.usage.trash,
    )


@files.post(
    "/upload",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_REQUEST_BODY,
    responses=error_responses(401, 404, 409, 413, 422, 429, 503, 507),
)
async def upload_file(
    request: Request,
    user: CurrentUser,
    upload: UploadFileDep,
    parent_id: Annotated[
        str | None, Query(alias="parentId", max_length=40, description="Folder to upload into; `root` by default.")
    ] = None,
    on_conflict: Annotated[
        Literal["fail", "replace", "rename"],
        Query(
            alias="onConflict",
            description="If the folder has the name: `fail` (409 `name_taken`, `details.existingId`), "
            "`replace` (the old file goes to the trash) or `rename` (`name (1).ext`).",
        ),
    ] = "fail",
    modified_at: Annotated[
        Rfc3339Time | None,
        Query(
            alias="modifiedAt",
            description="The file's own modification time (RFC 3339 with an offset, e.g. the browser's "
            "File.lastModified): the item's `modifiedAt`, clamped to now. Default: the upload time.",
        ),
    ] = None,
) -> ItemRead:
    """Stores one file, sent as multipart/form-data in exactly one field `file`. The bytes stream
    to storage as they arrive. Nothing of a refused upload is kept: 413 `file_too_large` over the
    limit, 422 `invalid_upload` for a body that is not such a form (or has two `file` fields),
    409 `name_taken`, 404 `folder_not_found` (also when the folder is deleted forever while the
    file arrives), 401 `account_closed` if the account was deleted while the file was arriving.
    507 `quota_exceeded` (details `used`, `quota`, `size`) when the bytes pass what is left of
    the user's quota. Uploads in progress are bounded before the body is read: 429 `too_many_uploads` past the
    per-user bound, 503 `busy` past the service's, both with `Retry-After` (seconds).
    The name is kept as typed (NFC, without control or zero-width characters, at most 255
    characters); `.`, `..` and names of only dots and spaces are refused with 422 `invalid_name`. The stored type is the declared one only if it is safe to show inline (images
    except SVG, PDF, plain text, audio, video); anything else is stored and served as
    `application/octet-stream`."""
    stored = await receive_file(
        request,
        user.user_id,
        upload,
        lambda part: upload(
            user.user_id,
            file_name=part.file_name,
            content_type=part.content_type,
            chunks=part.chunks,
            parent_id=folder_id_of(parent_id),
            on_conflict=OnConflict(on_conflict),
            modified_at=modified_at,
        ),
    )
    return ItemRead.from_domain(stored)


@files.get("", deprecated=True, responses=error_responses(401, 422, 503))
async def list_files(
    user: CurrentUser,
    list_newest: ListFilesDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Files per page.")] = 50,
    cursor: Cursor = None,
) -> ItemPageRead:
    """Deprecated: read folders (`/api/folders/{folderId}/children`) or search instead. The
    user's files not themselves in the trash, in every folder, newest first, a page at a time,
    as items. Kept as the cheapest signed-in request for health probes and older scripts."""
    return ItemPageRead.from_domain(await list_newest(user.user_id, limit=limit, cursor=cursor))


@files.post("/archive", responses=error_responses(401, 404, 422, 503))
async def create_archive(body: ArchiveCreate, user: CurrentUser, create: CreateArchiveDep) -> ArchiveLinkRead:
    """A link to download files and folders as one ZIP, for a plain browser navigation: it works
    once, within 60 seconds, without the Authorization header. 404 if an id is not a live item."""
    token, expires_at = await create(user.user_id, body.ids, name=body.name)
    return ArchiveLinkRead.for_token(token, expires_at)


@files.get(
    "/archive/{token}",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}}, **error_responses(404, 429, 503)},
)
async def download_archive(token: str, open_archive: OpenArchiveDep) -> StreamingResponse:
    """The ZIP, streamed as it is written from the stored bytes; folders are directories in it.
    404 `archive_not_found` for an unknown, used or expired link. 429 `too_many_archives` when
    the user has as many ZIP downloads running as allowed, 503 `busy` when the service has; both
    with Retry-After, and the link stays usable until it expires. A reader that stops reading for
    longer than the stall bound gets a cut archive."""
    file_name, blocks = await open_archive(token)
    return StreamingResponse(
        blocks,
        media_type="application/zip",
        headers={"Content-Disposition": content_disposition(file_name), "X-Accel-Buffering": "no"},
    )


@files.get("/{file_id:item_id}", responses=error_responses(401, 404, 422, 503))
async def read_file(file_id: str, user: CurrentUser, get_file: GetFileDep, star_marks: StarMarksDep) -> ItemRead:
    """The file, unless it is in the trash. 404 `file_not_found` for another user's file too."""
    file = await get_file(user.user_id, file_id)
    return ItemRead.from_domain(file, starred=await star_marks.of_item(user.user_id, file.item_id))


@files.get("/{file_id:item_id}/download", responses=error_responses(401, 404, 422, 503))
async def create_download_link(
    file_id: str,
    user: CurrentUser,
    create_link: CreateDownloadLinkDep,
    disposition: Annotated[
        Literal["attachment", "inline"],
        Query(description="`inline` to display the file (previews); honoured only for types safe inline."),
    ] = "attachment",
    as_: Annotated[
        Literal["text"] | None,
        Query(
            alias="as",
            description="`text`: serve a text-like file (code, Markdown, CSV, JSON, logs...) of at most 1 MiB as "
            "`text/plain; charset=utf-8`; 422 `not_previewable` otherwise.",
        ),
    ] = None,
) -> DownloadLinkRead:
    """A short-lived link the browser follows to download the file under its name, or to show
    it inline if asked and its type is safe inline (else it is still an attachment)."""
    url, expires_at = await create_link(user.user_id, file_id, inline=disposition == "inline", as_text=as_ == "text")
    return DownloadLinkRead(url=url, expires_at=expires_at)


@files.patch("/{file_id:item_id}", responses=error_responses(401, 404, 409, 422, 503))
async def update_file(file_id: str, body: ItemUpdate, user: CurrentUser, update: UpdateItemDep) -> ItemRead:
    """Renames and/or moves a file (`parentId` `root` is the root). 409 `name_taken`, 422
    `invalid_name`."""
    return ItemRead.from_domain(await _update(update, user.user_id, file_id, body, ItemKind.FILE))


@files.delete(
    "/{file_id:item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 422, 503)
)
async def delete_file(file_id: str, user: CurrentUser, trash_item: TrashItemDep) -> Response:
    """Moves the file to the trash."""
    await trash_item(user.user_id, file_id, kind=ItemKind.FILE)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _update(update: UpdateItem, user_id: str, item_id: str, body: ItemUpdate, kind: ItemKind) -> Item:
    """Only the fields sent change: an absent `parentId` stays, a null one is the root."""
    return await update(
        user_id,
        item_id,
        kind=kind,
        name=body.name if body.name is not None else UNSET,
        parent_id=folder_id_of(body.parent_id) if "parent_id" in body.model_fields_set else UNSET,
    )


@folders.get("/{folder_id}", responses=error_responses(401, 404, 503))
async def read_folder(
    folder_id: str, user: CurrentUser, get_folder: GetFolderDep, star_marks: StarMarksDep
) -> ItemRead:
    """The folder with its path; `root` is the root (id `root`, name "", path [])."""
    folder, path = await get_folder(user.user_id, folder_id_of(folder_id))
    if folder is None:
        return ItemRead.root()
    return ItemRead.from_domain(folder, path, starred=await star_marks.of_item(user.user_id, folder.item_id))


@folders.get("/{folder_id}/children", responses=error_responses(401, 404, 422, 503))
async def list_children(
    folder_id: str,
    user: CurrentUser,
    list_folder: ListChildrenDep,
    sort: Sort = "name",
    order: Order = "asc",
    limit: Limit = 50,
    cursor: Cursor = None,
    kind: Annotated[Literal["all", "folder"], Query(description="`folder` lists only folders.")] = "all",
) -> ItemPageRead:
    """A page of the folder's items: folders first, then files, each in the requested order
    (natural and case-insensitive for names: `file2` before `file10`). 404 `folder_not_found`
    for unknown, trashed or other users' folders."""
    page = await list_folder(
        user.user_id,
        folder_id_of(folder_id),
        sort=SortField(sort),
        descending=order == "desc",
        kinds=[ItemKind.FOLDER] if kind == "folder" else [ItemKind.FOLDER, ItemKind.FILE],
        limit=limit,
        cursor=cursor,
    )
    return ItemPageRead.from_domain(page)


@folders.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemRead,
    responses={
        200: {"model": ItemRead, "description": "`merge`: the existing folder"},
        **error_responses(401, 404, 409, 422, 503),
    },
)
async def create_folder(body: FolderCreate, user: CurrentUser, create: CreateFolderDep) -> JSONResponse:
    """Creates a folder. A taken name: 409 `name_taken` with `details.existingId`, `rename` makes
    `name (1)`, `merge` answers 200 with the existing folder."""
    folder, created = await create(
        user.user_id, name=body.name, parent_id=folder_id_of(body.parent_id), on_conflict=OnConflict(body.on_conflict)
    )
    return JSONResponse(
        ItemRead.from_domain(folder).model_dump(mode="json", by_alias=True),
        status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


@folders.patch("/{folder_id}", responses=error_responses(401, 404, 409, 422, 503))
async def update_folder(folder_id: str, body: ItemUpdate, user: CurrentUser, update: UpdateItemDep) -> ItemRead:
    """Renames and/or moves a folder with everything in it, in one write. 422 `folder_cycle` into
    itself or a subfolder, 422 `folder_too_deep` if what it holds would pass 64 levels (422
    `too_many_folders` if it holds too many folders to tell); 409 `name_taken`."""
    return ItemRead.from_domain(await _update(update, user.user_id, folder_id, body, ItemKind.FOLDER))


@folders.delete("/{folder_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 503))
async def delete_folder(folder_id: str, user: CurrentUser, trash_item: TrashItemDep) -> Response:
    """Moves the folder, with what it holds, to the trash."""
    await trash_item(user.user_id, folder_id, kind=ItemKind.FOLDER)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@items.post("/move", responses=error_responses(401, 404, 422, 503))
async def move_items(body: ItemsMove, user: CurrentUser, move: MoveItemsDep) -> BulkResultRead:
    """Moves each item into the folder, independently: refusals are listed in `failed` (e.g.
    `folder_too_deep` for a folder whose content would pass 64 levels). Like every bulk action: at
    most 500 ids (422 `too_many_items`), and what did not fit in the time budget comes back in
    `remaining`, to be sent again."""
    result = await move(
        user.user_id, body.ids, parent_id=folder_id_of(body.parent_id), on_conflict=OnConflict(body.on_conflict)
    )
    return BulkResultRead.from_domain(result)


@items.post("/trash", responses=error_responses(401, 422, 503))
async def trash_items(body: ItemsSelection, user: CurrentUser, trash_selected: TrashItemsDep) -> BulkResultRead:
    """Moves each item to the trash, independently; the rest in `remaining` (see move)."""
    return BulkResultRead.from_domain(await trash_selected(user.user_id, body.ids))


@search.get("", responses=error_responses(401, 422, 503))
async def search_items(
    user: CurrentUser,
    search_names: SearchItemsDep,
    q: Annotated[str, Query(min_length=1, max_length=100, pattern=r"\S", description="Part of a name.")],
    sort: Annotated[
        Literal["name", "size", "modified"], Query(description="Accepted for compatibility; the order is fixed.")
    ] = "name",
    order: Annotated[Literal["asc", "desc"], Query(description="Accepted for compatibility; ignored.")] = "asc",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ItemPageRead:
    """Files and folders whose name contains `q`, ignoring case and accents, in every folder not
    in the trash; each with its folder path. Newest item first, in a stable order. Each request
    examines a bounded number of names, so a page may hold fewer than `limit` items, even none,
    while `nextCursor` is not null: keep asking with the cursor while more rows are wanted."""
    page = await search_names(user.user_id, q, limit=limit, cursor=cursor)
    return ItemPageRead.from_domain(page, with_paths=True)


@trash.get("", responses=error_responses(401, 422, 503))
async def list_trash(
    user: CurrentUser, list_deleted: ListTrashDep, limit: Limit = 50, cursor: Cursor = None
) -> ItemPageRead:
    """Trashed items, newest deletion first, each with its original location as it is now."""
    return ItemPageRead.from_domain(await list_deleted(user.user_id, limit=limit, cursor=cursor), with_paths=True)


@trash.post("/restore", responses=error_responses(401, 422, 503))
async def restore_items(body: TrashRestore, user: CurrentUser, restore: RestoreItemsDep) -> BulkResultRead:
    """Back to their folder, or to the root if it is gone or trashed. A taken name fails the item
    (`name_taken`), or with `rename` keeps both, or with `replace` trashes the other."""
    result = await restore(user.user_id, body.ids, on_conflict=OnConflict(body.on_conflict))
    return BulkResultRead.from_domain(result)


@trash.post("/delete", responses=error_responses(401, 422, 503))
async def delete_forever(body: ItemsSelection, user: CurrentUser, delete: DeleteForeverDep) -> BulkResultRead:
    """Deletes trashed items forever: they leave the trash at once, and their bytes and records
    are removed right after, which frees their storage."""
    return BulkResultRead.from_domain(await delete(user.user_id, body.ids))


@trash.delete("", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 503))
async def empty_trash(user: CurrentUser, empty: EmptyTrashDep) -> Response:
    """Deletes everything in the trash forever."""
    await empty(user.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router = APIRouter()
for part in (
    share_links,
    public_links,
    file_requests,
    public_requests,
    starred,
    files,
    versions,
    thumbnails,
    folders,
    items,
    search,
    trash,
    uploads,
):
    router.include_router(part)
