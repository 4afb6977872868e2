"""An account an operator locked (scloud-admin user lock): the right password, a second factor
and a refresh token all stop working until it is unlocked; a wrong password still answers as it
always does, so the lock tells a guesser nothing."""

import logging

import pytest

from scloud_auth.domain import AccountLocked, InvalidCredentials, InvalidRefreshToken, IssuedChallenge
from services.auth.tests.unit.account_steps import PASSWORD, enable_two_factor, register, set_locked


async def test_a_locked_account_cannot_sign_in_until_unlocked(auth, users, caplog):
    caplog.set_level(logging.INFO, logger="scloud.security")
    issued = await register(auth)
    set_locked(users, issued.user.user_id, True)
    with pytest.raises(AccountLocked) as refused:
        await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    assert (refused.value.code, refused.value.kind.name) == ("account_locked", "PERMISSION_DENIED")
    with pytest.raises(InvalidCredentials):
        await auth.sign_in.login(email="ada@example.com", password="wrong password 1")
    failed = [r for r in caplog.records if getattr(r, "security_event", None) == "sign_in_failed"]
    assert [getattr(r, "account_locked", False) for r in failed] == [True, False]
    set_locked(users, issued.user.user_id, False)
    assert (await auth.sign_in.login(email="ada@example.com", password=PASSWORD)).user.user_id == issued.user.user_id


async def test_a_lock_between_password_and_second_factor_refuses_the_code(auth, users, clock):
    issued = await register(auth)
    app, _ = await enable_two_factor(auth, issued.user.user_id, clock)
    challenge = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    assert isinstance(challenge, IssuedChallenge)
    set_locked(users, issued.user.user_id, True)
    clock.now += 30
    with pytest.raises(AccountLocked):
        await auth.sign_in.complete_two_factor_sign_in(challenge=challenge.token, code=app.at(clock.now))


async def test_a_locked_account_cannot_refresh_and_the_session_ends(auth, users):
    issued = await register(auth)
    set_locked(users, issued.user.user_id, True)
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(issued.refresh_token)
    set_locked(users, issued.user.user_id, False)
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(issued.refresh_token)
