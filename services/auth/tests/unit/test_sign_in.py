"""Signing in: password, second factor, the per-account lock and their security events."""

import logging

import pytest

from scloud_auth.domain import (
    InvalidCredentials,
    InvalidTwoFactorCode,
    IssuedChallenge,
    SignInChallengeExpired,
    TooManyAttempts,
)
from scloud_common.logs import JsonFormatter
from services.auth.tests.unit.account_steps import PASSWORD, enable_two_factor, register


async def test_sign_in_rewrites_a_hash_of_an_older_scheme(auth, hasher, users):
    issued = await register(auth)
    hasher.scheme = "v3"
    await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    rewritten = (await users.get_credentials(issued.user.user_id)).password_hash
    assert rewritten.startswith("v3$")
    await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    assert (await users.get_credentials(issued.user.user_id)).password_hash == rewritten


async def test_login_with_wrong_password_and_unknown_email_fail_alike(auth):
    await register(auth)
    with pytest.raises(InvalidCredentials) as wrong_password:
        await auth.sign_in.login(email="ada@example.com", password="wrong password 1")
    with pytest.raises(InvalidCredentials) as unknown_email:
        await auth.sign_in.login(email="nobody@example.com", password=PASSWORD)
    assert wrong_password.value.message == unknown_email.value.message


async def test_login_is_case_insensitive_on_email(auth):
    await register(auth)
    issued = await auth.sign_in.login(email=" ADA@example.com ", password=PASSWORD)
    assert issued.user.email == "ada@example.com"


async def fail_logins(auth, email: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(InvalidCredentials):
            await auth.sign_in.login(email=email, password="wrong password 1")


async def test_five_failed_logins_lock_the_account_even_for_the_right_password(auth):
    await register(auth)
    await fail_logins(auth, "ada@example.com", 5)
    with pytest.raises(TooManyAttempts) as locked:
        await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    assert locked.value.retry_after_seconds == 30


async def test_the_lockout_grows_with_each_further_failure_up_to_a_cap(auth, clock):
    await register(auth)
    await fail_logins(auth, "ada@example.com", 5)
    delays = []
    for _ in range(8):
        with pytest.raises(TooManyAttempts) as locked:
            await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
        delays.append(locked.value.retry_after_seconds)
        clock.now += locked.value.retry_after_seconds
        await fail_logins(auth, "ada@example.com", 1)
    assert delays == [30, 60, 120, 240, 480, 900, 900, 900]


async def test_a_success_resets_the_count(auth, clock):
    await register(auth)
    await fail_logins(auth, "ada@example.com", 4)
    await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    await fail_logins(auth, "ada@example.com", 4)
    await auth.sign_in.login(email="ada@example.com", password=PASSWORD)


async def test_failures_older_than_the_window_are_forgotten(auth, clock):
    await register(auth)
    await fail_logins(auth, "ada@example.com", 4)
    clock.now += 15 * 60
    await fail_logins(auth, "ada@example.com", 4)
    await auth.sign_in.login(email="ada@example.com", password=PASSWORD)


async def test_unknown_emails_are_throttled_like_real_ones(auth):
    await fail_logins(auth, "nobody@example.com", 5)
    with pytest.raises(TooManyAttempts):
        await auth.sign_in.login(email="nobody@example.com", password=PASSWORD)


async def test_wrong_current_passwords_count_towards_the_same_lock(auth):
    issued = await register(auth)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await auth.recovery.change_password(
                user_id=issued.user.user_id,
                session_id="x",
                current_password="nope nope 1",
                new_password="new password 22",
            )
    with pytest.raises(TooManyAttempts):
        await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    with pytest.raises(TooManyAttempts):
        await auth.password_check.verify_password(issued.user.user_id, PASSWORD)


def security_events(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if getattr(record, "security_event", None)]


async def test_sign_ins_are_security_events_without_the_email_or_password(auth, caplog):
    caplog.set_level(logging.INFO, logger="scloud.security")
    issued = await register(auth)
    await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    with pytest.raises(InvalidCredentials):
        await auth.sign_in.login(email="ada@example.com", password="wrong password 1")
    with pytest.raises(InvalidCredentials):
        await auth.sign_in.login(email="nobody@example.com", password="wrong password 1")
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


async def test_a_lockout_and_session_changes_are_security_events(auth, caplog):
    caplog.set_level(logging.INFO, logger="scloud.security")
    issued = await register(auth)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await auth.sign_in.login(email="ada@example.com", password="wrong password 1")
    locked = [r for r in security_events(caplog) if r.security_event == "account_locked"]
    assert [(r.user_id, r.levelname, r.locked_seconds) for r in locked] == [(issued.user.user_id, "WARNING", 30)]
    await auth.sessions.revoke_user_sessions(issued.user.user_id)
    assert security_events(caplog)[-1].security_event == "all_sessions_revoked"


async def test_with_two_factor_the_password_alone_gives_a_challenge_not_a_session(auth, clock, sessions):
    issued = await register(auth)
    app, _ = await enable_two_factor(auth, issued.user.user_id, clock)
    session_count = len(sessions.sessions)
    clock.now += 30
    challenge = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    assert isinstance(challenge, IssuedChallenge) and len(sessions.sessions) == session_count
    signed_in = await auth.sign_in.complete_two_factor_sign_in(challenge=challenge.token, code=app.at(clock.now))
    assert signed_in.user.user_id == issued.user.user_id and len(sessions.sessions) == session_count + 1
    with pytest.raises(SignInChallengeExpired):
        await auth.sign_in.complete_two_factor_sign_in(challenge=challenge.token, code=app.at(clock.now))


async def test_a_code_is_refused_when_replayed_within_its_window(auth, clock):
    issued = await register(auth)
    app, _ = await enable_two_factor(auth, issued.user.user_id, clock)
    clock.now += 30
    code = app.at(clock.now)
    first = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    await auth.sign_in.complete_two_factor_sign_in(challenge=first.token, code=code)
    second = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    with pytest.raises(InvalidTwoFactorCode):
        await auth.sign_in.complete_two_factor_sign_in(challenge=second.token, code=code)
    clock.now += 30
    await auth.sign_in.complete_two_factor_sign_in(challenge=second.token, code=app.at(clock.now))


async def test_a_recovery_code_works_once(auth, clock):
    issued = await register(auth)
    _, recovery_codes = await enable_two_factor(auth, issued.user.user_id, clock)
    assert len(set(recovery_codes)) == 10
    challenge = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    await auth.sign_in.complete_two_factor_sign_in(challenge=challenge.token, code=recovery_codes[0].upper())
    challenge = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    with pytest.raises(InvalidTwoFactorCode):
        await auth.sign_in.complete_two_factor_sign_in(challenge=challenge.token, code=recovery_codes[0])
    assert (await auth.two_factor.status(issued.user.user_id)).recovery_codes_left == 9


async def test_wrong_codes_lock_the_account_like_wrong_passwords(auth, clock):
    issued = await register(auth)
    await enable_two_factor(auth, issued.user.user_id, clock)
    challenge = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    for _ in range(5):
        with pytest.raises(InvalidTwoFactorCode):
            await auth.sign_in.complete_two_factor_sign_in(challenge=challenge.token, code="000000")
    with pytest.raises(TooManyAttempts):
        await auth.sign_in.complete_two_factor_sign_in(challenge=challenge.token, code="000000")


async def test_a_challenge_expires_after_five_minutes(auth, clock):
    issued = await register(auth)
    app, _ = await enable_two_factor(auth, issued.user.user_id, clock)
    challenge = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    clock.now += 301
    with pytest.raises(SignInChallengeExpired):
        await auth.sign_in.complete_two_factor_sign_in(challenge=challenge.token, code=app.at(clock.now))
