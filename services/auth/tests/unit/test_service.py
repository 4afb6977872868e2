import logging

import pyotp
import pytest

from scloud_auth.adapters.in_memory import (
    FastPasswordHasher,
    InMemoryAttemptStore,
    InMemoryOneTimeTokenStore,
    InMemorySignInChallengeStore,
    InMemoryTwoFactorRepository,
    InMemoryUserDirectory,
)
from scloud_auth.common_passwords import common_passwords
from scloud_auth.domain import (
    InvalidCredentials,
    InvalidEmail,
    InvalidRefreshToken,
    InvalidTwoFactorCode,
    IssuedChallenge,
    IssuedSession,
    PasswordPolicy,
    SessionLifetime,
    SessionNotFound,
    SignInChallengeExpired,
    TooManyAttempts,
    TwoFactorAlreadyEnabled,
    TwoFactorNotEnabled,
    TwoFactorSetupMissing,
    WeakPassword,
)
from scloud_auth.service import AuthService
from scloud_auth.signing import AccessTokenSigner, SignerKeySource
from scloud_common.errors import AlreadyExists
from scloud_common.logs import JsonFormatter
from scloud_common.mail import MailLayout, MailOutbox, RecordingMailer
from scloud_common.tokens import AccessTokenVerifier, InvalidAccessToken

PASSWORD = "correct horse 1"


@pytest.fixture
def signer() -> AccessTokenSigner:
    return AccessTokenSigner.generate(issuer="iss", audience="aud", ttl_seconds=900)


@pytest.fixture
def hasher() -> FastPasswordHasher:
    return FastPasswordHasher()


@pytest.fixture
async def service(sessions, signer, clock, hasher) -> AuthService:
    return AuthService(
        users=InMemoryUserDirectory(),
        sessions=sessions,
        attempts=InMemoryAttemptStore(),
        hasher=hasher,
        signer=signer,
        two_factor=InMemoryTwoFactorRepository(),
        challenges=InMemorySignInChallengeStore(),
        session_lifetime=SessionLifetime(idle_seconds=3600, absolute_seconds=4 * 3600),
        password_policy=PasswordPolicy(common_passwords=frozenset({"passwordpassword"})),
        reuse_grace_seconds=30,
        dummy_password_hash=await hasher.hash("dummy"),
        tokens=InMemoryOneTimeTokenStore(),
        outbox=MailOutbox(RecordingMailer()),
        mail_layout=MailLayout(public_url="http://app.test"),
        clock=clock,
    )


async def register(service: AuthService, email: str = "Ada@Example.com"):
    return await service.register(email=email, username="Ada", password=PASSWORD, gender=None, date_of_birth=None)


async def test_register_issues_a_verifiable_access_token(service, signer, clock):
    issued = await register(service)
    verifier = AccessTokenVerifier(SignerKeySource(signer), session_source=service, issuer="iss", audience="aud")
    claims = await verifier.verify(issued.access_token)
    assert claims.user_id == issued.user.user_id
    assert issued.user.email == "ada@example.com"
    assert issued.access_token_expires_at == int(clock.now) + 900


@pytest.mark.parametrize("password", ["short pass1", " " * 11, "PasswordPassword", "x" * 129])
async def test_register_refuses_short_long_and_common_passwords(service, password):
    with pytest.raises(WeakPassword):
        await service.register(email="a@b.co", username="Ada", password=password, gender=None, date_of_birth=None)


@pytest.mark.parametrize("password", ["alllowercaseletters", "123456789012", "x" * 128, "        twelve"])
async def test_register_has_no_composition_rules(service, password):
    issued = await service.register(email="a@b.co", username="Ada", password=password, gender=None, date_of_birth=None)
    assert (await service.login(email="a@b.co", password=password)).user.user_id == issued.user.user_id


async def test_the_shipped_list_of_common_passwords_is_refused_case_insensitively():
    policy = PasswordPolicy(common_passwords=common_passwords())
    assert len(policy.common_passwords) > 40_000
    for password in ("1qaz2wsx3edc", "QWERTY123456", "LeaveMeAlone"):
        with pytest.raises(WeakPassword):
            policy.check(password)
    policy.check("correct horse battery")


async def test_sign_in_rewrites_a_hash_of_an_older_scheme(service, hasher):
    issued = await register(service)
    users = service._users
    hasher.scheme = "v3"
    await service.login(email="ada@example.com", password=PASSWORD)
    rewritten = (await users.get_credentials(issued.user.user_id)).password_hash
    assert rewritten.startswith("v3$")
    await service.login(email="ada@example.com", password=PASSWORD)
    assert (await users.get_credentials(issued.user.user_id)).password_hash == rewritten


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
    with pytest.raises(InvalidRefreshToken):
        await service.refresh(first.refresh_token)
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


async def test_refreshes_extend_the_idle_timeout(service, clock):
    issued = await register(service)
    for _ in range(3):
        clock.now += 3000
        issued = await service.refresh(issued.refresh_token)
        assert issued.refresh_token_expires_at == int(clock.now) + 3600
    assert (await service.refresh(issued.refresh_token)).user.user_id == issued.user.user_id


async def test_refreshes_do_not_extend_the_absolute_lifetime(service, clock):
    issued = await register(service)
    signed_in_at = int(clock.now)
    while clock.now + 3000 < signed_in_at + 4 * 3600:
        clock.now += 3000
        issued = await service.refresh(issued.refresh_token)
    assert issued.refresh_token_expires_at == signed_in_at + 4 * 3600
    session_id = issued.refresh_token.partition(".")[0]
    clock.now = signed_in_at + 4 * 3600
    with pytest.raises(InvalidRefreshToken):
        await service.refresh(issued.refresh_token)
    assert not await service.is_session_active(session_id, issued.user.user_id)


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
    verifier = AccessTokenVerifier(SignerKeySource(signer), session_source=service, issuer="iss", audience="aud")
    claims = await verifier.verify(here.access_token)
    await service.change_password(
        user_id=claims.user_id, session_id=claims.session_id, current_password=PASSWORD, new_password="new password 22"
    )
    await service.refresh(here.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await service.refresh(elsewhere.refresh_token)
    with pytest.raises(InvalidCredentials):
        await service.login(email="ada@example.com", password=PASSWORD)
    assert (await service.login(email="ada@example.com", password="new password 22")).user.user_id == claims.user_id


async def test_password_change_with_wrong_current_password_changes_nothing(service):
    issued = await register(service)
    with pytest.raises(InvalidCredentials):
        await service.change_password(
            user_id=issued.user.user_id, session_id="x", current_password="nope nope 1", new_password="new password 22"
        )
    await service.login(email="ada@example.com", password=PASSWORD)


async def test_revoke_user_sessions_ends_every_session(service):
    first = await register(service)
    second = await service.login(email="ada@example.com", password=PASSWORD)
    assert await service.revoke_user_sessions(first.user.user_id) == 2
    for issued in (first, second):
        with pytest.raises(InvalidRefreshToken):
            await service.refresh(issued.refresh_token)


def verifier_for(service: AuthService, signer: AccessTokenSigner) -> AccessTokenVerifier:
    return AccessTokenVerifier(
        SignerKeySource(signer), session_source=service, issuer="iss", audience="aud", session_cache_seconds=0
    )


async def test_an_access_token_dies_with_its_session(service, signer):
    issued = await register(service)
    verifier = verifier_for(service, signer)
    await verifier.verify(issued.access_token)
    await service.logout(refresh_token=issued.refresh_token, session_id=None)
    with pytest.raises(InvalidAccessToken):
        await verifier.verify(issued.access_token)


async def test_password_change_ends_the_access_tokens_of_other_sessions(service, signer):
    here = await register(service)
    elsewhere = await service.login(email="ada@example.com", password=PASSWORD)
    verifier = verifier_for(service, signer)
    claims = await verifier.verify(here.access_token)
    await service.change_password(
        user_id=claims.user_id, session_id=claims.session_id, current_password=PASSWORD, new_password="new password 22"
    )
    await verifier.verify(here.access_token)
    with pytest.raises(InvalidAccessToken):
        await verifier.verify(elsewhere.access_token)


async def test_a_session_is_only_active_for_its_own_user(service):
    issued = await register(service)
    other = await register(service, "bob@example.com")
    session_id = issued.refresh_token.partition(".")[0]
    assert await service.is_session_active(session_id, issued.user.user_id)
    assert not await service.is_session_active(session_id, other.user.user_id)
    assert not await service.is_session_active("unknown", issued.user.user_id)


async def test_an_expired_session_is_not_active(service, clock):
    issued = await register(service)
    clock.now += 3601
    assert not await service.is_session_active(issued.refresh_token.partition(".")[0], issued.user.user_id)


async def test_sessions_are_listed_newest_first_with_their_device(service, clock):
    first = await service.register(
        email="ada@example.com",
        username="Ada",
        password=PASSWORD,
        gender=None,
        date_of_birth=None,
        user_agent="Firefox\x00 on\n Linux",
    )
    clock.now += 10
    second = await service.login(email="ada@example.com", password=PASSWORD, user_agent="x" * 500)
    clock.now += 10
    await service.refresh(first.refresh_token)
    listed = await service.list_sessions(first.user.user_id)
    assert [s.session_id for s in listed] == [
        second.refresh_token.partition(".")[0],
        first.refresh_token.partition(".")[0],
    ]
    assert listed[1].user_agent == "Firefox on Linux"
    assert len(listed[0].user_agent) == 200
    assert listed[1].last_used_at == int(clock.now)
    assert listed[0].last_used_at == listed[0].created_at


async def test_revoked_sessions_are_not_listed_and_cannot_be_revoked_again(service):
    issued = await register(service)
    session_id = issued.refresh_token.partition(".")[0]
    await service.revoke_session(issued.user.user_id, session_id)
    assert await service.list_sessions(issued.user.user_id) == []
    with pytest.raises(SessionNotFound):
        await service.revoke_session(issued.user.user_id, session_id)


async def test_another_users_session_cannot_be_revoked(service):
    issued = await register(service)
    other = await register(service, "bob@example.com")
    with pytest.raises(SessionNotFound):
        await service.revoke_session(other.user.user_id, issued.refresh_token.partition(".")[0])
    await service.refresh(issued.refresh_token)


async def fail_logins(service, email: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(InvalidCredentials):
            await service.login(email=email, password="wrong password 1")


async def test_five_failed_logins_lock_the_account_even_for_the_right_password(service):
    await register(service)
    await fail_logins(service, "ada@example.com", 5)
    with pytest.raises(TooManyAttempts) as locked:
        await service.login(email="ada@example.com", password=PASSWORD)
    assert locked.value.retry_after_seconds == 30


async def test_the_lockout_grows_with_each_further_failure_up_to_a_cap(service, clock):
    await register(service)
    await fail_logins(service, "ada@example.com", 5)
    delays = []
    for _ in range(8):
        with pytest.raises(TooManyAttempts) as locked:
            await service.login(email="ada@example.com", password=PASSWORD)
        delays.append(locked.value.retry_after_seconds)
        clock.now += locked.value.retry_after_seconds
        await fail_logins(service, "ada@example.com", 1)
    assert delays == [30, 60, 120, 240, 480, 900, 900, 900]


async def test_a_success_resets_the_count(service, clock):
    await register(service)
    await fail_logins(service, "ada@example.com", 4)
    await service.login(email="ada@example.com", password=PASSWORD)
    await fail_logins(service, "ada@example.com", 4)
    await service.login(email="ada@example.com", password=PASSWORD)


async def test_failures_older_than_the_window_are_forgotten(service, clock):
    await register(service)
    await fail_logins(service, "ada@example.com", 4)
    clock.now += 15 * 60
    await fail_logins(service, "ada@example.com", 4)
    await service.login(email="ada@example.com", password=PASSWORD)


async def test_unknown_emails_are_throttled_like_real_ones(service):
    await fail_logins(service, "nobody@example.com", 5)
    with pytest.raises(TooManyAttempts):
        await service.login(email="nobody@example.com", password=PASSWORD)


async def test_wrong_current_passwords_count_towards_the_same_lock(service):
    issued = await register(service)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await service.change_password(
                user_id=issued.user.user_id,
                session_id="x",
                current_password="nope nope 1",
                new_password="new password 22",
            )
    with pytest.raises(TooManyAttempts):
        await service.login(email="ada@example.com", password=PASSWORD)
    with pytest.raises(TooManyAttempts):
        await service.verify_password(issued.user.user_id, PASSWORD)


@pytest.mark.parametrize(
    ("email", "normalized"),
    [
        ("Ada@BÜCHER.example", "ada@xn--bcher-kva.example"),
        ("ada@xn--bcher-kva.example", "ada@xn--bcher-kva.example"),
        ("  ADA@Example.COM ", "ada@example.com"),
    ],
)
async def test_emails_are_normalised_once_with_an_idna_domain(service, email, normalized):
    issued = await register(service, email)
    assert issued.user.email == normalized


@pytest.mark.parametrize("email", ["ada\x00@example.com", "ada@exa\u200bmple.com", "a\nb@example.com", "ada@-bad-.com"])
async def test_emails_with_control_characters_or_bad_domains_are_refused(service, email):
    with pytest.raises(InvalidEmail):
        await register(service, email)


def security_events(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if getattr(record, "security_event", None)]


async def test_sign_ins_are_security_events_without_the_email_or_password(service, caplog):
    caplog.set_level(logging.INFO, logger="scloud.security")
    issued = await register(service)
    await service.login(email="ada@example.com", password=PASSWORD)
    with pytest.raises(InvalidCredentials):
        await service.login(email="ada@example.com", password="wrong password 1")
    with pytest.raises(InvalidCredentials):
        await service.login(email="nobody@example.com", password="wrong password 1")
    events = [(r.security_event, r.user_id) for r in security_events(caplog)]
    assert events == [
        ("account_created", issued.user.user_id),
        ("sign_in_succeeded", issued.user.user_id),
        ("sign_in_failed", issued.user.user_id),
        ("sign_in_failed", None),
    ]
    formatter = JsonFormatter("auth")
    for record in caplog.records:
        line = formatter.format(record).lower()
        assert "example.com" not in line and "wrong password" not in line and PASSWORD not in line


async def test_a_lockout_and_session_changes_are_security_events(service, caplog):
    caplog.set_level(logging.INFO, logger="scloud.security")
    issued = await register(service)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await service.login(email="ada@example.com", password="wrong password 1")
    locked = [r for r in security_events(caplog) if r.security_event == "account_locked"]
    assert [(r.user_id, r.levelname, r.locked_seconds) for r in locked] == [(issued.user.user_id, "WARNING", 30)]
    await service.revoke_user_sessions(issued.user.user_id)
    assert security_events(caplog)[-1].security_event == "all_sessions_revoked"


async def enable_two_factor(service: AuthService, user_id: str, clock) -> tuple[pyotp.TOTP, list[str]]:
    setup = await service.begin_two_factor_setup(user_id)
    assert setup.provisioning_uri.startswith("otpauth://totp/SCloud:ada%40example.com?secret=")
    assert setup.qr_code.startswith("data:image/svg+xml")
    app = pyotp.TOTP(setup.secret)
    recovery_codes = await service.confirm_two_factor(user_id, app.at(clock.now))
    return app, recovery_codes


async def test_with_two_factor_the_password_alone_gives_a_challenge_not_a_session(service, clock, sessions):
    issued = await register(service)
    app, _ = await enable_two_factor(service, issued.user.user_id, clock)
    session_count = len(sessions.sessions)
    clock.now += 30
    challenge = await service.login(email="ada@example.com", password=PASSWORD)
    assert isinstance(challenge, IssuedChallenge) and len(sessions.sessions) == session_count
    signed_in = await service.complete_two_factor_sign_in(challenge=challenge.token, code=app.at(clock.now))
    assert signed_in.user.user_id == issued.user.user_id and len(sessions.sessions) == session_count + 1
    with pytest.raises(SignInChallengeExpired):
        await service.complete_two_factor_sign_in(challenge=challenge.token, code=app.at(clock.now))


async def test_a_code_is_refused_when_replayed_within_its_window(service, clock):
    issued = await register(service)
    app, _ = await enable_two_factor(service, issued.user.user_id, clock)
    clock.now += 30
    code = app.at(clock.now)
    first = await service.login(email="ada@example.com", password=PASSWORD)
    await service.complete_two_factor_sign_in(challenge=first.token, code=code)
    second = await service.login(email="ada@example.com", password=PASSWORD)
    with pytest.raises(InvalidTwoFactorCode):
        await service.complete_two_factor_sign_in(challenge=second.token, code=code)
    clock.now += 30
    await service.complete_two_factor_sign_in(challenge=second.token, code=app.at(clock.now))


async def test_a_recovery_code_works_once(service, clock):
    issued = await register(service)
    _, recovery_codes = await enable_two_factor(service, issued.user.user_id, clock)
    assert len(set(recovery_codes)) == 10
    challenge = await service.login(email="ada@example.com", password=PASSWORD)
    await service.complete_two_factor_sign_in(challenge=challenge.token, code=recovery_codes[0].upper())
    challenge = await service.login(email="ada@example.com", password=PASSWORD)
    with pytest.raises(InvalidTwoFactorCode):
        await service.complete_two_factor_sign_in(challenge=challenge.token, code=recovery_codes[0])
    assert (await service.two_factor_status(issued.user.user_id)).recovery_codes_left == 9


async def test_wrong_codes_lock_the_account_like_wrong_passwords(service, clock):
    issued = await register(service)
    await enable_two_factor(service, issued.user.user_id, clock)
    challenge = await service.login(email="ada@example.com", password=PASSWORD)
    for _ in range(5):
        with pytest.raises(InvalidTwoFactorCode):
            await service.complete_two_factor_sign_in(challenge=challenge.token, code="000000")
    with pytest.raises(TooManyAttempts):
        await service.complete_two_factor_sign_in(challenge=challenge.token, code="000000")


async def test_a_challenge_expires_after_five_minutes(service, clock):
    issued = await register(service)
    app, _ = await enable_two_factor(service, issued.user.user_id, clock)
    challenge = await service.login(email="ada@example.com", password=PASSWORD)
    clock.now += 301
    with pytest.raises(SignInChallengeExpired):
        await service.complete_two_factor_sign_in(challenge=challenge.token, code=app.at(clock.now))


async def test_setup_needs_a_confirming_code_of_the_new_secret(service, clock):
    issued = await register(service)
    user_id = issued.user.user_id
    with pytest.raises(TwoFactorSetupMissing):
        await service.confirm_two_factor(user_id, "123456")
    await service.begin_two_factor_setup(user_id)
    with pytest.raises(InvalidTwoFactorCode):
        await service.confirm_two_factor(user_id, "not a code")
    assert not (await service.two_factor_status(user_id)).enabled
    assert isinstance(await service.login(email="ada@example.com", password=PASSWORD), IssuedSession)
    await enable_two_factor(service, user_id, clock)
    with pytest.raises(TwoFactorAlreadyEnabled):
        await service.begin_two_factor_setup(user_id)


async def test_turning_two_factor_off_needs_the_password_and_a_code(service, clock):
    issued = await register(service)
    user_id = issued.user.user_id
    app, _ = await enable_two_factor(service, user_id, clock)
    clock.now += 30
    with pytest.raises(InvalidCredentials):
        await service.disable_two_factor(user_id, password="wrong password 1", code=app.at(clock.now))
    with pytest.raises(InvalidTwoFactorCode):
        await service.disable_two_factor(user_id, password=PASSWORD, code="000000")
    await service.disable_two_factor(user_id, password=PASSWORD, code=app.at(clock.now))
    assert isinstance(await service.login(email="ada@example.com", password=PASSWORD), IssuedSession)
    with pytest.raises(TwoFactorNotEnabled):
        await service.disable_two_factor(user_id, password=PASSWORD, code=app.at(clock.now))
