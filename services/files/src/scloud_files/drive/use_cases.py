"""Every use case of the files service, built once over the ports. Routes and servicers take the
use case they call (http/deps.py); bootstrap and the command-line tools build them here."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from scloud_files.domain import FileIdGenerator
from scloud_files.drive.account import DeleteUserFiles, GetStorageUsage
from scloud_files.drive.archive import CreateArchive, OpenArchive
from scloud_files.drive.bulk import BulkRunner
from scloud_files.drive.clock import Clock, utc_now
from scloud_files.drive.download_link import CreateDownloadLink, GetFile
from scloud_files.drive.flat_listing import ListFiles
from scloud_files.drive.folder import CreateFolder, GetFolder, ListChildren
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.migration import FileUnfiled
from scloud_files.drive.move import MoveItems, UpdateItem
from scloud_files.drive.name_clash import NameClash
from scloud_files.drive.purge import PurgeDue
from scloud_files.drive.search import SearchItems
from scloud_files.drive.trash import DeleteForever, EmptyTrash, ListTrash, RestoreItems, TrashItem, TrashItems
from scloud_files.drive.trashing import Trasher
from scloud_files.drive.upload import UploadFile
from scloud_files.drive.upload_slots import UploadSlots
from scloud_files.ports import BlobStore, FileRepository
from scloud_files.zip_archive import ArchiveWriter


@dataclass(frozen=True)
class Drive:
    get_folder: GetFolder
    list_children: ListChildren
    create_folder: CreateFolder
    upload_file: UploadFile
    list_files: ListFiles
    get_file: GetFile
    create_download_link: CreateDownloadLink
    update_item: UpdateItem
    move_items: MoveItems
    search: SearchItems
    trash_item: TrashItem
    trash_items: TrashItems
    list_trash: ListTrash
    restore_items: RestoreItems
    delete_forever: DeleteForever
    empty_trash: EmptyTrash
    purge_due: PurgeDue
    create_archive: CreateArchive
    open_archive: OpenArchive
    get_storage_usage: GetStorageUsage
    delete_user_files: DeleteUserFiles
    file_unfiled: FileUnfiled


def build_drive(
    repository: FileRepository,
    blob_store: BlobStore,
    *,
    max_upload_bytes: int,
    download_url_ttl_seconds: int,
    trash_retention_days: int = 30,
    bulk_concurrency: int = 8,
    bulk_budget_seconds: float = 5.0,
    search_examined_per_request: int = 1000,
    monotonic: Callable[[], float] = time.monotonic,
    archive_writer: ArchiveWriter | None = None,
    max_uploads_per_user: int = 4,
    max_uploads: int = 16,
    new_file_id: Callable[[], str] | None = None,
    now: Clock = utc_now,
) -> Drive:
    new_id = new_file_id or FileIdGenerator()
    paths = FolderPaths(repository)
    trasher = Trasher(repository, retention=timedelta(days=trash_retention_days), now=now)
    names = NameClash(repository, trasher)
    bulk = BulkRunner(concurrency=bulk_concurrency, budget_seconds=bulk_budget_seconds, monotonic=monotonic)
    get_file = GetFile(paths)
    update_item = UpdateItem(repository, paths, names, now=now)
    trash_item = TrashItem(paths, trasher)
    purge_due = PurgeDue(repository, blob_store, now=now)
    return Drive(
        get_folder=GetFolder(paths),
        list_children=ListChildren(repository, paths),
        create_folder=CreateFolder(repository, paths, names, new_id=new_id, now=now),
        upload_file=UploadFile(
            repository,
            blob_store,
            paths,
            names,
            max_upload_bytes=max_upload_bytes,
            slots=UploadSlots(per_user=max_uploads_per_user, overall=max_uploads),
            new_id=new_id,
            now=now,
        ),
        list_files=ListFiles(repository, paths),
        get_file=get_file,
        create_download_link=CreateDownloadLink(get_file, blob_store, ttl_seconds=download_url_ttl_seconds, now=now),
        update_item=update_item,
        move_items=MoveItems(update_item, paths, bulk),
        search=SearchItems(repository, paths, examined_per_request=search_examined_per_request),
        trash_item=trash_item,
        trash_items=TrashItems(trash_item, bulk),
        list_trash=ListTrash(repository, paths),
        restore_items=RestoreItems(repository, paths, names, bulk),
        delete_forever=DeleteForever(repository, bulk, purge_requested=purge_due.requested, now=now),
        empty_trash=EmptyTrash(repository, purge_requested=purge_due.requested, now=now),
        purge_due=purge_due,
        create_archive=CreateArchive(repository, paths, now=now),
        open_archive=OpenArchive(
            repository,
            blob_store,
            paths,
            archive_writer or ArchiveWriter(max_archives=8, max_per_user=2, stall_seconds=30),
            now=now,
        ),
        get_storage_usage=GetStorageUsage(repository),
        delete_user_files=DeleteUserFiles(repository, blob_store),
        file_unfiled=FileUnfiled(repository, names),
    )
