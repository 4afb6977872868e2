"""Starred: star and unstar the user's items, and list what they starred."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from scloud_common.auth_deps import require_scope
from scloud_common.scopes import Scope
from scloud_common.web import error_responses
from scloud_files.http import path_convertor  # noqa: F401  registers `{...:item_id}` before the routes below
from scloud_files.http.deps import CurrentUser, StarringDep
from scloud_files.http.schemas import ItemPageRead

Limit = Annotated[int, Query(ge=1, le=200, description="Items per page.")]
Cursor = Annotated[str | None, Query(max_length=2000, description="`nextCursor` of the previous page.")]

starred = APIRouter(
    prefix="/files/starred", tags=["starred"], dependencies=[require_scope(Scope.FILES_READ, Scope.FILES_WRITE)]
)


@starred.get("", responses=error_responses(401, 422, 503))
async def list_starred(
    user: CurrentUser, starring: StarringDep, limit: Limit = 50, cursor: Cursor = None
) -> ItemPageRead:
    """The items the user starred, newest star first, each with its folder path, as a folder
    listing shows them. An item in the trash (or in a trashed folder) is not listed until it is
    restored, so a page may hold fewer than `limit` items, even none, while `nextCursor` is not
    null: keep asking with the cursor while more rows are wanted."""
    return ItemPageRead.from_domain(await starring.list(user.user_id, limit=limit, cursor=cursor), with_paths=True)


@starred.put("/{item_id:item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 503))
async def star_item(item_id: str, user: CurrentUser, starring: StarringDep) -> Response:
    """Stars a file or folder of the user's. Idempotent: starring it again keeps its place in
    Starred. 404 `item_not_found` for an item that is not the user's, or is in the trash."""
    await starring.star(user.user_id, item_id, starred=True)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@starred.delete("/{item_id:item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 503))
async def unstar_item(item_id: str, user: CurrentUser, starring: StarringDep) -> Response:
    """Unstars a file or folder of the user's. Idempotent. 404 `item_not_found` for an item that
    is not the user's, or is in the trash."""
    await starring.star(user.user_id, item_id, starred=False)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
