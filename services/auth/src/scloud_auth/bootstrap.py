"""Composition root: builds the auth service from settings, or from the fakes a test passes."""

import logging

from scloud_auth.adapters.bcrypt_hasher import BcryptPasswordHasher
from scloud_auth.adapters.dynamodb import (
    DynamoDbAttemptStore,
    DynamoDbOneTimeTokenStore,
    DynamoDbSessionRepository,
    DynamoDbSignInChallengeStore,
    DynamoDbTwoFactorRepository,
)
from scloud_auth.adapters.users_grpc import IDEMPOTENT_METHODS, USERS_SERVICE, GrpcUserDirectory
from scloud_auth.common_passwords import common_passwords
from scloud_auth.config import AuthSettings
from scloud_auth.domain import PasswordPolicy
from scloud_auth.ports import (
    AttemptStore,
    OneTimeTokenStore,
    PasswordHasher,
    SessionRepository,
    SignInChallengeStore,
    TwoFactorRepository,
    UserDirectory,
)
from scloud_auth.provision import sessions_table_name
from scloud_auth.service import AuthService
from scloud_auth.signing import AccessTokenSigner, SignerKeySource
from scloud_common.aws import aws_client
from scloud_common.lifespan import Dependencies, ServiceContainer
from scloud_common.mail import Mailer, MailLayout, MailOutbox
from scloud_common.ses_mail import SesMailer
from scloud_common.tokens import AccessTokenVerifier

logger = logging.getLogger(__name__)


def build_signer(settings: AuthSettings) -> AccessTokenSigner:
    options = dict(
        issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl_seconds=settings.access_token_ttl_seconds
    )
    if settings.jwt_private_key is None:
        logger.warning("no AUTH_JWT_PRIVATE_KEY: signing with a throwaway key (development only)")
        return AccessTokenSigner.generate(**options)
    return AccessTokenSigner.from_pem(settings.jwt_private_key.get_secret_value(), **options)


async def bootstrap(
    settings: AuthSettings,
    *,
    users: UserDirectory | None = None,
    sessions: SessionRepository | None = None,
    attempts: AttemptStore | None = None,
    hasher: PasswordHasher | None = None,
    two_factor: TwoFactorRepository | None = None,
    challenges: SignInChallengeStore | None = None,
    tokens: OneTimeTokenStore | None = None,
    mailer: Mailer | None = None,
) -> ServiceContainer[AuthService]:
    dependencies = Dependencies(settings)
    if sessions is None or attempts is None or two_factor is None or challenges is None or tokens is None:
        client = aws_client(settings, "dynamodb")
        table = sessions_table_name(settings)
        if sessions is None:
            repository = DynamoDbSessionRepository(client, table)
            dependencies.check_ready("dynamodb", repository.check_ready)
            sessions = repository
        attempts = attempts or DynamoDbAttemptStore(client, table)
        two_factor = two_factor or DynamoDbTwoFactorRepository(client, table)
        challenges = challenges or DynamoDbSignInChallengeStore(client, table)
        tokens = tokens or DynamoDbOneTimeTokenStore(client, table)
    outbox = MailOutbox(mailer or SesMailer(aws_client(settings, "sesv2"), settings.mail_sender))
    dependencies.close_at_shutdown(outbox.close)
    if users is None:
        channel = dependencies.peer_channel(
            "users", settings.users_grpc_addr, service=USERS_SERVICE, idempotent_methods=IDEMPOTENT_METHODS
        )
        users = GrpcUserDirectory(channel, timeout=settings.grpc_timeout_seconds)
    if hasher is None:
        bcrypt_hasher = BcryptPasswordHasher(
            settings.bcrypt_rounds, workers=settings.password_hash_workers, max_waiting=settings.password_hash_queue
        )
        dependencies.close_at_shutdown(bcrypt_hasher.close)
        hasher = bcrypt_hasher
    signer = build_signer(settings)
    service = AuthService(
        users=users,
        sessions=sessions,
        attempts=attempts,
        hasher=hasher,
        signer=signer,
        two_factor=two_factor,
        challenges=challenges,
        session_lifetime=settings.session_lifetime,
        password_policy=PasswordPolicy(common_passwords=common_passwords()),
        reuse_grace_seconds=settings.refresh_reuse_grace_seconds,
        dummy_password_hash=await hasher.hash("timing-equaliser-not-a-password"),
        tokens=tokens,
        outbox=outbox,
        mail_layout=MailLayout(public_url=settings.public_url),
        link_lifetimes=settings.link_lifetimes,
    )
    # Auth answers its own session checks from its repository, with the same cache as its peers.
    verifier = AccessTokenVerifier(
        SignerKeySource(signer), session_source=service, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    return dependencies.container(service, verifier)
