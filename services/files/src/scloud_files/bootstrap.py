"""Composition root: builds the files service from settings, or from the fakes a test passes. The
command-line tools build their storage here too (open_repository, build_blob_store). The
metadata store is the `store` setting's (DynamoDB or SQLite); the bytes are in S3 either way."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

from scloud_common.aws import aws_client, create_aws_client
from scloud_common.lifespan import Dependencies, ServiceContainer
from scloud_common.public_keys import (
    AUTH_IDEMPOTENT_METHODS,
    AUTH_SERVICE,
    GrpcPublicKeySource,
    GrpcSessionStatusSource,
)
from scloud_common.sqlite_store import SqliteStore
from scloud_common.tokens import AccessTokenVerifier, PublicKeySource, SessionStatusSource
from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.adapters.sqlite import MIGRATIONS, SqliteFileRepository
from scloud_files.config import FilesSettings, FilesStorageSettings
from scloud_files.drive.purge import purge_periodically
from scloud_files.drive.use_cases import Drive, build_drive
from scloud_files.ports import BlobStore, FileRepository


@contextlib.asynccontextmanager
async def open_repository(settings: FilesStorageSettings) -> AsyncIterator[FileRepository]:
    """The repository the `store` setting names, for the command-line tools: on SQLite the
    service's database, opened (and migrated) here and closed on the way out."""
    if settings.store == "dynamodb":
        yield _dynamodb_repository(settings)
        return
    store = await SqliteStore.open(settings.sqlite_database(), migrations=MIGRATIONS)
    try:
        yield SqliteFileRepository(store)
    finally:
        await store.close()


def _dynamodb_repository(settings: FilesStorageSettings) -> DynamoDbFileRepository:
    return DynamoDbFileRepository(aws_client(settings, "dynamodb"), settings.files_table)


def build_blob_store(settings: FilesStorageSettings) -> S3BlobStore:
    # Links are signed for the endpoint the browser reaches, which may not be ours.
    public_s3 = create_aws_client(
        "s3", region=settings.aws_region, endpoint_url=settings.s3_public_endpoint_url or settings.aws_endpoint_url
    )
    return S3BlobStore(
        aws_client(settings, "s3"), settings.s3_bucket, part_bytes=settings.upload_part_bytes, presign_client=public_s3
    )


async def bootstrap(
    settings: FilesSettings,
    *,
    repository: FileRepository | None = None,
    blob_store: BlobStore | None = None,
    key_source: PublicKeySource | None = None,
    session_source: SessionStatusSource | None = None,
) -> ServiceContainer[Drive]:
    dependencies = Dependencies(settings)
    if repository is None:
        repository = await _file_repository(settings, dependencies)
    if blob_store is None:
        s3_blob_store = build_blob_store(settings)
        dependencies.check_ready("s3", s3_blob_store.check_ready)
        blob_store = s3_blob_store
    if key_source is None or session_source is None:
        timeout = settings.grpc_timeout_seconds
        auth_channel = dependencies.peer_channel(
            "auth", settings.auth_grpc_addr, service=AUTH_SERVICE, idempotent_methods=AUTH_IDEMPOTENT_METHODS
        )
        key_source = key_source or GrpcPublicKeySource(auth_channel, timeout=timeout)
        session_source = session_source or GrpcSessionStatusSource(auth_channel, timeout=timeout)
    drive = build_drive(
        repository,
        blob_store,
        max_upload_bytes=settings.max_upload_bytes,
        download_url_ttl_seconds=settings.download_url_ttl_seconds,
        trash_retention_days=settings.trash_retention_days,
        bulk_concurrency=settings.bulk_concurrency,
    )
    purge = asyncio.create_task(purge_periodically(drive.purge_due, interval_seconds=settings.purge_interval_seconds))

    async def stop_purge() -> None:
        purge.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purge

    dependencies.close_at_shutdown(stop_purge)
    verifier = AccessTokenVerifier(
        key_source, session_source=session_source, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    return dependencies.container(drive, verifier)


async def _file_repository(settings: FilesSettings, dependencies: Dependencies) -> FileRepository:
    """The repository the `store` setting names, with its readiness check; no DynamoDB client
    is made for the SQLite store."""
    if settings.store == "sqlite":
        store = await dependencies.sqlite_store(settings.sqlite_database(), migrations=MIGRATIONS)
        return SqliteFileRepository(store)
    repository = _dynamodb_repository(settings)
    dependencies.check_ready("dynamodb", repository.check_ready)
    return repository
