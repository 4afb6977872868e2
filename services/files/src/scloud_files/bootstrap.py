"""Composition root: builds the files service from settings, or from the fakes a test passes."""

from collections.abc import Awaitable, Callable

from scloud_common.aws import create_aws_client
from scloud_common.grpc_client import check_peer_health
from scloud_common.lifespan import ServiceContainer
from scloud_common.public_keys import GrpcPublicKeySource, GrpcSessionStatusSource, create_auth_channel
from scloud_common.tokens import AccessTokenVerifier, PublicKeySource, SessionStatusSource
from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.config import FilesSettings
from scloud_files.ports import BlobStore, FileRepository
from scloud_files.provision import files_table_name
from scloud_files.service import FileService


async def bootstrap(
    settings: FilesSettings,
    *,
    repository: FileRepository | None = None,
    blob_store: BlobStore | None = None,
    key_source: PublicKeySource | None = None,
    session_source: SessionStatusSource | None = None,
) -> ServiceContainer[FileService]:
    readiness_checks: dict[str, Callable[[], Awaitable[None]]] = {}
    closers: list[Callable[[], Awaitable[None]]] = []
    if repository is None:
        dynamodb = create_aws_client("dynamodb", region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
        dynamodb_repository = DynamoDbFileRepository(dynamodb, files_table_name(settings))
        readiness_checks["dynamodb"] = dynamodb_repository.check_ready
        repository = dynamodb_repository
    if blob_store is None:
        s3 = create_aws_client("s3", region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
        public_s3 = create_aws_client(
            "s3", region=settings.aws_region, endpoint_url=settings.s3_public_endpoint_url or settings.aws_endpoint_url
        )
        s3_blob_store = S3BlobStore(
            s3, settings.s3_bucket, part_bytes=settings.upload_part_bytes, presign_client=public_s3
        )
        readiness_checks["s3"] = s3_blob_store.check_ready
        blob_store = s3_blob_store
    if key_source is None or session_source is None:
        timeout = settings.grpc_timeout_seconds
        auth_channel = create_auth_channel(settings.auth_grpc_addr, settings.tls_material())
        closers.append(auth_channel.close)
        readiness_checks["auth"] = lambda: check_peer_health(auth_channel, timeout=timeout)
        key_source = key_source or GrpcPublicKeySource(auth_channel, timeout=timeout)
        session_source = session_source or GrpcSessionStatusSource(auth_channel, timeout=timeout)
    service = FileService(
        repository=repository,
        blob_store=blob_store,
        max_upload_bytes=settings.max_upload_bytes,
        download_url_ttl_seconds=settings.download_url_ttl_seconds,
    )
    verifier = AccessTokenVerifier(
        key_source, session_source=session_source, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    return ServiceContainer(service, verifier, readiness_checks, closers)
