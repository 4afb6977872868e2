"""Fixtures the auth unit tests share: a settable clock, and the use cases built on in-memory
fakes of every port by the same `build_use_cases` as the composition root."""

import time

import pytest

from scloud_auth.adapters.in_memory import (
    FastPasswordHasher,
    InMemoryAttemptStore,
    InMemoryOneTimeTokenStore,
    InMemorySendLimitStore,
    InMemorySessionRepository,
    InMemorySignInChallengeStore,
    InMemoryTwoFactorRepository,
    InMemoryUserDirectory,
)
from scloud_auth.domain import SessionLifetime
from scloud_auth.password_policy import PasswordPolicy
from scloud_auth.signing import AccessTokenSigner
from scloud_auth.use_cases import AuthPorts, AuthRules, AuthUseCases, build_use_cases
from scloud_common.mail import MailLayout, MailOutbox, RecordingMailer

PUBLIC_URL = "https://cloud.example"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sessions() -> InMemorySessionRepository:
    return InMemorySessionRepository()


@pytest.fixture
def users() -> InMemoryUserDirectory:
    return InMemoryUserDirectory()


@pytest.fixture
def hasher() -> FastPasswordHasher:
    return FastPasswordHasher()


@pytest.fixture
def two_factor_repository() -> InMemoryTwoFactorRepository:
    return InMemoryTwoFactorRepository()


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def outbox(mailer) -> MailOutbox:
    return MailOutbox(mailer)


@pytest.fixture
def signer() -> AccessTokenSigner:
    return AccessTokenSigner.generate(issuer="iss", audience="aud", ttl_seconds=900)


@pytest.fixture
def ports(users, sessions, hasher, two_factor_repository, outbox) -> AuthPorts:
    return AuthPorts(
        users=users,
        sessions=sessions,
        attempts=InMemoryAttemptStore(),
        send_limits=InMemorySendLimitStore(),
        hasher=hasher,
        two_factor=two_factor_repository,
        challenges=InMemorySignInChallengeStore(),
        tokens=InMemoryOneTimeTokenStore(),
        outbox=outbox,
    )


@pytest.fixture
async def auth(ports, signer, clock) -> AuthUseCases:
    return await build_auth(ports, signer, clock)


async def build_auth(ports: AuthPorts, signer: AccessTokenSigner, clock: Clock) -> AuthUseCases:
    rules = AuthRules(
        password_policy=PasswordPolicy(common_passwords=frozenset({"passwordpassword"})),
        session_lifetime=SessionLifetime(idle_seconds=3600, absolute_seconds=4 * 3600),
        reuse_grace_seconds=30,
    )
    return build_use_cases(
        ports,
        rules=rules,
        signer=signer,
        mail_layout=MailLayout(public_url=PUBLIC_URL),
        dummy_password_hash=await ports.hasher.hash("dummy"),
        clock=clock,
    )
