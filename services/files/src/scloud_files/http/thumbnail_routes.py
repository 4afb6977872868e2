"""The link to a file's thumbnail."""

from typing import Annotated

from fastapi import APIRouter, Query

from scloud_common.auth_deps import require_scope
from scloud_common.scopes import Scope
from scloud_common.web import error_responses
from scloud_files.domain import Rendition
from scloud_files.http import path_convertor  # noqa: F401  registers `{...:item_id}` before the routes below
from scloud_files.http.deps import CreateThumbnailLinkDep, CurrentUser
from scloud_files.http.schemas import ThumbnailLinkRead

thumbnails = APIRouter(
    prefix="/files", tags=["files"], dependencies=[require_scope(Scope.FILES_READ, Scope.FILES_WRITE)]
)


@thumbnails.get("/{file_id:item_id}/thumbnail", responses=error_responses(401, 404, 422, 503))
async def create_thumbnail_link(
    file_id: str,
    user: CurrentUser,
    create_link: CreateThumbnailLinkDep,
    size: Annotated[
        Rendition, Query(description="`small` (256 px) for the grid, `large` (1280 px) for the preview.")
    ] = Rendition.SMALL,
) -> ThumbnailLinkRead:
    """A short-lived link to the image's thumbnail (WebP). 404 `thumbnail_not_found` while it has
    none: not an image, not made yet, or refused (too large, broken or hostile)."""
    url, expires_at = await create_link(user.user_id, file_id, size)
    return ThumbnailLinkRead(url=url, expires_at=expires_at)
