"""Every use case of the files service, built once over the ports. Routes and servicers take the
use case they call (http/deps.py); bootstrap and the command-line tools build them here."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from scloud_common.mail import Mailer, MailLayout
from scloud_files.domain import FileIdGenerator, Item, ObjectKeys, VersionRetention
from scloud_files.drive.account import DeleteUserFiles, GetStorageUsage
from scloud_files.drive.activity import DEFAULT_RETENTION, ActivityRecorder, ListActivity, ListRecent
from scloud_files.drive.archive import CreateArchive, OpenArchive
from scloud_files.drive.batch_upload import CompleteBatch, CreateBatch
from scloud_files.drive.bulk import BulkRunner
from scloud_files.drive.clock import Clock, utc_now
from scloud_files.drive.copy import CopyItem
from scloud_files.drive.copy_job import CopyItems, CopyJobs, CopyJobSettings
from scloud_files.drive.direct_upload import (
    AbortUpload,
    CreateUpload,
    DirectUploadLimits,
    GetUpload,
    PendingUploads,
    SignParts,
)
from scloud_files.drive.download_link import CreateDownloadLink, GetFile
from scloud_files.drive.file_record import FileRecorder
from scloud_files.drive.file_request import (
    CreateFileRequest,
    GetFileRequest,
    ListFileRequests,
    RequestLimits,
    RequestSettings,
    RevokeFileRequest,
    UpdateFileRequest,
)
from scloud_files.drive.flat_listing import ListFiles
from scloud_files.drive.folder import CreateFolder, GetFolder, ListChildren
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.migration import FileUnfiled
from scloud_files.drive.move import MoveItems, UpdateItem
from scloud_files.drive.name_clash import NameClash
from scloud_files.drive.page_marks import PageMarks
from scloud_files.drive.path_lookup import FindByPath, ReadFile
from scloud_files.drive.people_share import PeopleOnItem, PeoplePorts, SharePerson
from scloud_files.drive.purge import PurgeDue
from scloud_files.drive.quota import ReadStorageLimits, StorageQuota
from scloud_files.drive.request_notice import SendRequestNotices
from scloud_files.drive.request_upload import (
    AbortRequestUpload,
    CompleteRequestUpload,
    CreateRequestUpload,
    GetRequestUpload,
    OpenFileRequest,
    RequestGate,
    SignRequestParts,
)
from scloud_files.drive.search import SearchItems
from scloud_files.drive.share_link import (
    CreateShareLink,
    GetShareLink,
    LinkSettings,
    ListShareLinks,
    ReadLinkLog,
    RevokeShareLink,
    ShareLimits,
    UpdateShareLink,
)
from scloud_files.drive.share_upload import EndEditorUploads, ShareUploads
from scloud_files.drive.shared_access import DownloadSharedLink, LinkGate, OpenSharedLink, UnlockSharedLink
from scloud_files.drive.shared_folder import (
    DownloadSharedFile,
    GetSharedItem,
    LinkScope,
    ListSharedFolder,
    ZipSharedItems,
)
from scloud_files.drive.shared_mark import SharedMarks
from scloud_files.drive.shared_preview import PreviewSharedFile
from scloud_files.drive.shared_with_me import (
    EditShared,
    ListSharedWithMe,
    ReadShared,
    ShareChoices,
    ShareGate,
    nothing_to_end,
)
from scloud_files.drive.sign_in_name import SignInNames
from scloud_files.drive.star import ListStarred, StarItem, StarMarks
from scloud_files.drive.thumbnail import CreateThumbnailLink, ThumbnailWorker
from scloud_files.drive.trash import DeleteForever, EmptyTrash, ListTrash, RestoreItems, TrashItem, TrashItems
from scloud_files.drive.trashing import Trasher
from scloud_files.drive.upload import UploadFile
from scloud_files.drive.upload_completion import CompleteUpload
from scloud_files.drive.upload_slots import UploadSlots
from scloud_files.drive.upload_sweep import SweepUploads
from scloud_files.drive.versions import (
    AddVersion,
    CreateVersionDownloadLink,
    ListVersions,
    RestoreVersion,
)
from scloud_files.ports import (
    ActivityLog,
    BlobStore,
    CopyJobStore,
    FileRepository,
    FileRequestStore,
    MultipartStore,
    PasswordHasher,
    PendingUploadStore,
    ShareLinkStore,
    StarStore,
    UserDirectory,
)
from scloud_files.zip_archive import ArchiveWriter

GIB = 1024 * 1024 * 1024
DEFAULT_DIRECT_LIMITS = DirectUploadLimits(
    max_file_bytes=5 * GIB,
    part_bytes=16 * 1024 * 1024,
    upload_ttl=timedelta(hours=24),
    part_url_ttl_seconds=600,
    max_parts_per_request=100,
    max_pending_per_user=32,
)


@dataclass(frozen=True)
class DirectUploads:
    """The direct-upload protocol (the bytes go to S3 over presigned part URLs) and its sweeper."""

    create: CreateUpload
    sign_parts: SignParts
    get: GetUpload
    complete: CompleteUpload
    abort: AbortUpload
    sweep: SweepUploads
    create_batch: CreateBatch
    complete_batch: CompleteBatch


@dataclass(frozen=True)
class Sharing:
    """Share links: the owner's use cases, and the public ones a visitor calls signed out."""

    create: CreateShareLink
    list: ListShareLinks
    get: GetShareLink
    update: UpdateShareLink
    revoke: RevokeShareLink
    read_log: ReadLinkLog
    open: OpenSharedLink
    unlock: UnlockSharedLink
    download: DownloadSharedLink
    list_folder: ListSharedFolder
    get_item: GetSharedItem
    download_file: DownloadSharedFile
    zip: ZipSharedItems
    preview: PreviewSharedFile


@dataclass(frozen=True)
class FileRequests:
    """File requests: the owner's use cases, the visitor's (the direct-upload protocol into the
    request's folder) and the owner's batched notices."""

    create: CreateFileRequest
    list: ListFileRequests
    get: GetFileRequest
    update: UpdateFileRequest
    revoke: RevokeFileRequest
    open: OpenFileRequest
    create_upload: CreateRequestUpload
    sign_parts: SignRequestParts
    get_upload: GetRequestUpload
    complete_upload: CompleteRequestUpload
    abort_upload: AbortRequestUpload
    send_notices: SendRequestNotices
    # What a visitor's upload is told of the protocol's bounds (parts signed at once).
    max_parts_per_request: int


@dataclass(frozen=True)
class Activity:
    """The activity feed and Recent, read back; the recorder every changing use case is given."""

    list: ListActivity
    recent: ListRecent


@dataclass(frozen=True)
class RequestPorts:
    requests: FileRequestStore
    mailer: Mailer
    mail_layout: MailLayout
    limits: RequestLimits = RequestLimits()


@dataclass(frozen=True)
class People:
    """Sharing with people: the owner's use cases, and the grantee's."""

    share: SharePerson
    on_item: PeopleOnItem
    shared_with_me: ListSharedWithMe
    choices: ShareChoices
    read: ReadShared
    edit: EditShared
    # None in a drive built without direct uploads (its routes answer 503).
    uploads: ShareUploads | None = None


@dataclass(frozen=True)
class SharingPorts:
    links: ShareLinkStore
    users: UserDirectory
    hasher: PasswordHasher
    limits: ShareLimits = ShareLimits()
    # None: no file requests (their routes answer 503).
    requests: RequestPorts | None = None


class NoUploadsInProgress:
    """The pending uploads of a drive built without direct uploads (the command-line tools):
    there never is one, so nothing is reserved of anyone's quota."""

    async def reserved_bytes(self, user_id: str) -> int:
        return 0


@dataclass(frozen=True)
class Versions:
    list: ListVersions
    create_link: CreateVersionDownloadLink
    restore: RestoreVersion


@dataclass(frozen=True)
class Starring:
    """Stars: starring and unstarring, and Starred."""

    star: StarItem
    list: ListStarred


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
    read_limits: ReadStorageLimits
    create_thumbnail_link: CreateThumbnailLink
    find_by_path: FindByPath
    read_file: ReadFile
    copy_item: CopyItem
    versions: "Versions"
    # Whether an item read is starred; marks none in a drive built without stars.
    star_marks: StarMarks
    copy_items: CopyItems
    # None in a drive built without the ports direct uploads need (the command-line tools).
    direct: DirectUploads | None
    # None in a drive that makes no thumbnails (the command-line tools, most unit tests): images
    # are still recorded PENDING, for a process that makes them.
    thumbnails: ThumbnailWorker | None = None
    # None in a drive built without the sharing ports (the command-line tools).
    sharing: Sharing | None = None
    # None without the sharing ports, the file requests' store or direct uploads.
    requests: FileRequests | None = None
    people: People | None = None
    # None in a drive built without the users directory (the command-line tools, most unit
    # tests): WebDAV, which checks its sign-in name, then answers 503.
    sign_in_names: SignInNames | None = None
    # None in a drive built without the star store (the command-line tools).
    starring: Starring | None = None
    # None in a drive built without an activity log (its routes answer 503): nothing is recorded.
    activity: Activity | None = None
    # None in a drive without a copy job store (the command-line tools): every copy is done within
    # its request.
    copy_jobs: CopyJobs | None = None


def build_drive(
    repository: FileRepository,
    blob_store: BlobStore,
    *,
    max_upload_bytes: int,
    download_url_ttl_seconds: int,
    shared_download_url_ttl_seconds: int = 5,
    object_keys: ObjectKeys | None = None,
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
    pending_uploads: PendingUploadStore | None = None,
    multipart: MultipartStore | None = None,
    quota_bytes: int = 10 * GIB,
    direct_limits: DirectUploadLimits = DEFAULT_DIRECT_LIMITS,
    thumbnails: ThumbnailWorker | None = None,
    sharing: SharingPorts | None = None,
    people: PeoplePorts | None = None,
    version_retention: VersionRetention = VersionRetention(),
    users: UserDirectory | None = None,
    stars: StarStore | None = None,
    activity: ActivityLog | None = None,
    activity_retention: timedelta = DEFAULT_RETENTION,
    copy_job_store: CopyJobStore | None = None,
    copy_job_settings: CopyJobSettings = CopyJobSettings(),
) -> Drive:
    new_id = new_file_id or FileIdGenerator()
    # The service always passes the keys of its settings; tests and benchmarks may rely on this.
    keys = object_keys or ObjectKeys.for_development()
    paths = FolderPaths(repository)
    recorder_of_activity = ActivityRecorder(activity, repository, paths, retention=activity_retention, now=now)
    trasher = Trasher(repository, retention=timedelta(days=trash_retention_days), now=now)
    names = NameClash(repository, trasher)
    bulk = BulkRunner(concurrency=bulk_concurrency, budget_seconds=bulk_budget_seconds, monotonic=monotonic)
    get_file = GetFile(paths)
    update_item = UpdateItem(repository, paths, names, activity=recorder_of_activity, now=now)
    trash_item = TrashItem(paths, trasher, activity=recorder_of_activity)
    links = sharing.links if sharing else None
    request_store = sharing.requests.requests if sharing and sharing.requests else None
    grants = people.grants if people else None
    purge_due = PurgeDue(
        repository, blob_store, now=now, links=links, requests=request_store, grants=grants, stars=stars
    )
    shared_marks = PageMarks(SharedMarks(links, grants, now=now))
    star_marks = StarMarks(stars)
    marks = PageMarks(SharedMarks(links, grants, now=now), star_marks)
    on_recorded = thumbnails.submit if thumbnails else _ignore
    add_version = AddVersion(repository, blob_store, retention=version_retention, now=now)
    recorder = FileRecorder(
        repository,
        names,
        blob_store,
        add_version=add_version,
        on_recorded=on_recorded,
        activity=recorder_of_activity,
    )
    quota = StorageQuota(repository, pending_uploads or NoUploadsInProgress(), quota_bytes=quota_bytes)
    direct = None
    in_progress = None
    if pending_uploads is not None and multipart is not None:
        in_progress = PendingUploads(pending_uploads, multipart, repository, now=now)
        direct = _direct_uploads(
            repository,
            in_progress,
            paths,
            recorder,
            quota,
            direct_limits,
            keys=keys,
            new_id=new_id,
            now=now,
        )
    create_download_link = CreateDownloadLink(
        get_file, blob_store, ttl_seconds=download_url_ttl_seconds, now=now, activity=recorder_of_activity
    )
    list_versions = ListVersions(repository, paths)
    # Visitors' and grantees' links: short, so a revoked share ends within seconds.
    sign_shared = CreateDownloadLink(get_file, blob_store, ttl_seconds=shared_download_url_ttl_seconds, now=now)
    create_archive = CreateArchive(repository, paths, now=now)
    # What a grantee lists of a shared folder: none of the owner's marks (links, people, stars).
    unmarked_children = ListChildren(repository, paths, PageMarks())
    create_folder = CreateFolder(repository, paths, names, new_id=new_id, now=now)
    upload_file = UploadFile(
        repository,
        blob_store,
        paths,
        recorder,
        quota,
        max_upload_bytes=max_upload_bytes,
        slots=UploadSlots(per_user=max_uploads_per_user, overall=max_uploads),
        keys=keys,
        new_id=new_id,
        now=now,
    )
    copy_item = CopyItem(
        repository,
        blob_store,
        paths,
        recorder,
        quota,
        create_folder,
        keys=keys,
        new_id=new_id,
        now=now,
        concurrency=bulk_concurrency,
        activity=recorder_of_activity,
    )
    copy_jobs = (
        CopyJobs(copy_job_store, repository, copy_item, copy_job_settings, new_id=new_id, now=now)
        if copy_job_store
        else None
    )
    return Drive(
        get_folder=GetFolder(paths),
        list_children=ListChildren(repository, paths, marks),
        create_folder=create_folder,
        upload_file=upload_file,
        list_files=ListFiles(repository, paths),
        get_file=get_file,
        create_download_link=create_download_link,
        update_item=update_item,
        move_items=MoveItems(update_item, paths, bulk),
        search=SearchItems(repository, paths, marks, examined_per_request=search_examined_per_request),
        trash_item=trash_item,
        trash_items=TrashItems(trash_item, bulk),
        list_trash=ListTrash(repository, paths),
        restore_items=RestoreItems(repository, paths, names, bulk, activity=recorder_of_activity),
        delete_forever=DeleteForever(
            repository, bulk, purge_requested=purge_due.requested, activity=recorder_of_activity, now=now
        ),
        empty_trash=EmptyTrash(repository, purge_requested=purge_due.requested, activity=recorder_of_activity, now=now),
        purge_due=purge_due,
        create_archive=create_archive,
        open_archive=OpenArchive(
            repository,
            blob_store,
            paths,
            archive_writer or ArchiveWriter(max_archives=8, max_per_user=2, stall_seconds=30),
            now=now,
        ),
        get_storage_usage=GetStorageUsage(repository),
        delete_user_files=DeleteUserFiles(
            repository, blob_store, links, request_store, grants, stars, activity, keys=keys
        ),
        file_unfiled=FileUnfiled(repository, names),
        read_limits=ReadStorageLimits(
            quota,
            max_upload_bytes=max_upload_bytes,
            max_file_bytes=direct_limits.max_file_bytes,
            trash_retention_days=trash_retention_days,
            max_batch_files=direct_limits.max_batch_files,
            max_batch_file_bytes=direct_limits.max_batch_file_bytes,
        ),
        create_thumbnail_link=CreateThumbnailLink(get_file, blob_store, ttl_seconds=download_url_ttl_seconds, now=now),
        find_by_path=FindByPath(repository),
        read_file=ReadFile(paths, blob_store),
        copy_item=copy_item,
        copy_items=CopyItems(
            repository,
            copy_item,
            paths,
            quota,
            bulk,
            copy_jobs,
            threshold_files=copy_job_settings.threshold_files,
        ),
        versions=Versions(
            list=list_versions,
            create_link=CreateVersionDownloadLink(list_versions, create_download_link),
            restore=RestoreVersion(
                list_versions,
                add_version,
                blob_store,
                quota,
                keys=keys,
                new_id=new_id,
                now=now,
                on_recorded=on_recorded,
                activity=recorder_of_activity,
            ),
        ),
        star_marks=star_marks,
        copy_jobs=copy_jobs,
        direct=direct,
        thumbnails=thumbnails,
        sharing=_sharing(
            sharing, repository, paths, sign_shared, create_archive, recorder_of_activity, new_id=new_id, now=now
        )
        if sharing
        else None,
        requests=_file_requests(sharing, sharing.requests, repository, paths, direct, new_id=new_id, now=now)
        if sharing and sharing.requests and direct
        else None,
        people=_people(
            people,
            repository,
            paths,
            unmarked_children,
            sign_shared,
            upload_file,
            create_folder,
            update_item,
            trash_item,
            direct,
            in_progress,
            recorder_of_activity,
            now=now,
        )
        if people
        else None,
        sign_in_names=SignInNames(users) if users else None,
        starring=Starring(
            star=StarItem(stars, paths, now=now), list=ListStarred(stars, repository, paths, shared_marks)
        )
        if stars
        else None,
        activity=Activity(list=ListActivity(activity, now=now), recent=ListRecent(activity, repository, paths, now=now))
        if activity
        else None,
    )


def _ignore(item: Item) -> None:
    pass


def _direct_uploads(
    repository: FileRepository,
    uploads: PendingUploads,
    paths: FolderPaths,
    recorder: FileRecorder,
    quota: StorageQuota,
    limits: DirectUploadLimits,
    *,
    keys: ObjectKeys,
    new_id: Callable[[], str],
    now: Clock,
) -> DirectUploads:
    return DirectUploads(
        create=CreateUpload(repository, uploads, paths, quota, limits, keys=keys, new_id=new_id, now=now),
        sign_parts=SignParts(uploads, limits, now=now),
        get=GetUpload(uploads),
        complete=CompleteUpload(repository, uploads, recorder, quota, limits, now=now),
        abort=AbortUpload(uploads),
        sweep=SweepUploads(uploads, now=now),
        create_batch=CreateBatch(repository, uploads, paths, quota, limits, keys=keys, new_id=new_id, now=now),
        complete_batch=CompleteBatch(repository, uploads, recorder, quota, now=now),
    )


def _sharing(
    ports: SharingPorts,
    repository: FileRepository,
    paths: FolderPaths,
    signer: CreateDownloadLink,
    create_archive: CreateArchive,
    activity: ActivityRecorder,
    *,
    new_id: Callable[[], str],
    now: Clock,
) -> Sharing:
    settings = LinkSettings(ports.users, ports.hasher, ports.limits, now=now)
    get_link = GetShareLink(ports.links)
    gate = LinkGate(ports.links, repository, paths, ports.limits, new_id=new_id, now=now)
    scope = LinkScope(repository, paths)
    return Sharing(
        create=CreateShareLink(ports.links, paths, settings, activity=activity, new_id=new_id, now=now),
        list=ListShareLinks(ports.links),
        get=get_link,
        update=UpdateShareLink(ports.links, get_link, settings),
        revoke=RevokeShareLink(ports.links, get_link, activity=activity, now=now),
        read_log=ReadLinkLog(ports.links, get_link),
        open=OpenSharedLink(gate, activity=activity),
        unlock=UnlockSharedLink(gate, ports.links, ports.hasher, now=now),
        download=DownloadSharedLink(gate, signer),
        list_folder=ListSharedFolder(gate, scope, repository),
        get_item=GetSharedItem(gate, scope),
        download_file=DownloadSharedFile(gate, scope, signer),
        zip=ZipSharedItems(gate, scope, create_archive),
        preview=PreviewSharedFile(gate, scope, signer),
    )


def _file_requests(
    sharing: SharingPorts,
    ports: RequestPorts,
    repository: FileRepository,
    paths: FolderPaths,
    direct: DirectUploads,
    *,
    new_id: Callable[[], str],
    now: Clock,
) -> FileRequests:
    links = LinkSettings(sharing.users, sharing.hasher, sharing.limits, now=now)
    settings = RequestSettings(ports.limits, now=now)
    get = GetFileRequest(ports.requests)
    gate = RequestGate(ports.requests, repository, paths, now=now)
    return FileRequests(
        create=CreateFileRequest(ports.requests, paths, links, settings, new_id=new_id, now=now),
        list=ListFileRequests(ports.requests),
        get=get,
        update=UpdateFileRequest(ports.requests, get, links, settings),
        revoke=RevokeFileRequest(ports.requests, get, now=now),
        open=OpenFileRequest(gate),
        create_upload=CreateRequestUpload(gate, direct.create),
        sign_parts=SignRequestParts(gate, direct.sign_parts),
        get_upload=GetRequestUpload(gate, direct.get),
        complete_upload=CompleteRequestUpload(gate, direct.complete, ports.requests, ports.limits, now=now),
        abort_upload=AbortRequestUpload(gate, direct.abort),
        send_notices=SendRequestNotices(
            ports.requests, repository, sharing.users, ports.mailer, ports.mail_layout, ports.limits, now=now
        ),
        max_parts_per_request=direct.create.limits.max_parts_per_request,
    )


def _people(
    ports: PeoplePorts,
    repository: FileRepository,
    paths: FolderPaths,
    list_children: ListChildren,
    signer: CreateDownloadLink,
    upload_file: UploadFile,
    create_folder: CreateFolder,
    update_item: UpdateItem,
    trash_item: TrashItem,
    direct: DirectUploads | None,
    in_progress: PendingUploads | None,
    activity: ActivityRecorder,
    *,
    now: Clock,
) -> People:
    gate = ShareGate(ports.grants, repository, paths, LinkScope(repository, paths))
    editing_ended = EndEditorUploads(in_progress) if in_progress else nothing_to_end
    return People(
        share=SharePerson(ports, paths, activity=activity, now=now),
        on_item=PeopleOnItem(ports.grants, paths, activity=activity, now=now, editing_ended=editing_ended),
        shared_with_me=ListSharedWithMe(ports.grants, ports.people, repository, paths, now=now),
        choices=ShareChoices(ports.grants, gate, access_ended=editing_ended),
        read=ReadShared(gate, list_children, signer),
        edit=EditShared(gate, upload_file, create_folder, update_item, trash_item),
        uploads=ShareUploads(gate, direct.create, direct.sign_parts, direct.get, direct.complete, direct.abort)
        if direct
        else None,
    )
