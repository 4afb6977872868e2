"""Composition root: builds the users service from settings, or from the fakes a test passes."""

from scloud_common.aws import aws_client
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
from scloud_common.tokens import (
    AccessTokenVerifier,
    PersonalAccessTokenSource,
    PublicKeySource,
    SessionStatusSource,
)
from scloud_users.adapters.dynamodb import DynamoDbInvitationRepository, DynamoDbUserRepository
from scloud_users.adapters.peers_grpc import FILES_IDEMPOTENT_METHODS, FILES_SERVICE, GrpcAuthPeer, GrpcFilesPeer
from scloud_users.adapters.sqlite import MIGRATIONS, SqliteInvitationRepository, SqliteUserRepository
from scloud_users.config import UsersSettings
from scloud_users.first_admin import ensure_first_admin
from scloud_users.ports import AuthPeer, FilesPeer, InvitationRepository, UserRepository
from scloud_users.provision import users_table_name
from scloud_users.registration_door import RegistrationDoor
from scloud_users.service import UserService


async def bootstrap(
    settings: UsersSettings,
    *,
    repository: UserRepository | None = None,
    invitations: InvitationRepository | None = None,
    files: FilesPeer | None = None,
    auth: AuthPeer | None = None,
    key_source: PublicKeySource | None = None,
    session_source: SessionStatusSource | None = None,
    personal_token_source: PersonalAccessTokenSource | None = None,
    mailer: Mailer | None = None,
) -> ServiceContainer[UserService]:
    dependencies = Dependencies(settings)
    timeout = settings.grpc_timeout_seconds
    if repository is None:
        repository, invitations = await _account_store(settings, dependencies)
    await _create_first_admin(settings, repository)
    if files is None:
        files_channel = dependencies.peer_channel(
            "files", settings.files_grpc_addr, service=FILES_SERVICE, idempotent_methods=FILES_IDEMPOTENT_METHODS
        )
        files = GrpcFilesPeer(
            files_channel, timeout=timeout, deletion_timeout=settings.account_deletion_timeout_seconds
        )
    if auth is None or key_source is None or session_source is None:
        auth_channel = dependencies.peer_channel(
            "auth", settings.auth_grpc_addr, service=AUTH_SERVICE, idempotent_methods=AUTH_IDEMPOTENT_METHODS
        )
        auth = auth or GrpcAuthPeer(auth_channel, timeout=timeout)
        key_source = key_source or GrpcPublicKeySource(auth_channel, timeout=timeout)
        session_source = session_source or GrpcSessionStatusSource(auth_channel, timeout=timeout)
        personal_token_source = personal_token_source or GrpcPersonalAccessTokenSource(auth_channel, timeout=timeout)
    outbox = MailOutbox(mailer or build_mailer(settings))
    dependencies.close_at_shutdown(outbox.close)
    service = UserService(
        repository=repository,
        files=files,
        auth=auth,
        outbox=outbox,
        mail_layout=MailLayout(settings.public_url),
        door=RegistrationDoor(settings.registration_policy, invitations),
    )
    # A test that gives its own sources and no personal_token_source gets personal access tokens refused.
    verifier = AccessTokenVerifier(
        key_source,
        session_source=session_source,
        personal_token_source=personal_token_source,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    return dependencies.container(service, verifier)


async def _create_first_admin(settings: UsersSettings, repository: UserRepository) -> None:
    """Before the process serves anything, so the owner can sign in as soon as it is ready. A store
    that cannot answer fails the start, to be retried by the restart, rather than leave a fresh
    invite-only server with no account at all."""
    first_admin = settings.first_admin()
    if first_admin is None:
        return
    hasher = BcryptPasswordHasher(settings.first_admin_bcrypt_rounds, workers=1)
    try:
        await ensure_first_admin(first_admin, repository, hasher)
    finally:
        await hasher.close()


async def _account_store(
    settings: UsersSettings, dependencies: Dependencies
) -> tuple[UserRepository, InvitationRepository]:
    """The accounts and invitations in the store the `store` setting names, with its readiness check."""
    if settings.store == "sqlite":
        store = await dependencies.sqlite_store(settings.sqlite_database(), migrations=MIGRATIONS)
        return SqliteUserRepository(store), SqliteInvitationRepository(store)
    client, table = aws_client(settings, "dynamodb"), users_table_name(settings)
    repository = DynamoDbUserRepository(client, table)
    dependencies.check_ready("dynamodb", repository.check_ready)
    return repository, DynamoDbInvitationRepository(client, table)
