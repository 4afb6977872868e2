"""The per-account lock holds against parallel guesses: each check is counted before it is made,
so a burst sent at once is judged like the same guesses sent one by one.

The fakes below yield to the event loop where the real adapters wait (bcrypt's thread pool, a
DynamoDB read), so the guesses of a burst really do overlap."""

import asyncio

import pytest

from scloud_auth.adapters.in_memory import FastPasswordHasher, InMemoryTwoFactorRepository
from scloud_auth.domain import InvalidCredentials, InvalidTwoFactorCode, TooManyAttempts, TwoFactor
from scloud_common.password_hash import HasherBusy
from services.auth.tests.unit.account_steps import PASSWORD, enable_two_factor, register

BURST = 20


class CountingHasher(FastPasswordHasher):
    """Counts password checks; each one lets other tasks run, as a check on bcrypt's pool does.
    While `busy`, it refuses them as that pool does when its queue is full."""

    def __init__(self) -> None:
        super().__init__()
        self.verify_calls = 0
        self.busy = False

    async def verify(self, password: str, password_hash: str) -> bool:
        if self.busy:
            raise HasherBusy()
        self.verify_calls += 1
        await asyncio.sleep(0)
        return await super().verify(password, password_hash)


class YieldingTwoFactorRepository(InMemoryTwoFactorRepository):
    """Reads let other tasks run, as a DynamoDB read does."""

    async def get(self, user_id: str) -> TwoFactor | None:
        await asyncio.sleep(0)
        return await super().get(user_id)


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def two_factor_repository() -> YieldingTwoFactorRepository:
    return YieldingTwoFactorRepository()


async def burst_of_wrong_passwords(auth, email: str = "ada@example.com") -> list[BaseException | object]:
    return await asyncio.gather(
        *(auth.sign_in.login(email=email, password=f"wrong password {n}") for n in range(BURST)),
        return_exceptions=True,
    )


async def test_a_burst_of_wrong_passwords_checks_at_most_five(auth, hasher):
    await register(auth)
    hasher.verify_calls = 0
    outcomes = await burst_of_wrong_passwords(auth)
    assert hasher.verify_calls <= 5
    assert sum(isinstance(o, InvalidCredentials) for o in outcomes) == hasher.verify_calls
    assert all(isinstance(o, (InvalidCredentials, TooManyAttempts)) for o in outcomes)


async def test_a_burst_on_an_unknown_email_checks_at_most_five(auth, hasher):
    outcomes = await burst_of_wrong_passwords(auth, "nobody@example.com")
    assert hasher.verify_calls <= 5
    assert sum(isinstance(o, TooManyAttempts) for o in outcomes) >= BURST - 5


async def test_right_after_a_lock_ends_a_burst_checks_one_guess(auth, hasher, clock):
    await register(auth)
    await burst_of_wrong_passwords(auth)
    with pytest.raises(TooManyAttempts) as locked:
        await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    clock.now += locked.value.retry_after_seconds
    hasher.verify_calls = 0
    outcomes = await burst_of_wrong_passwords(auth)
    assert hasher.verify_calls == 1
    assert sum(isinstance(o, TooManyAttempts) for o in outcomes) == BURST - 1


async def test_a_burst_of_wrong_codes_on_one_challenge_checks_at_most_five(auth, clock):
    issued = await register(auth)
    app, _ = await enable_two_factor(auth, issued.user.user_id, clock)
    challenge = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    valid_now = {app.at(clock.now + drift) for drift in (-30, 0, 30)}
    wrong_codes = [code for code in (f"{n:06d}" for n in range(100_000, 100_100)) if code not in valid_now][:BURST]
    outcomes = await asyncio.gather(
        *(auth.sign_in.complete_two_factor_sign_in(challenge=challenge.token, code=code) for code in wrong_codes),
        return_exceptions=True,
    )
    assert sum(isinstance(o, InvalidTwoFactorCode) for o in outcomes) <= 5
    assert all(isinstance(o, (InvalidTwoFactorCode, TooManyAttempts)) for o in outcomes)


async def test_a_check_that_could_not_be_made_is_not_counted(auth, ports, hasher):
    await register(auth)
    hasher.busy = True
    for _ in range(10):
        with pytest.raises(HasherBusy):
            await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    assert await ports.attempts.get("email#ada@example.com") is None
    hasher.busy = False
    await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
