"""Composition root: builds the users service from settings, or from the fakes a test passes."""

from collections.abc import Awaitable, Callable

from scloud_common.aws import create_aws_client
from scloud_common.grpc_client import check_peer_health, create_channel
from scloud_common.lifespan import ServiceContainer
from scloud_common.public_keys import GrpcPublicKeySource, GrpcSessionStatusSource, create_auth_channel
from scloud_common.tokens import AccessTokenVerifier, PublicKeySource, SessionStatusSource
from scloud_users.adapters.dynamodb import DynamoDbUserRepository
from scloud_users.adapters.peers_grpc import FILES_IDEMPOTENT_METHODS, FILES_SERVICE, GrpcAuthPeer, GrpcFilesPeer
from scloud_users.config import UsersSettings
from scloud_users.ports import AuthPeer, FilesPeer, UserRepository
from scloud_users.provision import users_table_name
from scloud_users.service import UserService


async def bootstrap(
    settings: UsersSettings,
    *,
    repository: UserRepository | None = None,
    files: FilesPeer | None = None,
    auth: AuthPeer | None = None,
    key_source: PublicKeySource | None = None,
    session_source: SessionStatusSource | None = None,
) -> ServiceContainer[UserService]:
    readiness_checks: dict[str, Callable[[], Awaitable[None]]] = {}
    closers: list[Callable[[], Awaitable[None]]] = []
    timeout = settings.grpc_timeout_seconds
    if repository is None:
        client = create_aws_client("dynamodb", region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
        dynamodb_repository = DynamoDbUserRepository(client, users_table_name(settings))
        readiness_checks["dynamodb"] = dynamodb_repository.check_ready
        repository = dynamodb_repository
    if files is None:
        files_channel = create_channel(
            settings.files_grpc_addr,
            peer="files",
            service=FILES_SERVICE,
            idempotent_methods=FILES_IDEMPOTENT_METHODS,
            tls=settings.tls_material(),
        )
        closers.append(files_channel.close)
        readiness_checks["files"] = lambda: check_peer_health(files_channel, timeout=timeout)
        files = GrpcFilesPeer(
            files_channel, timeout=timeout, deletion_timeout=settings.account_deletion_timeout_seconds
        )
    if auth is None or key_source is None or session_source is None:
        auth_channel = create_auth_channel(settings.auth_grpc_addr, settings.tls_material())
        closers.append(auth_channel.close)
        readiness_checks["auth"] = lambda: check_peer_health(auth_channel, timeout=timeout)
        auth = auth or GrpcAuthPeer(auth_channel, timeout=timeout)
        key_source = key_source or GrpcPublicKeySource(auth_channel, timeout=timeout)
        session_source = session_source or GrpcSessionStatusSource(auth_channel, timeout=timeout)
    service = UserService(repository=repository, files=files, auth=auth)
    verifier = AccessTokenVerifier(
        key_source, session_source=session_source, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    return ServiceContainer(service, verifier, readiness_checks, closers)
