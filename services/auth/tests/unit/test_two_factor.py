"""Turning two-factor sign-in on and off (its use at sign-in is in test_sign_in)."""

import pytest

from scloud_auth.domain import (
    InvalidCredentials,
    InvalidTwoFactorCode,
    IssuedSession,
    TooManyAttempts,
    TwoFactorAlreadyEnabled,
    TwoFactorNotEnabled,
    TwoFactorSetupMissing,
)
from services.auth.tests.unit.account_steps import PASSWORD, enable_two_factor, register


async def test_setup_needs_a_confirming_code_of_the_new_secret(auth, clock):
    issued = await register(auth)
    user_id = issued.user.user_id
    with pytest.raises(TwoFactorSetupMissing):
        await auth.two_factor.confirm(user_id, "123456")
    await auth.two_factor.begin_setup(user_id, password=PASSWORD)
    with pytest.raises(InvalidTwoFactorCode):
        await auth.two_factor.confirm(user_id, "not a code")
    assert not (await auth.two_factor.status(user_id)).enabled
    assert isinstance(await auth.sign_in.login(email="ada@example.com", password=PASSWORD), IssuedSession)
    await enable_two_factor(auth, user_id, clock)
    with pytest.raises(TwoFactorAlreadyEnabled):
        await auth.two_factor.begin_setup(user_id, password=PASSWORD)


async def test_turning_two_factor_off_needs_the_password_and_a_code(auth, clock):
    issued = await register(auth)
    user_id = issued.user.user_id
    app, _ = await enable_two_factor(auth, user_id, clock)
    clock.now += 30
    with pytest.raises(InvalidCredentials):
        await auth.two_factor.disable(user_id, password="wrong password 1", code=app.at(clock.now))
    with pytest.raises(InvalidTwoFactorCode):
        await auth.two_factor.disable(user_id, password=PASSWORD, code="000000")
    await auth.two_factor.disable(user_id, password=PASSWORD, code=app.at(clock.now))
    assert isinstance(await auth.sign_in.login(email="ada@example.com", password=PASSWORD), IssuedSession)
    with pytest.raises(TwoFactorNotEnabled):
        await auth.two_factor.disable(user_id, password=PASSWORD, code=app.at(clock.now))


async def test_setup_needs_the_password_and_wrong_ones_count_towards_the_lock(auth, two_factor_repository):
    issued = await register(auth)
    user_id = issued.user.user_id
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await auth.two_factor.begin_setup(user_id, password="stolen token only")
    assert await two_factor_repository.get(user_id) is None
    with pytest.raises(TooManyAttempts):
        await auth.two_factor.begin_setup(user_id, password=PASSWORD)
    with pytest.raises(TooManyAttempts):
        await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
