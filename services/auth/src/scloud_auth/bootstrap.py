"""Composition root: builds the auth service from settings, or from the fakes a test passes."""

import logging
from dataclasses import dataclass

from scloud_auth.adapters.dynamodb import (
    DynamoDbAttemptStore,
    DynamoDbOneTimeTokenStore,
    DynamoDbPersonalAccessTokenRepository,
    DynamoDbSendLimitStore,
    DynamoDbSessionRepository,
    DynamoDbSignInChallengeStore,
    DynamoDbTwoFactorRepository,
)
from scloud_auth.adapters.sqlite import (
    SqliteAttemptStore,
    SqliteOneTimeTokenStore,
    SqlitePersonalAccessTokenRepository,
    SqliteSendLimitStore,
    SqliteSessionRepository,
    SqliteSignInChallengeStore,
    SqliteTwoFactorRepository,
)
from scloud_auth.adapters.sqlite_tables import MIGRATIONS, ExpiredRowPurge
from scloud_auth.adapters.users_grpc import IDEMPOTENT_METHODS, USERS_SERVICE, GrpcUserDirectory
from scloud_auth.common_passwords import common_passwords
from scloud_auth.config import AuthSettings
from scloud_auth.password_policy import PasswordPolicy
from scloud_auth.ports import (
    AttemptStore,
    OneTimeTokenStore,
    PasswordHasher,
    PersonalAccessTokenRepository,
    SendLimitStore,
    SessionRepository,
    SignInChallengeStore,
    TwoFactorRepository,
    UserDirectory,
)
from scloud_auth.provision import sessions_table_name
from scloud_auth.signing import AccessTokenSigner, SignerKeySource, parse_public_keys
from scloud_auth.use_cases import AuthPorts, AuthRules, AuthUseCases, build_use_cases
from scloud_common.aws import aws_client
from scloud_common.lifespan import Dependencies, ServiceContainer
from scloud_common.mail import Mailer, MailLayout, MailOutbox
from scloud_common.mail_transport import build_mailer
from scloud_common.password_hash import BcryptPasswordHasher
from scloud_common.tokens import AccessTokenVerifier

logger = logging.getLogger(__name__)


def build_signer(settings: AuthSettings) -> AccessTokenSigner:
    options = dict(
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.access_token_ttl_seconds,
        additional_public_keys=parse_public_keys(settings.jwt_additional_public_keys),
    )
    if settings.jwt_private_key is None:
        logger.warning("no AUTH_JWT_PRIVATE_KEY: signing with a throwaway key (development only)")
        return AccessTokenSigner.generate(**options)
    return AccessTokenSigner.from_pem(settings.jwt_private_key.get_secret_value(), **options)


@dataclass(frozen=True)
class _Stores:
    sessions: SessionRepository
    attempts: AttemptStore
    send_limits: SendLimitStore
    two_factor: TwoFactorRepository
    challenges: SignInChallengeStore
    tokens: OneTimeTokenStore
    personal_access_tokens: PersonalAccessTokenRepository


async def _stores(
    settings: AuthSettings,
    dependencies: Dependencies,
    *,
    sessions: SessionRepository | None,
    attempts: AttemptStore | None,
    send_limits: SendLimitStore | None,
    two_factor: TwoFactorRepository | None,
    challenges: SignInChallengeStore | None,
    tokens: OneTimeTokenStore | None,
    personal_access_tokens: PersonalAccessTokenRepository | None,
) -> _Stores:
    """The given stores, and the others in the store the `store` setting names."""
    if sessions and attempts and send_limits and two_factor and challenges and tokens and personal_access_tokens:
        return _Stores(sessions, attempts, send_limits, two_factor, challenges, tokens, personal_access_tokens)
    if settings.store == "sqlite":
        built = await _sqlite_stores(settings, dependencies)
    else:
        built = _dynamodb_stores(settings, dependencies, check_ready=sessions is None)
    return _Stores(
        sessions=sessions or built.sessions,
        attempts=attempts or built.attempts,
        send_limits=send_limits or built.send_limits,
        two_factor=two_factor or built.two_factor,
        challenges=challenges or built.challenges,
        tokens=tokens or built.tokens,
        personal_access_tokens=personal_access_tokens or built.personal_access_tokens,
    )


async def _sqlite_stores(settings: AuthSettings, dependencies: Dependencies) -> _Stores:
    """Every store in the one auth database, with the purge of its expired rows running."""
    store = await dependencies.sqlite_store(settings.sqlite_database(), migrations=MIGRATIONS)
    purge = ExpiredRowPurge(store)
    purge.start()
    # Closers run last-registered first: the purge stops before the database closes.
    dependencies.close_at_shutdown(purge.close)
    return _Stores(
        sessions=SqliteSessionRepository(store),
        attempts=SqliteAttemptStore(store),
        send_limits=SqliteSendLimitStore(store),
        two_factor=SqliteTwoFactorRepository(store),
        challenges=SqliteSignInChallengeStore(store),
        tokens=SqliteOneTimeTokenStore(store),
        personal_access_tokens=SqlitePersonalAccessTokenRepository(store),
    )


def _dynamodb_stores(settings: AuthSettings, dependencies: Dependencies, *, check_ready: bool) -> _Stores:
    """Every store on the sessions table; its readiness is checked when it holds the sessions."""
    client = aws_client(settings, "dynamodb")
    table = sessions_table_name(settings)
    sessions = DynamoDbSessionRepository(client, table)
    if check_ready:
        dependencies.check_ready("dynamodb", sessions.check_ready)
    return _Stores(
        sessions=sessions,
        attempts=DynamoDbAttemptStore(client, table),
        send_limits=DynamoDbSendLimitStore(client, table),
        two_factor=DynamoDbTwoFactorRepository(client, table),
        challenges=DynamoDbSignInChallengeStore(client, table),
        tokens=DynamoDbOneTimeTokenStore(client, table),
        personal_access_tokens=DynamoDbPersonalAccessTokenRepository(client, table),
    )


def _user_directory(settings: AuthSettings, dependencies: Dependencies) -> UserDirectory:
    channel = dependencies.peer_channel(
        "users", settings.users_grpc_addr, service=USERS_SERVICE, idempotent_methods=IDEMPOTENT_METHODS
    )
    return GrpcUserDirectory(channel, timeout=settings.grpc_timeout_seconds)


def _password_hasher(settings: AuthSettings, dependencies: Dependencies) -> PasswordHasher:
    hasher = BcryptPasswordHasher(
        settings.bcrypt_rounds, workers=settings.password_hash_workers, max_waiting=settings.password_hash_queue
    )
    dependencies.close_at_shutdown(hasher.close)
    return hasher


async def bootstrap(
    settings: AuthSettings,
    *,
    users: UserDirectory | None = None,
    sessions: SessionRepository | None = None,
    attempts: AttemptStore | None = None,
    send_limits: SendLimitStore | None = None,
    hasher: PasswordHasher | None = None,
    two_factor: TwoFactorRepository | None = None,
    challenges: SignInChallengeStore | None = None,
    tokens: OneTimeTokenStore | None = None,
    personal_access_tokens: PersonalAccessTokenRepository | None = None,
    mailer: Mailer | None = None,
) -> ServiceContainer[AuthUseCases]:
    dependencies = Dependencies(settings)
    stores = await _stores(
        settings,
        dependencies,
        sessions=sessions,
        attempts=attempts,
        send_limits=send_limits,
        two_factor=two_factor,
        challenges=challenges,
        tokens=tokens,
        personal_access_tokens=personal_access_tokens,
    )
    outbox = MailOutbox(mailer or build_mailer(settings))
    dependencies.close_at_shutdown(outbox.close)
    hasher = hasher or _password_hasher(settings, dependencies)
    ports = AuthPorts(
        users=users or _user_directory(settings, dependencies), hasher=hasher, outbox=outbox, **vars(stores)
    )
    rules = AuthRules(
        password_policy=PasswordPolicy(common_passwords=common_passwords(), min_score=settings.password_min_score),
        session_lifetime=settings.session_lifetime,
        reuse_grace_seconds=settings.refresh_reuse_grace_seconds,
        link_lifetimes=settings.link_lifetimes,
        personal_access_token_max_lifetime_days=settings.personal_access_token_max_lifetime_days,
    )
    signer = build_signer(settings)
    use_cases = build_use_cases(
        ports,
        rules=rules,
        signer=signer,
        mail_layout=MailLayout(public_url=settings.public_url),
        dummy_password_hash=await hasher.hash("timing-equaliser-not-a-password"),
    )
    # Auth answers its own session and token checks from its stores, with the same caches as its peers.
    verifier = AccessTokenVerifier(
        SignerKeySource(signer),
        session_source=use_cases.sessions,
        personal_token_source=use_cases.personal_access_tokens,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    return dependencies.container(use_cases, verifier)
