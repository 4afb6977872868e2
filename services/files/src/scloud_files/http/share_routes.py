"""Share links: the owner's routes, and the public ones a visitor calls signed out (the gateway
passes them on without a token, and adds `X-Robots-Tag: noindex` to every answer under the public
prefix, errors included, its own and FastAPI's)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response, status

from scloud_common.auth_deps import require_scope
from scloud_common.scopes import Scope
from scloud_common.web import error_responses
from scloud_files.domain import LINK_ID_PATTERN, SortField, Visitor
from scloud_files.drive.clock import timestamp, utc_now
from scloud_files.drive.move import UNSET
from scloud_files.http.deps import CurrentUser, SharingDep
from scloud_files.http.schemas import ROOT_ID, ArchiveLinkRead, DownloadLinkRead
from scloud_files.http.share_schemas import (
    AccessEntryRead,
    AccessLogRead,
    LinkUnlock,
    LinkUnlockRead,
    SharedArchiveCreate,
    SharedEntryRead,
    SharedFolderPageRead,
    SharedItemRead,
    ShareLinkCreate,
    ShareLinkCreated,
    ShareLinkPageRead,
    ShareLinkRead,
    ShareLinkUpdate,
)

PUBLIC_PAGE = "/s/{}"
links = APIRouter(
    prefix="/files/links", tags=["share links"], dependencies=[require_scope(Scope.FILES_READ, Scope.SHARES_WRITE)]
)
public = APIRouter(prefix="/files/public/links", tags=["public links"])

Limit = Annotated[int, Query(ge=1, le=200, description="Entries per page.")]
Cursor = Annotated[str | None, Query(max_length=200, description="`nextCursor` of the previous page.")]
LinkId = Annotated[str, Path(pattern=f"^{LINK_ID_PATTERN}$", description="The link id from `/s/<linkId>`.")]
ItemId = Annotated[str, Path(max_length=40, description="An item inside the link's folder; `root` is the folder.")]
Sort = Annotated[Literal["name", "size", "modified"], Query(description="Folders first, then files, each sorted.")]
Order = Annotated[Literal["asc", "desc"], Query()]
PageCursor = Annotated[str | None, Query(max_length=2000, description="`nextCursor` of the previous page.")]
Unlock = Annotated[
    str | None,
    Header(alias="X-Share-Unlock", max_length=200, description="The unlock token of a password-protected link."),
]


def _visitor(request: Request) -> Visitor:
    return Visitor.of(
        user_agent=request.headers.get("user-agent"), address=request.client.host if request.client else None
    )


@links.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(401, 403, 404, 422, 503))
async def create_link(body: ShareLinkCreate, user: CurrentUser, sharing: SharingDep) -> ShareLinkCreated:
    """A share link to a file or a folder of the user's. Only an account whose email is verified
    may share (403 `email_not_verified`). 422 `invalid_expiry` past the maximum (details
    `maxDays`) or in the past. The link id is in this answer only: the service keeps its hash."""
    link, link_id = await sharing.create(
        user.user_id,
        body.item_id,
        expires_at=body.expires_at,
        password=body.password,
        download_limit=body.download_limit,
        show_owner_name=body.show_owner_name,
    )
    read = ShareLinkRead.from_domain(link, timestamp(utc_now()))
    return ShareLinkCreated(**read.model_dump(), link_id=link_id, url=PUBLIC_PAGE.format(link_id))


@links.get("", responses=error_responses(401, 422, 503))
async def list_links(
    user: CurrentUser, sharing: SharingDep, limit: Limit = 50, cursor: Cursor = None
) -> ShareLinkPageRead:
    """The user's links, newest first, with their state and counts; revoked and expired ones
    stay listed until they are forgotten with their log."""
    page, next_cursor = await sharing.list(user.user_id, limit=limit, cursor=cursor)
    now = timestamp(utc_now())
    return ShareLinkPageRead(items=[ShareLinkRead.from_domain(link, now) for link in page], next_cursor=next_cursor)


@links.get("/{link_ref}", responses=error_responses(401, 404, 503))
async def read_link(link_ref: str, user: CurrentUser, sharing: SharingDep) -> ShareLinkRead:
    return ShareLinkRead.from_domain(await sharing.get(user.user_id, link_ref), timestamp(utc_now()))


@links.patch("/{link_ref}", responses=error_responses(401, 404, 422, 503))
async def update_link(link_ref: str, body: ShareLinkUpdate, user: CurrentUser, sharing: SharingDep) -> ShareLinkRead:
    """Changes what is sent: a new expiry (bounded from now), a new password or none (null), a
    download limit or none (null), whether the owner's name shows. The counts stay."""
    sent = body.model_fields_set
    link = await sharing.update(
        user.user_id,
        link_ref,
        expires_at=body.expires_at if "expires_at" in sent and body.expires_at is not None else UNSET,
        password=body.password if "password" in sent else UNSET,
        download_limit=body.download_limit if "download_limit" in sent else UNSET,
        show_owner_name=body.show_owner_name if body.show_owner_name is not None else UNSET,
    )
    return ShareLinkRead.from_domain(link, timestamp(utc_now()))


@links.delete("/{link_ref}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 503))
async def revoke_link(link_ref: str, user: CurrentUser, sharing: SharingDep) -> Response:
    """Revokes the link at once: visitors get 410 `link_revoked` from now on."""
    await sharing.revoke(user.user_id, link_ref)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@links.get("/{link_ref}/log", responses=error_responses(401, 404, 422, 503))
async def read_link_log(
    link_ref: str, user: CurrentUser, sharing: SharingDep, limit: Limit = 50, cursor: Cursor = None
) -> AccessLogRead:
    """The link's access log, newest first: opens, downloads and refusals, each with the browser
    family and the network prefix of the client, never its address."""
    link, entries, next_cursor = await sharing.read_log(user.user_id, link_ref, limit=limit, cursor=cursor)
    return AccessLogRead(
        link=ShareLinkRead.from_domain(link, timestamp(utc_now())),
        items=[AccessEntryRead.from_domain(entry) for entry in entries],
        next_cursor=next_cursor,
    )


@public.get("/{link_id}", responses=error_responses(401, 404, 410, 503))
async def open_link(link_id: LinkId, request: Request, sharing: SharingDep, unlock: Unlock = None) -> SharedItemRead:
    """What the link shares, signed out. 404 `link_not_found` (unknown, or the item or the
    account is gone); 410 `link_revoked`, `link_expired`, `link_exhausted`; 401
    `password_required` without a valid `X-Share-Unlock`."""
    return SharedItemRead.from_domain(await sharing.open(link_id, _visitor(request), unlock=unlock))


@public.post("/{link_id}/unlock", responses=error_responses(403, 404, 410, 422, 429, 503))
async def unlock_link(link_id: LinkId, body: LinkUnlock, request: Request, sharing: SharingDep) -> LinkUnlockRead:
    """Checks the link's password: 403 `wrong_password`; too many wrong ones for this link or
    from this network, 429 `too_many_attempts` with `Retry-After`."""
    token, expires_at = await sharing.unlock(link_id, body.password, _visitor(request))
    return LinkUnlockRead(unlock_token=token, expires_at=expires_at)


@public.post("/{link_id}/download", responses=error_responses(401, 404, 410, 422, 503))
async def download_link(
    link_id: LinkId, request: Request, sharing: SharingDep, unlock: Unlock = None
) -> DownloadLinkRead:
    """A short-lived URL of the shared file's bytes, counted against the link's download limit.
    422 `link_is_folder` for a folder link."""
    url, expires_at = await sharing.download(link_id, _visitor(request), unlock=unlock)
    return DownloadLinkRead(url=url, expires_at=expires_at)


@public.get("/{link_id}/preview", responses=error_responses(401, 404, 410, 422, 503))
async def preview_link(
    link_id: LinkId, request: Request, sharing: SharingDep, unlock: Unlock = None
) -> DownloadLinkRead:
    """A short-lived URL that shows the shared file in the browser, as its `preview` says (inline,
    or as plain text), never as an attachment. Not counted against the download limit; logged as
    an `open`. 422 `not_previewable` for a file whose `preview` is null, `link_is_folder`."""
    url, expires_at = await sharing.preview(link_id, _visitor(request), unlock=unlock, file_id=None)
    return DownloadLinkRead(url=url, expires_at=expires_at)


def _item_id(value: str) -> str | None:
    return None if value == ROOT_ID else value


@public.get("/{link_id}/folders/{folder_id}/children", responses=error_responses(401, 404, 410, 422, 503))
async def list_shared_folder(
    link_id: LinkId,
    folder_id: ItemId,
    request: Request,
    sharing: SharingDep,
    unlock: Unlock = None,
    sort: Sort = "name",
    order: Order = "asc",
    limit: Limit = 50,
    cursor: PageCursor = None,
) -> SharedFolderPageRead:
    """A page of a folder link's folder (`root`) or of a folder inside it, ordered as the owner's
    listing. 404 `item_not_found` for any id the link does not reach: outside its folder,
    trashed, another user's, or unknown."""
    shared = await sharing.list_folder(
        link_id,
        _visitor(request),
        unlock=unlock,
        folder_id=_item_id(folder_id),
        sort=SortField(sort),
        descending=order == "desc",
        limit=limit,
        cursor=cursor,
    )
    return SharedFolderPageRead.from_domain(shared)


@public.get("/{link_id}/items/{item_id}", responses=error_responses(401, 404, 410, 503))
async def read_shared_item(
    link_id: LinkId, item_id: ItemId, request: Request, sharing: SharingDep, unlock: Unlock = None
) -> SharedEntryRead:
    """A file or folder the link reaches, with the folders between the link's folder and it."""
    entry = await sharing.get_item(link_id, _visitor(request), unlock=unlock, item_id=_item_id(item_id))
    return SharedEntryRead.from_domain(entry)


@public.post("/{link_id}/files/{file_id}/download", responses=error_responses(401, 404, 410, 503))
async def download_shared_file(
    link_id: LinkId, file_id: ItemId, request: Request, sharing: SharingDep, unlock: Unlock = None
) -> DownloadLinkRead:
    """A short-lived URL of one file the link reaches, counted as one download against the
    link's limit (410 `link_exhausted` past it)."""
    url, expires_at = await sharing.download_file(link_id, _visitor(request), unlock=unlock, file_id=_item_id(file_id))
    return DownloadLinkRead(url=url, expires_at=expires_at)


@public.get("/{link_id}/files/{file_id}/preview", responses=error_responses(401, 404, 410, 422, 503))
async def preview_shared_file(
    link_id: LinkId, file_id: ItemId, request: Request, sharing: SharingDep, unlock: Unlock = None
) -> DownloadLinkRead:
    """A short-lived URL that shows one file the folder link reaches in the browser, as the
    link's own `preview` route does: not a download, logged as an `open`."""
    url, expires_at = await sharing.preview(link_id, _visitor(request), unlock=unlock, file_id=_item_id(file_id))
    return DownloadLinkRead(url=url, expires_at=expires_at)


@public.post("/{link_id}/archive", responses=error_responses(401, 404, 410, 422, 503))
async def zip_shared_items(
    link_id: LinkId, body: SharedArchiveCreate, request: Request, sharing: SharingDep, unlock: Unlock = None
) -> ArchiveLinkRead:
    """A one-time link (GET within a minute) to the ZIP of items the link reaches (`root`: the
    whole folder), counted as one download. 404 `item_not_found` if any id is outside it."""
    token, expires_at = await sharing.zip(
        link_id, _visitor(request), unlock=unlock, item_ids=[_item_id(item_id) for item_id in body.ids]
    )
    return ArchiveLinkRead.for_token(token, expires_at)


__all__ = ["links", "public"]
