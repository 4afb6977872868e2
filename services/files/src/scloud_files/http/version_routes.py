"""A file's versions: listed, downloaded and restored. Uploads make them (any upload over a file
with `onConflict` `replace`)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from scloud_common.auth_deps import require_scope
from scloud_common.scopes import Scope
from scloud_common.web import error_responses
from scloud_files.http import path_convertor  # noqa: F401  registers `{...:item_id}` before the routes below
from scloud_files.http.deps import CurrentUser, VersionsDep
from scloud_files.http.schemas import DownloadLinkRead, ItemRead
from scloud_files.http.version_schemas import VersionListRead, VersionRead

versions = APIRouter(
    prefix="/files", tags=["versions"], dependencies=[require_scope(Scope.FILES_READ, Scope.FILES_WRITE)]
)


@versions.get("/{file_id:item_id}/versions", responses=error_responses(401, 404, 422, 503))
async def list_versions(file_id: str, user: CurrentUser, versions_of: VersionsDep) -> VersionListRead:
    """The file's versions, the current one first. 404 `file_not_found` for a trashed file or
    another user's."""
    _, listed = await versions_of.list(user.user_id, file_id)
    return VersionListRead(items=[VersionRead.from_domain(version) for version in listed])


@versions.get(
    "/{file_id:item_id}/versions/{version_id:item_id}/download", responses=error_responses(401, 404, 422, 503)
)
async def create_version_download_link(
    file_id: str,
    version_id: str,
    user: CurrentUser,
    versions_of: VersionsDep,
    disposition: Annotated[
        Literal["attachment", "inline"],
        Query(description="`inline` to display the version (previews); honoured only for types safe inline."),
    ] = "attachment",
) -> DownloadLinkRead:
    """A short-lived link to the version's bytes under the file's name. 404
    `version_not_found` for a version the file does not have (any more)."""
    url, expires_at = await versions_of.create_link(user.user_id, file_id, version_id, inline=disposition == "inline")
    return DownloadLinkRead(url=url, expires_at=expires_at)


@versions.post(
    "/{file_id:item_id}/versions/{version_id:item_id}/restore", responses=error_responses(401, 404, 422, 503, 507)
)
async def restore_version(file_id: str, version_id: str, user: CurrentUser, versions_of: VersionsDep) -> ItemRead:
    """Makes a copy of the version the file's new version: nothing of the history is lost, and
    the copy counts against the quota (507 `quota_exceeded` without room for it)."""
    return ItemRead.from_domain(await versions_of.restore(user.user_id, file_id, version_id))
