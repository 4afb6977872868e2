"""Share links: the owner's routes, and the public ones a visitor calls signed out (the gateway
passes them on without a token; they answer `X-Robots-Tag: noindex`, errors included)."""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from fastapi.routing import APIRoute

from scloud_common.errors import AppError
from scloud_common.web import app_error_response, error_responses
from scloud_files.domain import LINK_ID_PATTERN, Visitor
from scloud_files.drive.clock import timestamp, utc_now
from scloud_files.drive.move import UNSET
from scloud_files.http.deps import CurrentUser, SharingDep
from scloud_files.http.schemas import DownloadLinkRead
from scloud_files.http.share_schemas import (
    AccessEntryRead,
    AccessLogRead,
    LinkUnlock,
    LinkUnlockRead,
    SharedItemRead,
    ShareLinkCreate,
    ShareLinkCreated,
    ShareLinkPageRead,
    ShareLinkRead,
    ShareLinkUpdate,
)

PUBLIC_PAGE = "/s/{}"
ROBOTS = {"X-Robots-Tag": "noindex, nofollow"}


class NoIndexRoute(APIRoute):
    """Adds ROBOTS to every answer of the route, refusals included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except AppError as exc:
                response = app_error_response(exc)
            response.headers.update(ROBOTS)
            return response

        return route


links = APIRouter(prefix="/api/files/links", tags=["share links"])
public = APIRouter(prefix="/api/files/public/links", tags=["public links"], route_class=NoIndexRoute)

Limit = Annotated[int, Query(ge=1, le=200, description="Entries per page.")]
Cursor = Annotated[str | None, Query(max_length=200, description="`nextCursor` of the previous page.")]
LinkId = Annotated[str, Path(pattern=f"^{LINK_ID_PATTERN}$", description="The link id from `/s/<linkId>`.")]
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


__all__ = ["links", "public"]
