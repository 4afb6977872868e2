import time

import pytest

from scloud_auth.adapters.in_memory import FastPasswordHasher, InMemorySessionRepository, InMemoryUserDirectory
from scloud_auth.domain import InvalidCredentials, InvalidEmail, InvalidRefreshToken, WeakPassword
from scloud_auth.service import AuthService
from scloud_auth.signing import AccessTokenSigner, SignerKeySource
from scloud_common.errors import AlreadyExists
from scloud_common.tokens import AccessTokenVerifier

PASSWORD = "correct horse 1"


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
def signer() -> AccessTokenSigner:
    return AccessTokenSigner.generate(issuer="iss", audience="aud", ttl_seconds=900)


@pytest.fixture
async def service(sessions, signer, clock) -> AuthService:
    hasher = FastPasswordHasher()
    return AuthService(
        users=InMemoryUserDirectory(),
        sessions=sessions,
        hasher=hasher,
        signer=signer,
        refresh_ttl_seconds=3600,
        reuse_grace_seconds=30,
        dummy_password_hash=await hasher.hash("dummy"),
        clock=clock,
    )


async def register(service: AuthService, email: str = "Ada@Example.com"):
    return await service.register(email=email, username="Ada", password=PASSWORD, gender=None, date_of_birth=None)


async def test_register_issues_a_verifiable_access_token(service, signer, clock):
    issued = await register(service)
    verifier = AccessTokenVerifier(SignerKeySource(signer), issuer="iss", audience="aud")
    claims = await verifier.verify(issued.access_token)
    assert claims.user_id == issued.user.user_id
    assert issued.user.email == "ada@example.com"
    assert issued.access_token_expires_at == int(clock.now) + 900


@pytest.mark.parametrize("password", ["short1A", "alllowercase", "12345678901", "        "])
async def test_register_refuses_weak_passwords(service, password):
    with pytest.raises(WeakPassword):
        await service.register(email="a@b.co", username="Ada", password=password, gender=None, date_of_birth=None)


@pytest.mark.parametrize("email", ["no-at-sign", "a@b", "a b@c.de", "@x.io"])
async def test_register_refuses_malformed_emails(service, email):
    with pytest.raises(InvalidEmail):
        await service.register(email=email, username="Ada", password=PASSWORD, gender=None, date_of_birth=None)


async def test_register_twice_with_same_email_in_other_case_conflicts(service):
    await register(service, "ada@example.com")
    with pytest.raises(AlreadyExists):
        await register(service, "ADA@example.com")


async def test_login_with_wrong_password_and_unknown_email_fail_alike(service):
    await register(service)
    with pytest.raises(InvalidCredentials) as wrong_password:
        await service.login(email="ada@example.com", password="wrong password 1")
    with pytest.raises(InvalidCredentials) as unknown_email:
        await service.login(email="nobody@example.com", password=PASSWORD)
    assert wrong_password.value.message == unknown_email.value.message


async def test_login_is_case_insensitive_on_email(service):
    await register(service)
    issued = await service.login(email=" ADA@example.com ", password=PASSWORD)
    assert issued.user.email == "ada@example.com"


async def test_refresh_rotates_the_token_and_the_old_one_stops_working(service):
    first = await register(service)
    second = await service.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    third = await service.refresh(second.refresh_token)
    assert third.user.user_id == first.user.user_id


async def test_reusing_a_rotated_token_after_the_grace_window_revokes_the_session(service, clock):
    first = await register(service)
    second = await service.refresh(first.refresh_token)
    clock.now += 120
    with pytest.raises(InvalidRefreshToken):
        await service.refresh(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await service.refresh(second.refresh_token)


async def test_a_concurrent_refresh_within_the_grace_window_keeps_the_session(service, clock):
    first = await register(service)
    second = await service.refresh(first.refresh_token)
    clock.now += 2
    with pytest.raises(InvalidRefreshToken):
        await service.refresh(first.refresh_token)
    assert (await service.refresh(second.refresh_token)).user.user_id == first.user.user_id


async def test_refresh_after_expiry_fails(service, clock):
    first = await register(service)
    clock.now += 3601
    with pytest.raises(InvalidRefreshToken):
        await service.refresh(first.refresh_token)


@pytest.mark.parametrize("token", ["", "nodot", ".secret", "unknown-session.secret"])
async def test_refresh_with_garbage_fails(service, token):
    with pytest.raises(InvalidRefreshToken):
        await service.refresh(token)


async def test_logout_revokes_the_session(service):
    issued = await register(service)
    await service.logout(refresh_token=issued.refresh_token, session_id=None)
    with pytest.raises(InvalidRefreshToken):
        await service.refresh(issued.refresh_token)
    await service.logout(refresh_token=issued.refresh_token, session_id=None)


async def test_password_change_keeps_this_session_and_revokes_the_others(service, signer):
    here = await register(service)
    elsewhere = await service.login(email="ada@example.com", password=PASSWORD)
    verifier = AccessTokenVerifier(SignerKeySource(signer), issuer="iss", audience="aud")
    claims = await verifier.verify(here.access_token)
    await service.change_password(
        user_id=claims.user_id, session_id=claims.session_id, current_password=PASSWORD, new_password="new pass 22"
    )
    await service.refresh(here.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await service.refresh(elsewhere.refresh_token)
    with pytest.raises(InvalidCredentials):
        await service.login(email="ada@example.com", password=PASSWORD)
    assert (await service.login(email="ada@example.com", password="new pass 22")).user.user_id == claims.user_id


async def test_password_change_with_wrong_current_password_changes_nothing(service):
    issued = await register(service)
    with pytest.raises(InvalidCredentials):
        await service.change_password(
            user_id=issued.user.user_id, session_id="x", current_password="nope nope 1", new_password="new pass 22"
        )
    await service.login(email="ada@example.com", password=PASSWORD)


async def test_revoke_user_sessions_ends_every_session(service):
    first = await register(service)
    second = await service.login(email="ada@example.com", password=PASSWORD)
    assert await service.revoke_user_sessions(first.user.user_id) == 2
    for issued in (first, second):
        with pytest.raises(InvalidRefreshToken):
            await service.refresh(issued.refresh_token)
