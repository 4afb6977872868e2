"""The first admin: the owner's account made from the USERS_FIRST_ADMIN_* settings when the service
starts, on the in-memory fakes, with the real bcrypt hasher at a low cost (the format auth verifies)."""

import asyncio
import logging

import pytest
from pydantic import SecretStr, ValidationError

from scloud_common.mail import RecordingMailer
from scloud_common.password_hash import PREHASHED_PREFIX, BcryptPasswordHasher
from scloud_users.adapters.in_memory import (
    InMemoryAuthPeer,
    InMemoryFilesPeer,
    InMemoryInvitationRepository,
    InMemoryUserRepository,
)
from scloud_users.bootstrap import bootstrap
from scloud_users.config import UsersSettings
from scloud_users.domain import Account, InvitationRequired, User, username_from_email
from scloud_users.first_admin import FirstAdmin, ensure_first_admin
from tests.fake_auth import FakeAuth

PASSWORD = "a long owner passphrase"
OWNER = FirstAdmin("olga@example.com", "olga", SecretStr(PASSWORD))


@pytest.fixture
async def hasher():
    # bcrypt's lowest cost: the format is the same, the tests stay quick.
    hasher = BcryptPasswordHasher(4)
    yield hasher
    await hasher.close()


def existing_account(email: str = OWNER.email) -> Account:
    user = User("old-id", email, "Someone", None, None, "2026-01-01T00:00:00+00:00", email_verified=False)
    return Account(user, "the-old-hash")


async def test_the_account_is_created_verified_with_a_hash_auth_verifies(hasher, caplog):
    repository = InMemoryUserRepository()
    with caplog.at_level(logging.INFO):
        assert await ensure_first_admin(OWNER, repository, hasher) is True

    account = await repository.get_by_email(OWNER.email)
    assert account is not None
    assert (account.user.email, account.user.username, account.user.email_verified) == (
        "olga@example.com",
        "olga",
        True,
    )
    assert account.password_hash.startswith(PREHASHED_PREFIX)
    assert await hasher.verify(PASSWORD, account.password_hash)
    assert not await hasher.verify("another passphrase", account.password_hash)
    events = [record for record in caplog.records if getattr(record, "security_event", None) == "account_created"]
    assert [event.user_id for event in events] == [account.user.user_id]
    assert "first admin account created" in caplog.messages
    assert not any(PASSWORD in record.getMessage() or PASSWORD in str(record.__dict__) for record in caplog.records)


async def test_starting_again_changes_nothing(hasher):
    repository = InMemoryUserRepository()
    await ensure_first_admin(OWNER, repository, hasher)
    first = dict(repository.accounts)

    assert await ensure_first_admin(OWNER, repository, hasher) is False
    assert repository.accounts == first


async def test_an_existing_account_is_left_untouched_its_password_never_reset(hasher):
    repository = InMemoryUserRepository()
    await repository.add(existing_account())

    assert await ensure_first_admin(OWNER, repository, hasher) is False
    assert repository.accounts == {"old-id": existing_account()}


class OtherReplicaWinsWhileHashing:
    """A hasher during whose work another replica creates the account, as when two start at once."""

    def __init__(self, hasher: BcryptPasswordHasher, repository: InMemoryUserRepository) -> None:
        self._hasher = hasher
        self._repository = repository

    async def hash(self, password: str) -> str:
        await self._repository.add(existing_account())
        return await self._hasher.hash(password)


async def test_an_account_created_meanwhile_by_another_replica_is_no_error(hasher):
    repository = InMemoryUserRepository()

    assert await ensure_first_admin(OWNER, repository, OtherReplicaWinsWhileHashing(hasher, repository)) is False
    assert repository.accounts == {"old-id": existing_account()}


async def test_two_replicas_starting_at_once_make_one_account(hasher):
    repository = InMemoryUserRepository()

    created = await asyncio.gather(*(ensure_first_admin(OWNER, repository, hasher) for _ in range(2)))

    assert sorted(created) == [False, True]
    assert len(repository.accounts) == 1


@pytest.mark.parametrize(
    ("email", "username"),
    [
        ("olga@example.com", "olga"),
        ("olga.k+scloud@example.com", "olga.k.scloud"),
        ("-_-x@example.com", "_-x"),
        ("j@example.com", "admin"),
        ("+++@example.com", "admin"),
        (f"{'a' * 60}@example.com", "a" * 40),
    ],
)
def test_the_default_username_is_the_local_part_made_valid(email, username):
    assert username_from_email(email) == username


@pytest.fixture
def settings(users_settings, tmp_path):
    def build(password: str | None = PASSWORD, **values) -> UsersSettings:
        if password is not None:
            password_file = tmp_path / "first-admin-password"
            password_file.write_text(f"{password}\n")
            values.setdefault("first_admin_password_file", password_file)
        return users_settings(**values)

    return build


def test_no_first_admin_by_default(settings):
    assert settings(password=None).first_admin() is None


def test_empty_variables_mean_no_first_admin(settings):
    """compose.prod.yaml passes SCLOUD_FIRST_ADMIN_EMAIL's absence as empty variables."""
    empty = settings(password=None, first_admin_email="", first_admin_password_file="", first_admin_username=" ")
    assert empty.first_admin() is None


def test_the_settings_give_the_normalised_email_the_default_username_and_the_stripped_password(settings):
    first_admin = settings(first_admin_email=" Olga@EXAMPLE.com ").first_admin()

    assert first_admin == FirstAdmin("olga@example.com", "olga", SecretStr(PASSWORD))
    assert first_admin is not None and first_admin.password.get_secret_value() == PASSWORD


def test_a_username_setting_is_cleaned_like_any_username(settings):
    first_admin = settings(first_admin_email="olga@example.com", first_admin_username="  Olga   K ").first_admin()
    assert first_admin is not None and first_admin.username == "Olga K"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"first_admin_email": "olga@example.com", "password": None}, "USERS_FIRST_ADMIN_PASSWORD_FILE must be set"),
        ({}, "USERS_FIRST_ADMIN_PASSWORD_FILE is set but USERS_FIRST_ADMIN_EMAIL is not"),
        ({"first_admin_username": "Olga", "password": None}, "USERS_FIRST_ADMIN_USERNAME is set but"),
        ({"first_admin_email": "not an email"}, "USERS_FIRST_ADMIN_EMAIL: 'not an email' is not an email address"),
        ({"first_admin_email": "olga@example.com", "password": " \n"}, "USERS_FIRST_ADMIN_PASSWORD_FILE is empty"),
        ({"first_admin_email": "olga@example.com", "password": "short pass1"}, "shorter than 12 characters"),
        ({"first_admin_email": "olga@example.com", "first_admin_username": "<script>"}, "USERS_FIRST_ADMIN_USERNAME"),
    ],
)
def test_an_incomplete_or_bad_first_admin_is_a_clear_settings_error(settings, values, message):
    with pytest.raises(ValidationError, match=message) as refused:
        settings(**values)
    assert "short pass1" not in str(refused.value)


@pytest.mark.parametrize(("name", "reason"), [("missing", "No such file or directory"), ("", "Is a directory")])
def test_a_password_file_that_cannot_be_read_is_a_clear_settings_error(settings, tmp_path, name, reason):
    with pytest.raises(ValidationError, match=f"USERS_FIRST_ADMIN_PASSWORD_FILE cannot be read: {reason}"):
        settings(password=None, first_admin_email="olga@example.com", first_admin_password_file=tmp_path / name)


def test_a_password_file_that_is_not_text_is_a_clear_settings_error(settings, tmp_path):
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe not a password")
    with pytest.raises(ValidationError, match="USERS_FIRST_ADMIN_PASSWORD_FILE cannot be read: not UTF-8 text"):
        settings(password=None, first_admin_email="olga@example.com", first_admin_password_file=binary)


async def test_the_service_starts_with_the_first_admin_even_when_registration_is_invite_only(settings):
    repository = InMemoryUserRepository()
    invite_only = settings(first_admin_email="olga@example.com", registration="invite", first_admin_bcrypt_rounds=10)
    for _ in range(2):
        auth = FakeAuth()
        container = await bootstrap(
            invite_only,
            repository=repository,
            invitations=InMemoryInvitationRepository(repository),
            files=InMemoryFilesPeer(),
            auth=InMemoryAuthPeer(),
            key_source=auth,
            session_source=auth,
            mailer=RecordingMailer(),
        )
        await container.aclose()

    [account] = repository.accounts.values()
    assert (account.user.email, account.user.email_verified) == ("olga@example.com", True)
    with pytest.raises(InvitationRequired):
        await container.service.create_user(
            email="eve@example.com", username="Eve", password_hash="h", gender=None, date_of_birth=None
        )
