"""What a route depends on: the signed-in user and the one use case it calls."""

from collections.abc import Callable, Coroutine
from operator import attrgetter
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from scloud_common.auth_deps import CurrentUser
from scloud_common.errors import ServiceUnavailable
from scloud_files.drive.archive import CreateArchive, OpenArchive
from scloud_files.drive.copy_job import CopyItems, CopyJobs
from scloud_files.drive.download_link import CreateDownloadLink, GetFile
from scloud_files.drive.flat_listing import ListFiles
from scloud_files.drive.folder import CreateFolder, GetFolder, ListChildren
from scloud_files.drive.move import MoveItems, UpdateItem
from scloud_files.drive.quota import ReadStorageLimits
from scloud_files.drive.search import SearchItems
from scloud_files.drive.star import StarMarks
from scloud_files.drive.thumbnail import CreateThumbnailLink
from scloud_files.drive.trash import DeleteForever, EmptyTrash, ListTrash, RestoreItems, TrashItem, TrashItems
from scloud_files.drive.upload import UploadFile
from scloud_files.drive.use_cases import DirectUploads, Drive, FileRequests, Sharing, Starring, Versions

__all__ = ["CurrentUser"]

UseCase = TypeVar("UseCase")


# The dependencies are coroutines because FastAPI runs a plain function in a worker thread: a
# thread hop on every request, for an attribute read.
def _from_drive(pick: Callable[[Drive], UseCase]) -> Callable[[Request], Coroutine[Any, Any, UseCase]]:
    async def use_case(request: Request) -> UseCase:
        drive: Drive = request.app.state.container.service
        return pick(drive)

    return use_case


GetFolderDep = Annotated[GetFolder, Depends(_from_drive(attrgetter("get_folder")))]
ListChildrenDep = Annotated[ListChildren, Depends(_from_drive(attrgetter("list_children")))]
CreateFolderDep = Annotated[CreateFolder, Depends(_from_drive(attrgetter("create_folder")))]
UploadFileDep = Annotated[UploadFile, Depends(_from_drive(attrgetter("upload_file")))]
ListFilesDep = Annotated[ListFiles, Depends(_from_drive(attrgetter("list_files")))]
GetFileDep = Annotated[GetFile, Depends(_from_drive(attrgetter("get_file")))]
CreateDownloadLinkDep = Annotated[CreateDownloadLink, Depends(_from_drive(attrgetter("create_download_link")))]
CreateThumbnailLinkDep = Annotated[CreateThumbnailLink, Depends(_from_drive(attrgetter("create_thumbnail_link")))]
UpdateItemDep = Annotated[UpdateItem, Depends(_from_drive(attrgetter("update_item")))]
VersionsDep = Annotated[Versions, Depends(_from_drive(attrgetter("versions")))]
MoveItemsDep = Annotated[MoveItems, Depends(_from_drive(attrgetter("move_items")))]
SearchItemsDep = Annotated[SearchItems, Depends(_from_drive(attrgetter("search")))]
TrashItemDep = Annotated[TrashItem, Depends(_from_drive(attrgetter("trash_item")))]
TrashItemsDep = Annotated[TrashItems, Depends(_from_drive(attrgetter("trash_items")))]
ListTrashDep = Annotated[ListTrash, Depends(_from_drive(attrgetter("list_trash")))]
RestoreItemsDep = Annotated[RestoreItems, Depends(_from_drive(attrgetter("restore_items")))]
DeleteForeverDep = Annotated[DeleteForever, Depends(_from_drive(attrgetter("delete_forever")))]
EmptyTrashDep = Annotated[EmptyTrash, Depends(_from_drive(attrgetter("empty_trash")))]
CreateArchiveDep = Annotated[CreateArchive, Depends(_from_drive(attrgetter("create_archive")))]
OpenArchiveDep = Annotated[OpenArchive, Depends(_from_drive(attrgetter("open_archive")))]
ReadStorageLimitsDep = Annotated[ReadStorageLimits, Depends(_from_drive(attrgetter("read_limits")))]
StarMarksDep = Annotated[StarMarks, Depends(_from_drive(attrgetter("star_marks")))]
CopyItemsDep = Annotated[CopyItems, Depends(_from_drive(attrgetter("copy_items")))]


async def _copy_jobs(request: Request) -> CopyJobs:
    drive: Drive = request.app.state.container.service
    if drive.copy_jobs is None:
        raise ServiceUnavailable()
    return drive.copy_jobs


CopyJobsDep = Annotated[CopyJobs, Depends(_copy_jobs)]


async def _direct_uploads(request: Request) -> DirectUploads:
    drive: Drive = request.app.state.container.service
    if drive.direct is None:
        raise ServiceUnavailable()
    return drive.direct


DirectUploadsDep = Annotated[DirectUploads, Depends(_direct_uploads)]


async def _starring(request: Request) -> Starring:
    drive: Drive = request.app.state.container.service
    if drive.starring is None:
        raise ServiceUnavailable()
    return drive.starring


StarringDep = Annotated[Starring, Depends(_starring)]


async def _sharing(request: Request) -> Sharing:
    drive: Drive = request.app.state.container.service
    if drive.sharing is None:
        raise ServiceUnavailable()
    return drive.sharing


SharingDep = Annotated[Sharing, Depends(_sharing)]


async def _file_requests(request: Request) -> FileRequests:
    drive: Drive = request.app.state.container.service
    if drive.requests is None:
        raise ServiceUnavailable()
    return drive.requests


FileRequestsDep = Annotated[FileRequests, Depends(_file_requests)]
