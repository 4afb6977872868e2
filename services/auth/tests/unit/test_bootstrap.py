"""bootstrap, the auth service's composition root: given an in-memory fake for every port, the
container it builds runs on those fakes alone, with no AWS client and no channel to users."""

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scloud_auth.adapters.in_memory import (
    FastPasswordHasher,
    InMemoryAttemptStore,
    InMemoryOneTimeTokenStore,
    InMemoryPersonalAccessTokenRepository,
    InMemorySendLimitStore,
    InMemorySessionRepository,
    InMemorySignInChallengeStore,
    InMemoryTwoFactorRepository,
    InMemoryUserDirectory,
)
from scloud_auth.bootstrap import bootstrap
from scloud_auth.config import AuthSettings
from scloud_auth.domain import InvalidCredentials
from scloud_common.internal_tls import tls_settings
from scloud_common.mail import RecordingMailer
from scloud_common.tokens import InvalidAccessToken
from tests.mail_sink import directory_mail

PASSWORD = "correct horse 1"


@pytest.fixture
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def settings(internal_certificates, signing_key) -> AuthSettings:
    pem = signing_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return AuthSettings(
        **tls_settings(internal_certificates, "auth"),
        environment="test",
        http_port=0,
        grpc_port=0,
        aws_endpoint_url="http://127.0.0.1:9",
        users_grpc_addr="127.0.0.1:9",
        jwt_private_key=pem,
        bcrypt_rounds=10,
    )


@pytest.fixture
def fakes() -> dict:
    return dict(
        users=InMemoryUserDirectory(),
        sessions=InMemorySessionRepository(),
        attempts=InMemoryAttemptStore(),
        send_limits=InMemorySendLimitStore(),
        hasher=FastPasswordHasher(),
        tokens=InMemoryOneTimeTokenStore(),
        personal_access_tokens=InMemoryPersonalAccessTokenRepository(),
        mailer=RecordingMailer(),
        two_factor=InMemoryTwoFactorRepository(),
        challenges=InMemorySignInChallengeStore(),
    )


async def test_a_container_built_from_fakes_registers_through_them_and_builds_no_client(
    settings, fakes, no_outside_clients
):
    container = await bootstrap(settings, **fakes)

    issued = await container.service.registration.register(
        email="ada@example.com", username="Ada", password=PASSWORD, gender=None, date_of_birth=None
    )

    credentials = await fakes["users"].find_credentials_by_email("ada@example.com")
    assert credentials.user == issued.user
    # The fake hasher's own format: bcrypt's hash would not verify here.
    assert await fakes["hasher"].verify(PASSWORD, credentials.password_hash)
    assert [session.user_id for session in fakes["sessions"].sessions.values()] == [issued.user.user_id]
    assert container.readiness_checks == {}
    # Closing sends what is still queued: the verification mail, through the fake mailer.
    await container.aclose()
    assert [message.to for message in fakes["mailer"].sent] == ["ada@example.com"]


async def test_failed_sign_ins_are_counted_in_the_fake_attempt_store(settings, fakes, no_outside_clients):
    container = await bootstrap(settings, **fakes)
    await container.service.registration.register(
        email="ada@example.com", username="Ada", password=PASSWORD, gender=None, date_of_birth=None
    )

    with pytest.raises(InvalidCredentials):
        await container.service.sign_in.login(email="ada@example.com", password="not the password")

    assert [attempts.count for attempts in fakes["attempts"].attempts.values()] == [1]


async def test_tokens_are_signed_with_the_settings_key_and_verified_against_the_fake_sessions(
    settings, fakes, signing_key, no_outside_clients
):
    container = await bootstrap(settings, **fakes)
    kept = await container.service.registration.register(
        email="ada@example.com", username="Ada", password=PASSWORD, gender=None, date_of_birth=None
    )
    revoked = await container.service.sign_in.login(email="ada@example.com", password=PASSWORD)
    claims = jwt.decode(revoked.access_token, signing_key.public_key(), algorithms=["EdDSA"], audience="scloud")
    await fakes["sessions"].revoke(claims["sid"])

    assert (await container.token_verifier.verify(kept.access_token)).user_id == kept.user.user_id
    with pytest.raises(InvalidAccessToken):
        await container.token_verifier.verify(revoked.access_token)


async def test_without_fakes_it_builds_the_real_adapters_and_checks_their_readiness(settings):
    container = await bootstrap(settings)
    try:
        assert set(container.readiness_checks) == {"dynamodb", "users"}
    finally:
        await container.aclose()


async def test_with_the_sqlite_store_and_the_mail_folder_nothing_reaches_aws_and_sessions_outlive_the_process(
    settings, tmp_path, no_outside_clients
):
    settings = settings.model_copy(
        update={
            "store": "sqlite",
            "sqlite_path": tmp_path / "data" / "auth.db",
            "mail_transport": "directory",
            "mail_directory": tmp_path / "data" / "mail",
        }
    )
    users = InMemoryUserDirectory()

    async def build():
        return await bootstrap(settings, users=users, hasher=FastPasswordHasher())

    container = await build()
    assert set(container.readiness_checks) == {"sqlite"}
    await container.readiness_checks["sqlite"]()
    issued = await container.service.registration.register(
        email="ada@example.com", username="Ada", password=PASSWORD, gender=None, date_of_birth=None
    )
    await container.aclose()
    assert [(mail.to, mail.subject) for mail in directory_mail(tmp_path / "data" / "mail")] == [
        (["ada@example.com"], "SCloud: confirm your email address")
    ]

    container = await build()
    try:
        assert (await container.token_verifier.verify(issued.access_token)).user_id == issued.user.user_id
        [session] = await container.service.sessions.list_sessions(issued.user.user_id)
        assert session.user_id == issued.user.user_id
    finally:
        await container.aclose()


def test_the_sqlite_store_needs_a_database_path(settings):
    with pytest.raises(ValueError, match="sqlite_path"):
        AuthSettings(**{**settings.model_dump(), "store": "sqlite"})
