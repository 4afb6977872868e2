"""The door: open, invite-only and email-domain registration, on the in-memory fakes."""

from datetime import date

import pytest
from pydantic import ValidationError

from scloud_common.errors import ErrorKind
from scloud_common.mail import MailLayout, MailOutbox, RecordingMailer
from scloud_users.adapters.in_memory import (
    InMemoryAuthPeer,
    InMemoryFilesPeer,
    InMemoryInvitationRepository,
    InMemoryUserRepository,
)
from scloud_users.domain import EmailDomainNotAllowed, InvitationInvalid, InvitationNotFound, InvitationRequired
from scloud_users.registration_door import (
    DAY_SECONDS,
    Invitations,
    RegistrationDoor,
    RegistrationPolicy,
    hash_invitation_token,
    invitation_link,
)
from scloud_users.service import UserService

NOW = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repository() -> InMemoryUserRepository:
    return InMemoryUserRepository()


@pytest.fixture
def invitations(repository, clock) -> Invitations:
    return Invitations(InMemoryInvitationRepository(repository), clock=clock)


def service_with(policy: RegistrationPolicy, repository, clock) -> UserService:
    return UserService(
        repository=repository,
        files=InMemoryFilesPeer(),
        auth=InMemoryAuthPeer(),
        outbox=MailOutbox(RecordingMailer()),
        mail_layout=MailLayout(public_url="http://app.test"),
        door=RegistrationDoor(policy, InMemoryInvitationRepository(repository), clock=clock),
        today=lambda: date(2026, 11, 25),
    )


async def register(service: UserService, email: str, token: str | None = None):
    return await service.create_user(
        email=email, username="Ada", password_hash="h", gender=None, date_of_birth=None, invitation_token=token
    )


async def test_an_open_door_admits_anyone_and_ignores_a_token(repository, clock, invitations):
    issued = await invitations.create(email=None, lifetime_days=7, created_by="root")
    service = service_with(RegistrationPolicy("open"), repository, clock)
    await register(service, "ada@example.com", issued.token)
    await register(service, "bob@example.org")
    assert len(repository.accounts) == 2
    assert (await invitations.list_all())[0].used_at is None


async def test_invite_only_refuses_an_uninvited_registration_with_a_clear_message(repository, clock):
    service = service_with(RegistrationPolicy("invite"), repository, clock)
    with pytest.raises(InvitationRequired) as refused:
        await register(service, "ada@example.com")
    assert refused.value.kind is ErrorKind.PERMISSION_DENIED
    assert "invite-only" in refused.value.message and "administrator" in refused.value.message
    assert repository.accounts == {}


async def test_an_invitation_admits_once(repository, clock, invitations):
    issued = await invitations.create(email=None, lifetime_days=7, created_by="root")
    service = service_with(RegistrationPolicy("invite"), repository, clock)
    user = await register(service, "ada@example.com", issued.token)
    assert (await invitations.list_all())[0].used_at == int(NOW)
    with pytest.raises(InvitationInvalid):
        await register(service, "bob@example.com", issued.token)
    assert [account.user.user_id for account in repository.accounts.values()] == [user.user_id]


async def test_an_expired_invitation_is_refused(repository, clock, invitations):
    issued = await invitations.create(email=None, lifetime_days=2, created_by="root")
    clock.now = NOW + 2 * DAY_SECONDS
    with pytest.raises(InvitationInvalid):
        await register(service_with(RegistrationPolicy("invite"), repository, clock), "ada@example.com", issued.token)


async def test_an_invitation_for_one_address_refuses_another(repository, clock, invitations):
    issued = await invitations.create(email="ada@example.com", lifetime_days=7, created_by="root")
    service = service_with(RegistrationPolicy("invite"), repository, clock)
    with pytest.raises(InvitationInvalid):
        await register(service, "bob@example.com", issued.token)
    await register(service, "ada@example.com", issued.token)


async def test_a_revoked_forged_or_malformed_token_is_refused(repository, clock, invitations):
    revoked = await invitations.create(email=None, lifetime_days=7, created_by="root")
    await invitations.revoke(revoked.invitation.invitation_id)
    genuine = await invitations.create(email=None, lifetime_days=7, created_by="root")
    forged = f"{genuine.invitation.invitation_id}.not-the-secret"
    service = service_with(RegistrationPolicy("invite"), repository, clock)
    for token in (revoked.token, forged, "no-dot", ".x", "x" * 300):
        with pytest.raises(InvitationInvalid):
            await register(service, "ada@example.com", token)
    assert repository.accounts == {}


async def test_the_store_keeps_only_the_hash_of_the_token(invitations):
    issued = await invitations.create(email=None, lifetime_days=7, created_by="root")
    stored = (await invitations.list_all())[0]
    assert stored.token_hash == hash_invitation_token(issued.token) != issued.token
    assert issued.token not in repr(stored)
    assert (stored.expires_at - stored.created_at, stored.created_by) == (7 * DAY_SECONDS, "root")


async def test_revoking_an_unknown_invitation_says_so(invitations):
    with pytest.raises(InvitationNotFound):
        await invitations.revoke("nope")


async def test_invitations_are_listed_newest_first(clock, invitations):
    first = await invitations.create(email=None, lifetime_days=7, created_by="root")
    clock.now += 10
    second = await invitations.create(email="bob@example.com", lifetime_days=7, created_by="root")
    assert [i.invitation_id for i in await invitations.list_all()] == [
        second.invitation.invitation_id,
        first.invitation.invitation_id,
    ]


async def test_the_domain_list_admits_its_domains_only(repository, clock):
    service = service_with(RegistrationPolicy("domains", ("example.com", "xn--bcher-kva.example")), repository, clock)
    await register(service, "ada@example.com")
    await register(service, "bob@xn--bcher-kva.example")
    for email in ("eve@example.org", "eve@mail.example.com", "eve@example.com.evil.test"):
        with pytest.raises(EmailDomainNotAllowed) as refused:
            await register(service, email)
        assert "example.com" not in refused.value.message
    assert len(repository.accounts) == 2


def test_the_invitation_link_opens_the_registration_page():
    assert invitation_link("https://cloud.example/", "abc.def") == "https://cloud.example/register?invite=abc.def"


@pytest.fixture
def settings(users_settings):
    return users_settings


def test_registration_is_open_by_default(settings):
    assert settings().registration_policy == RegistrationPolicy("open", ())


def test_the_domain_setting_is_split_and_spelled_as_emails_are(settings, monkeypatch):
    monkeypatch.setenv("USERS_REGISTRATION", "domains")
    monkeypatch.setenv("USERS_REGISTRATION_DOMAINS", " Example.COM, bücher.example ,example.com")
    assert settings().registration_policy == RegistrationPolicy("domains", ("example.com", "xn--bcher-kva.example"))


def test_the_domains_mode_needs_a_domain_list(settings):
    with pytest.raises(ValidationError, match="USERS_REGISTRATION_DOMAINS"):
        settings(registration="domains")


def test_a_domain_that_is_not_one_is_refused(settings):
    with pytest.raises(ValidationError, match="not an email domain"):
        settings(registration="domains", registration_domains="example.com, not a domain")


def test_an_unknown_mode_is_refused(settings):
    with pytest.raises(ValidationError):
        settings(registration="closed")
