"""Composition root: builds the files service from settings, or from the fakes a test passes. The
command-line tools build their storage here too (open_repository, build_blob_store,
build_reconcile). The metadata store is the `store` setting's (DynamoDB or SQLite); the bytes are
in S3 either way."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import timedelta
from typing import Any, NamedTuple

from scloud_common.aws import aws_client, create_aws_client
from scloud_common.lifespan import Dependencies, ServiceContainer
from scloud_common.mail import Mailer, MailLayout, MailOutbox
from scloud_common.mail_transport import build_mailer
from scloud_common.password_hash import BcryptPasswordHasher
from scloud_common.public_keys import (
    AUTH_IDEMPOTENT_METHODS,
    AUTH_SERVICE,
    GrpcPersonalAccessTokenSource,
    GrpcPublicKeySource,
    GrpcSessionStatusSource,
)
from scloud_common.sqlite_store import SqliteStore
from scloud_common.tokens import (
    AccessTokenVerifier,
    PersonalAccessTokenSource,
    PublicKeySource,
    SessionStatusSource,
)
from scloud_files.adapters.dynamodb import (
    DynamoDbActivityLog,
    DynamoDbCopyJobs,
    DynamoDbFileRepository,
    DynamoDbFileRequests,
    DynamoDbGrants,
    DynamoDbPendingUploads,
    DynamoDbShareLinks,
    DynamoDbStars,
)
from scloud_files.adapters.pillow_thumbnail import PillowThumbnailRenderer
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.adapters.s3_multipart import S3MultipartStore
from scloud_files.adapters.share_notice_mail import MailedShareNotices
from scloud_files.adapters.sqlite import (
    MIGRATIONS,
    SqliteActivityLog,
    SqliteCopyJobs,
    SqliteFileRepository,
    SqliteFileRequests,
    SqliteGrants,
    SqlitePendingUploads,
    SqliteShareLinks,
    SqliteStars,
)
from scloud_files.adapters.users_grpc import IDEMPOTENT_METHODS, USERS_SERVICE, GrpcUserDirectory
from scloud_files.config import FilesSettings, FilesStorageSettings
from scloud_files.domain import ObjectKeys, VersionRetention
from scloud_files.drive.clock import utc_now
from scloud_files.drive.copy_job import CopyJobSettings
from scloud_files.drive.direct_upload import DirectUploadLimits
from scloud_files.drive.file_request import RequestLimits
from scloud_files.drive.people_share import PeoplePorts
from scloud_files.drive.purge import purge_periodically
from scloud_files.drive.reconcile import ReconcileStore, reconcile_periodically
from scloud_files.drive.request_notice import notify_periodically
from scloud_files.drive.share_link import ShareLimits
from scloud_files.drive.thumbnail import MakeThumbnail, ThumbnailWorker, catch_up_periodically
from scloud_files.drive.upload_sweep import sweep_periodically
from scloud_files.drive.use_cases import Drive, RequestPorts, SharingPorts, build_drive
from scloud_files.ports import (
    ActivityLog,
    BlobStore,
    CopyJobStore,
    FileRepository,
    FileRequestStore,
    GrantStore,
    MultipartStore,
    PasswordHasher,
    PendingUploadStore,
    PeopleDirectory,
    ShareLinkStore,
    ShareNotices,
    StarStore,
    ThumbnailRenderer,
    UserDirectory,
)
from scloud_files.zip_archive import ArchiveWriter

logger = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def open_repository(settings: FilesStorageSettings) -> AsyncIterator[FileRepository]:
    """The repository the `store` setting names, for the command-line tools: on SQLite the
    service's database, opened (and migrated) here and closed on the way out."""
    async with open_stores(settings) as stores:
        yield stores.repository


class ItemStores(NamedTuple):
    """What a tool that deletes items opens: the items, and what is attached to them (share links,
    file requests, people's grants, stars), which go with them as in the service's own purge."""

    repository: FileRepository
    links: ShareLinkStore
    requests: FileRequestStore
    grants: GrantStore
    stars: StarStore


@contextlib.asynccontextmanager
async def open_stores(settings: FilesStorageSettings) -> AsyncIterator[ItemStores]:
    """The stores of items and of what is attached to them, in the one store the `store` setting
    names (on SQLite the service's database, opened and migrated here, closed on the way out)."""
    if settings.store == "dynamodb":
        client = aws_client(settings, "dynamodb")
        table = settings.files_table
        yield ItemStores(
            _dynamodb_repository(settings),
            DynamoDbShareLinks(client, table),
            DynamoDbFileRequests(client, table),
            DynamoDbGrants(client, table),
            DynamoDbStars(client, table),
        )
        return
    store = await SqliteStore.open(settings.sqlite_database(), migrations=MIGRATIONS)
    try:
        yield ItemStores(
            SqliteFileRepository(store),
            SqliteShareLinks(store),
            SqliteFileRequests(store),
            SqliteGrants(store),
            SqliteStars(store),
        )
    finally:
        await store.close()


@contextlib.asynccontextmanager
async def open_upload_stores(
    settings: FilesStorageSettings,
) -> AsyncIterator[tuple[FileRepository, PendingUploadStore]]:
    """The repository and the uploads in progress, for a tool that sweeps abandoned uploads, in
    the one store the `store` setting names."""
    if settings.store == "dynamodb":
        client = aws_client(settings, "dynamodb")
        yield _dynamodb_repository(settings), DynamoDbPendingUploads(client, settings.files_table)
        return
    store = await SqliteStore.open(settings.sqlite_database(), migrations=MIGRATIONS)
    try:
        yield SqliteFileRepository(store), SqlitePendingUploads(store)
    finally:
        await store.close()


def _dynamodb_repository(settings: FilesStorageSettings) -> DynamoDbFileRepository:
    return DynamoDbFileRepository(aws_client(settings, "dynamodb"), settings.files_table)


def _public_s3(settings: FilesStorageSettings) -> Any:
    # Links are signed for the endpoint the browser reaches, which may not be ours.
    return create_aws_client(
        "s3", region=settings.aws_region, endpoint_url=settings.s3_public_endpoint_url or settings.aws_endpoint_url
    )


def build_blob_store(settings: FilesStorageSettings) -> S3BlobStore:
    return S3BlobStore(
        aws_client(settings, "s3"),
        settings.s3_bucket,
        part_bytes=settings.upload_part_bytes,
        presign_client=_public_s3(settings),
    )


def build_multipart_store(settings: FilesStorageSettings) -> S3MultipartStore:
    return S3MultipartStore(aws_client(settings, "s3"), settings.s3_bucket, presign_client=_public_s3(settings))


def direct_upload_limits(settings: FilesSettings) -> DirectUploadLimits:
    return DirectUploadLimits(
        max_file_bytes=settings.max_file_bytes,
        part_bytes=settings.direct_part_bytes,
        upload_ttl=timedelta(seconds=settings.direct_upload_ttl_seconds),
        part_url_ttl_seconds=settings.part_url_ttl_seconds,
        max_parts_per_request=settings.max_parts_per_request,
        max_pending_per_user=settings.max_pending_uploads_per_user,
        max_batch_files=settings.max_batch_files,
        max_batch_file_bytes=settings.max_batch_file_bytes,
    )


def share_limits(settings: FilesSettings) -> ShareLimits:
    return ShareLimits(
        max_expiry=timedelta(days=settings.share_max_expiry_days),
        log_retention=timedelta(days=settings.share_log_retention_days),
        unlock_ttl=timedelta(seconds=settings.share_unlock_ttl_seconds),
        attempt_window=timedelta(seconds=settings.share_attempt_window_seconds),
        attempts_per_link=settings.share_attempts_per_link,
        attempts_per_client=settings.share_attempts_per_client,
    )


def request_limits(settings: FilesSettings) -> RequestLimits:
    return RequestLimits(
        max_expiry=timedelta(days=settings.request_max_expiry_days),
        # Lowering the file limit alone must not stop the service: the default follows it down.
        default_file_bytes=min(settings.request_default_file_bytes, settings.max_file_bytes),
        max_file_bytes=settings.max_file_bytes,
        notice_interval=timedelta(seconds=settings.request_notice_interval_seconds),
        retention=timedelta(days=settings.share_log_retention_days),
    )


def notice_poll_seconds(settings: FilesSettings) -> float:
    """How often the due notices are looked for: a few times per interval, at most a minute apart."""
    return min(60.0, max(0.2, settings.request_notice_interval_seconds / 4))


def _request_ports(
    settings: FilesSettings, requests: FileRequestStore | None, mailer: Mailer | None
) -> RequestPorts | None:
    if requests is None or mailer is None:
        return None
    return RequestPorts(
        requests,
        mailer,
        MailLayout(public_url=settings.public_url),
        request_limits(settings),
    )


def _sharing_ports(
    settings: FilesSettings,
    dependencies: Dependencies,
    links: ShareLinkStore | None,
    users: UserDirectory | None,
    hasher: PasswordHasher | None,
    requests: RequestPorts | None,
) -> SharingPorts | None:
    """None (the sharing routes answer 503) for a test that gives the repository and no link store."""
    if links is None or users is None:
        return None
    if hasher is None:
        bcrypt_hasher = BcryptPasswordHasher(
            settings.share_bcrypt_rounds, workers=settings.share_password_hash_workers, max_waiting=16
        )
        dependencies.close_at_shutdown(bcrypt_hasher.close)
        hasher = bcrypt_hasher
    return SharingPorts(links, users, hasher, share_limits(settings), requests)


def _users_directory(settings: FilesSettings, dependencies: Dependencies) -> GrpcUserDirectory:
    channel = dependencies.peer_channel(
        "users",
        settings.users_grpc_addr,
        service=USERS_SERVICE,
        idempotent_methods=IDEMPOTENT_METHODS,
        required=False,
    )
    return GrpcUserDirectory(channel, timeout=settings.grpc_timeout_seconds)


def _people_ports(
    grants: GrantStore | None,
    people: PeopleDirectory | None,
    notices: ShareNotices | None,
) -> PeoplePorts | None:
    """None (the routes answer 503) for a test that gives the repository and no grant store."""
    if grants is None or people is None or notices is None:
        return None
    return PeoplePorts(grants, people, notices)


def object_keys(settings: FilesStorageSettings) -> ObjectKeys:
    """The keys the service's objects are stored under; outside development only with a real
    secret (the settings refuse a missing one)."""
    secret = settings.require_object_key_secret()
    if secret is None:
        logger.warning("no FILES_OBJECT_KEY_SECRET: object keys sealed with the development value")
        return ObjectKeys.for_development()
    return ObjectKeys(secret.get_secret_value())


def build_reconcile(
    settings: FilesStorageSettings, repository: FileRepository, blob_store: BlobStore
) -> ReconcileStore:
    return ReconcileStore(
        repository,
        blob_store,
        keys=object_keys(settings),
        grace=timedelta(seconds=settings.reconcile_grace_seconds),
        page_size=settings.reconcile_page_size,
        now=utc_now,
    )


def build_thumbnail_worker(
    settings: FilesSettings,
    repository: FileRepository,
    blob_store: BlobStore,
    renderer: ThumbnailRenderer,
    executor: Executor,
) -> ThumbnailWorker:
    make = MakeThumbnail(
        repository,
        blob_store,
        renderer,
        executor=executor,
        max_source_bytes=settings.thumbnail_max_source_bytes,
        timeout_seconds=settings.thumbnail_timeout_seconds,
    )
    return ThumbnailWorker(
        make, repository, queue_size=settings.thumbnail_queue_size, concurrency=settings.thumbnail_workers
    )


async def bootstrap(
    settings: FilesSettings,
    *,
    repository: FileRepository | None = None,
    blob_store: BlobStore | None = None,
    pending_uploads: PendingUploadStore | None = None,
    multipart: MultipartStore | None = None,
    key_source: PublicKeySource | None = None,
    session_source: SessionStatusSource | None = None,
    personal_token_source: PersonalAccessTokenSource | None = None,
    thumbnail_renderer: ThumbnailRenderer | None = None,
    share_links: ShareLinkStore | None = None,
    users: UserDirectory | None = None,
    password_hasher: PasswordHasher | None = None,
    file_requests: FileRequestStore | None = None,
    mailer: Mailer | None = None,
    grants: GrantStore | None = None,
    people: PeopleDirectory | None = None,
    share_notices: ShareNotices | None = None,
    stars: StarStore | None = None,
    activity: ActivityLog | None = None,
    copy_jobs: CopyJobStore | None = None,
) -> ServiceContainer[Drive]:
    """Real adapters for whatever is not given. A test that gives the repository (or the blob
    store) and not the pending uploads (or the multipart store) gets a drive without direct
    uploads, whose routes answer 503."""
    dependencies = Dependencies(settings)
    if repository is None:
        (
            repository,
            built_pending,
            built_links,
            built_requests,
            built_grants,
            built_stars,
            built_activity,
            built_jobs,
        ) = await _metadata_stores(settings, dependencies)
        activity = activity or built_activity
        copy_jobs = copy_jobs or built_jobs
        pending_uploads = pending_uploads or built_pending
        share_links = share_links or built_links
        file_requests = file_requests or built_requests
        grants = grants or built_grants
        stars = stars or built_stars
    if blob_store is None:
        s3_blob_store = build_blob_store(settings)
        dependencies.check_ready("s3", s3_blob_store.check_ready)
        dependencies.watch_pool("s3", s3_blob_store.executor)
        blob_store = s3_blob_store
        multipart = multipart or build_multipart_store(settings)
    if key_source is None or session_source is None:
        timeout = settings.grpc_timeout_seconds
        auth_channel = dependencies.peer_channel(
            "auth", settings.auth_grpc_addr, service=AUTH_SERVICE, idempotent_methods=AUTH_IDEMPOTENT_METHODS
        )
        key_source = key_source or GrpcPublicKeySource(auth_channel, timeout=timeout)
        session_source = session_source or GrpcSessionStatusSource(auth_channel, timeout=timeout)
        personal_token_source = personal_token_source or GrpcPersonalAccessTokenSource(auth_channel, timeout=timeout)
    # One channel to users for links and people alike, unless a test gives both directories.
    if (users is None and share_links is not None) or (people is None and grants is not None):
        directory = _users_directory(settings, dependencies)
        users = users or directory
        people = people or directory
    # Only a drive that mails (file requests, sharing with people) builds the mail client.
    if mailer is None and (file_requests is not None or (grants is not None and share_notices is None)):
        mailer = build_mailer(settings)
    if share_notices is None and grants is not None and mailer is not None:
        outbox = MailOutbox(mailer)
        dependencies.close_at_shutdown(outbox.close)
        share_notices = MailedShareNotices(outbox, MailLayout(public_url=settings.public_url))
    archive_writer = ArchiveWriter(
        max_archives=settings.archive_max_concurrent,
        max_per_user=settings.archive_max_per_user,
        stall_seconds=settings.archive_stall_seconds,
    )
    dependencies.watch_pool("archive", archive_writer.executor)
    # Its own pool: a slow image never holds a thread the requests' storage calls need.
    thumbnail_pool = ThreadPoolExecutor(max_workers=settings.thumbnail_workers, thread_name_prefix="thumbnail")
    thumbnails = build_thumbnail_worker(
        settings,
        repository,
        blob_store,
        thumbnail_renderer or PillowThumbnailRenderer(max_pixels=settings.thumbnail_max_pixels),
        thumbnail_pool,
    )
    drive = build_drive(
        repository,
        blob_store,
        max_upload_bytes=settings.max_upload_bytes,
        download_url_ttl_seconds=settings.download_url_ttl_seconds,
        shared_download_url_ttl_seconds=settings.shared_download_url_ttl_seconds,
        object_keys=object_keys(settings),
        trash_retention_days=settings.trash_retention_days,
        version_retention=VersionRetention(
            keep_all_days=settings.version_keep_all_days,
            keep_daily_days=max(settings.version_keep_daily_days, settings.version_keep_all_days),
            max_versions=settings.max_versions,
        ),
        bulk_concurrency=settings.bulk_concurrency,
        bulk_budget_seconds=settings.bulk_time_budget_seconds,
        search_examined_per_request=settings.search_examined_per_request,
        archive_writer=archive_writer,
        max_uploads_per_user=settings.max_uploads_per_user,
        max_uploads=settings.max_uploads,
        pending_uploads=pending_uploads,
        multipart=multipart,
        quota_bytes=settings.quota_bytes,
        direct_limits=direct_upload_limits(settings),
        thumbnails=thumbnails,
        sharing=_sharing_ports(
            settings,
            dependencies,
            share_links,
            users,
            password_hasher,
            _request_ports(settings, file_requests, mailer),
        ),
        people=_people_ports(grants, people, share_notices),
        users=users,
        stars=stars,
        activity=activity,
        activity_retention=timedelta(days=settings.activity_retention_days),
        copy_job_store=copy_jobs,
        copy_job_settings=CopyJobSettings(
            threshold_files=settings.copy_job_threshold_files,
            progress_every_files=settings.copy_job_progress_every_files,
            heartbeat_seconds=settings.copy_job_heartbeat_seconds,
        ),
    )
    if drive.copy_jobs is not None:
        dependencies.close_at_shutdown(drive.copy_jobs.close)
    tasks = [
        asyncio.create_task(purge_periodically(drive.purge_due, interval_seconds=settings.purge_interval_seconds)),
        asyncio.create_task(
            reconcile_periodically(
                build_reconcile(settings, repository, blob_store),
                interval_seconds=settings.reconcile_interval_seconds,
            )
        ),
        asyncio.create_task(thumbnails.run()),
        asyncio.create_task(
            catch_up_periodically(
                thumbnails,
                interval_seconds=settings.thumbnail_catch_up_interval_seconds,
                batch=settings.thumbnail_queue_size,
            )
        ),
    ]
    if drive.direct is not None:
        tasks.append(
            asyncio.create_task(
                sweep_periodically(drive.direct.sweep, interval_seconds=settings.upload_sweep_interval_seconds)
            )
        )

    if drive.requests is not None:
        tasks.append(
            asyncio.create_task(
                notify_periodically(drive.requests.send_notices, interval_seconds=notice_poll_seconds(settings))
            )
        )

    async def stop_background_tasks() -> None:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        thumbnail_pool.shutdown(wait=False, cancel_futures=True)

    dependencies.close_at_shutdown(stop_background_tasks)
    # A test that gives its own sources and no personal_token_source gets personal access tokens refused.
    verifier = AccessTokenVerifier(
        key_source,
        session_source=session_source,
        personal_token_source=personal_token_source,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    return dependencies.container(drive, verifier)


async def _metadata_stores(
    settings: FilesSettings, dependencies: Dependencies
) -> tuple[
    FileRepository,
    PendingUploadStore,
    ShareLinkStore,
    FileRequestStore,
    GrantStore,
    StarStore,
    ActivityLog,
    CopyJobStore,
]:
    """The repository, the pending uploads, the share links, the file requests, the grants, the
    stars, the activity log and the copy jobs in the store the `store` setting names, with its
    readiness check; no DynamoDB client is made for
    the SQLite store."""
    if settings.store == "sqlite":
        store = await dependencies.sqlite_store(settings.sqlite_database(), migrations=MIGRATIONS)
        return (
            SqliteFileRepository(store),
            SqlitePendingUploads(store),
            SqliteShareLinks(store),
            SqliteFileRequests(store),
            SqliteGrants(store),
            SqliteStars(store),
            SqliteActivityLog(store),
            SqliteCopyJobs(store),
        )
    repository = _dynamodb_repository(settings)
    dependencies.check_ready("dynamodb", repository.check_ready)
    dependencies.watch_pool("dynamodb", repository.executor)
    client = aws_client(settings, "dynamodb")
    return (
        repository,
        DynamoDbPendingUploads(client, settings.files_table),
        DynamoDbShareLinks(client, settings.files_table),
        DynamoDbFileRequests(client, settings.files_table),
        DynamoDbGrants(client, settings.files_table),
        DynamoDbStars(client, settings.files_table),
        DynamoDbActivityLog(client, settings.files_table),
        DynamoDbCopyJobs(client, settings.files_table),
    )
