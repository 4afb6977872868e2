"""The WebDAV sign-in name against the account's email, on an in-memory users directory that
counts its calls."""

import pytest

from scloud_files.adapters.in_memory_share import InMemoryUserDirectory
from scloud_files.drive.sign_in_name import EMAIL_CACHE_SECONDS, SignInNames
from scloud_files.ports import AccountProfile


class CountingDirectory(InMemoryUserDirectory):
    def __init__(self, profiles: dict[str, AccountProfile]) -> None:
        super().__init__(profiles)
        self.calls = 0

    async def get_profile(self, user_id: str) -> AccountProfile:
        self.calls += 1
        return await super().get_profile(user_id)


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def profile(email: str) -> AccountProfile:
    return AccountProfile(email_verified=True, display_name="Ada", email=email)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def directory() -> CountingDirectory:
    return CountingDirectory({"ada": profile("Ada@Example.com"), "mute": profile("")})


@pytest.fixture
def names(directory, clock) -> SignInNames:
    return SignInNames(directory, clock=clock)


@pytest.mark.parametrize("name", ["ada@example.com", "ADA@EXAMPLE.COM", "  Ada@Example.com\t"])
async def test_the_accounts_email_matches_whatever_its_case_and_surrounding_blanks(names, name):
    assert await names.is_account_email("ada", name)


@pytest.mark.parametrize("name", ["bob@example.com", "ada", "", "ada@example.com.evil"])
async def test_any_other_name_is_refused(names, name):
    assert not await names.is_account_email("ada", name)


async def test_an_unknown_account_or_one_without_an_email_matches_no_name(names):
    assert not await names.is_account_email("nobody", "")
    assert not await names.is_account_email("mute", "")
    assert not await names.is_account_email("mute", " ")


def test_the_answer_is_kept_no_longer_than_the_revocation_bound():
    assert 0 < EMAIL_CACHE_SECONDS <= 5


async def test_a_burst_of_requests_asks_the_directory_once_until_the_answer_expires(names, directory, clock):
    for name in ("ada@example.com", "bob@example.com", "ada@example.com"):
        await names.is_account_email("ada", name)
    assert directory.calls == 1
    directory.profiles["ada"] = profile("new@example.com")
    clock.now += EMAIL_CACHE_SECONDS - 0.1
    assert await names.is_account_email("ada", "ada@example.com")
    clock.now += 0.1
    assert await names.is_account_email("ada", "new@example.com")
    assert not await names.is_account_email("ada", "ada@example.com")
    assert directory.calls == 2


async def test_an_unknown_account_is_remembered_too(names, directory):
    for _ in range(3):
        assert not await names.is_account_email("nobody", "x@example.com")
    assert directory.calls == 1


async def test_the_kept_answers_are_bounded_in_number(directory, clock):
    names = SignInNames(directory, clock=clock, max_entries=1)
    await names.is_account_email("ada", "ada@example.com")
    await names.is_account_email("mute", "")
    await names.is_account_email("ada", "ada@example.com")
    assert directory.calls == 3
