"""The activity feed and Recent, under /api/v1/files: read-only, the `files:read` scope."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from scloud_common.auth_deps import require_scope
from scloud_common.errors import ServiceUnavailable
from scloud_common.scopes import Scope
from scloud_common.web import error_responses
from scloud_files.drive.use_cases import Activity, Drive
from scloud_files.http.activity_schemas import ActivityPageRead, RecentPageRead
from scloud_files.http.deps import CurrentUser
from scloud_files.http.routes import Cursor, Limit, folder_id_of

activity = APIRouter(prefix="/files", tags=["activity"], dependencies=[require_scope(Scope.FILES_READ)])


async def _activity(request: Request) -> Activity:
    drive: Drive = request.app.state.container.service
    if drive.activity is None:
        raise ServiceUnavailable()
    return drive.activity


ActivityDep = Annotated[Activity, Depends(_activity)]
ItemFilter = Annotated[
    str | None, Query(alias="itemId", max_length=64, description="Only this item's events: its history.")
]
FolderFilter = Annotated[
    str | None,
    Query(
        alias="folderId",
        max_length=64,
        description="Only this folder's events and those of what was inside it at the time (`root`: everything).",
    ),
]


@activity.get("/activity", responses=error_responses(401, 404, 422, 503))
async def list_activity(
    user: CurrentUser,
    feeds: ActivityDep,
    item_id: ItemFilter = None,
    folder_id: FolderFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ActivityPageRead:
    """What happened to the user's items, newest first: uploads, renames, moves, the trash,
    sharing and links, uploads through file requests. 422 `invalid_activity_filter` for both
    `itemId` and `folderId`."""
    page = await feeds.list(
        user.user_id, item_id=item_id, folder_id=folder_id_of(folder_id), limit=limit, cursor=cursor
    )
    return ActivityPageRead.from_domain(page)


@activity.get("/recent", responses=error_responses(401, 422, 503))
async def list_recent(
    user: CurrentUser, feeds: ActivityDep, limit: Limit = 50, cursor: Cursor = None
) -> RecentPageRead:
    """The files the user opened, uploaded or changed, the most recent first, one entry per file,
    each with its folder path; files in the trash are left out."""
    return RecentPageRead.from_domain(await feeds.recent(user.user_id, limit=limit, cursor=cursor))
