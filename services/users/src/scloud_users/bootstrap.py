"""Composition root: builds the users service from settings, or from the fakes a test passes."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from scloud_common.aws import create_aws_client
from scloud_common.grpc_client import check_peer_health, create_channel
from scloud_common.public_keys import GrpcPublicKeySource
from scloud_common.tokens import AccessTokenVerifier, PublicKeySource
from scloud_users.adapters.dynamodb import DynamoDbUserRepository
from scloud_users.adapters.peers_grpc import (
    AUTH_IDEMPOTENT_METHODS,
    AUTH_SERVICE,
    FILES_IDEMPOTENT_METHODS,
    FILES_SERVICE,
    GrpcAuthPeer,
    GrpcFilesPeer,
)
from scloud_users.config import UsersSettings
from scloud_users.ports import AuthPeer, FilesPeer, UserRepository
from scloud_users.provision import users_table_name
from scloud_users.service import UserService


@dataclass
class Container:
    service: UserService
    token_verifier: AccessTokenVerifier
    readiness_checks: dict[str, Callable[[], Awaitable[None]]] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def aclose(self) -> None:
        for close in reversed(self.closers):
            await close()


async def bootstrap(
    settings: UsersSettings,
    *,
    repository: UserRepository | None = None,
    files: FilesPeer | None = None,
    auth: AuthPeer | None = None,
    key_source: PublicKeySource | None = None,
) -> Container:
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
            settings.files_grpc_addr, service=FILES_SERVICE, idempotent_methods=FILES_IDEMPOTENT_METHODS
        )
        closers.append(files_channel.close)
        readiness_checks["files"] = lambda: check_peer_health(files_channel, timeout=timeout)
        files = GrpcFilesPeer(
            files_channel, timeout=timeout, deletion_timeout=settings.account_deletion_timeout_seconds
        )
    if auth is None or key_source is None:
        auth_channel = create_channel(
            settings.auth_grpc_addr, service=AUTH_SERVICE, idempotent_methods=AUTH_IDEMPOTENT_METHODS
        )
        closers.append(auth_channel.close)
        readiness_checks["auth"] = lambda: check_peer_health(auth_channel, timeout=timeout)
        auth = auth or GrpcAuthPeer(auth_channel, timeout=timeout)
        key_source = key_source or GrpcPublicKeySource(auth_channel, timeout=timeout)
    service = UserService(repository=repository, files=files, auth=auth)
    verifier = AccessTokenVerifier(key_source, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    return Container(service, verifier, readiness_checks, closers)
