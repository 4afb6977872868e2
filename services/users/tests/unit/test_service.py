import logging
from datetime import date

import pytest

from scloud_common.errors import ServiceUnavailable
from scloud_common.mail import MailLayout, MailOutbox, RecordingMailer
from scloud_users.adapters.in_memory import InMemoryAuthPeer, InMemoryFilesPeer, InMemoryUserRepository
from scloud_users.domain import EmailTaken, InvalidProfile, StorageUsage, UserNotFound, WrongPassword
from scloud_users.service import UserService


@pytest.fixture
def repository():
    return InMemoryUserRepository()


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def files(calls):
    return InMemoryFilesPeer(calls=calls)


@pytest.fixture
def auth(calls):
    return InMemoryAuthPeer(calls=calls)


@pytest.fixture
def service(repository, files, auth, outbox):
    return UserService(
        repository=repository,
        files=files,
        auth=auth,
        outbox=outbox,
        mail_layout=MailLayout(public_url="http://app.test"),
        today=lambda: date(2026, 11, 25),
    )


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def outbox(mailer) -> MailOutbox:
    return MailOutbox(mailer)


PASSWORD = "Secret pass 1"


async def create(service, email="ada@example.com", **overrides):
    fields = dict(email=email, username="Ada Lovelace", password_hash="h", gender=None, date_of_birth=None)
    return await service.create_user(**{**fields, **overrides})


async def test_create_user_cleans_the_username_and_keeps_the_email_auth_normalised(service):
    user = await create(service, email="ada@xn--bcher-kva.example", username="  Ada   Lovelace ")
    account = await service.get_account_by_email("ada@xn--bcher-kva.example")
    assert account.user == user
    assert (user.email, user.username) == ("ada@xn--bcher-kva.example", "Ada Lovelace")


async def test_email_is_unique(service):
    await create(service)
    with pytest.raises(EmailTaken):
        await create(service, email="ada@example.com")


@pytest.mark.parametrize(
    "overrides",
    [
        {"username": "a"},
        {"username": "x" * 41},
        {"username": "<script>"},
        {"gender": "robot"},
        {"date_of_birth": "2030-01-01"},
        {"date_of_birth": "1850-01-01"},
        {"date_of_birth": "25/11/1990"},
    ],
)
async def test_invalid_profile_fields_are_refused(service, overrides):
    with pytest.raises(InvalidProfile):
        await create(service, **overrides)


async def test_profile_includes_storage_usage(service, files):
    user = await create(service)
    files.usage[user.user_id] = StorageUsage(1234, 2)
    profile, usage = await service.get_profile(user.user_id)
    assert profile == user and usage == StorageUsage(1234, 2)


async def test_update_profile_changes_only_given_fields_and_null_clears(service):
    user = await create(service, gender="female", date_of_birth="1990-12-10")
    updated, _ = await service.update_profile(user.user_id, {"username": "Countess"})
    assert (updated.username, updated.gender, updated.date_of_birth) == ("Countess", "female", "1990-12-10")
    cleared, _ = await service.update_profile(user.user_id, {"gender": None, "date_of_birth": None})
    assert (cleared.username, cleared.gender, cleared.date_of_birth) == ("Countess", None, None)


async def test_unknown_user_is_not_found(service):
    with pytest.raises(UserNotFound):
        await service.get_profile("missing")
    with pytest.raises(UserNotFound):
        await service.update_password_hash("missing", "h")


async def test_delete_account_ends_sessions_first_then_files_then_the_account(service, auth, calls, caplog):
    caplog.set_level(logging.INFO, logger="scloud.security")
    user = await create(service)
    auth.passwords[user.user_id] = PASSWORD
    await service.delete_account(user.user_id, PASSWORD)
    assert calls == ["revoke_sessions", "delete_files", "forget_user"]
    assert [(r.security_event, r.user_id) for r in caplog.records] == [("account_deleted", user.user_id)]
    with pytest.raises(UserNotFound):
        await service.get_user(user.user_id)
    await create(service)


async def test_delete_account_mails_the_old_address_once_the_account_is_gone(service, auth, outbox, mailer):
    user = await create(service)
    auth.passwords[user.user_id] = PASSWORD
    await service.delete_account(user.user_id, PASSWORD)
    await service.delete_account(user.user_id, PASSWORD)
    await outbox.drain()
    assert [(m.to, m.subject) for m in mailer.sent] == [("ada@example.com", "SCloud: your account was deleted")]
    assert "http://app.test" in mailer.sent[0].text


async def test_delete_account_with_a_wrong_password_sends_no_mail(service, auth, outbox, mailer):
    user = await create(service)
    auth.passwords[user.user_id] = PASSWORD
    with pytest.raises(WrongPassword):
        await service.delete_account(user.user_id, "wrong password 1")
    await outbox.drain()
    assert mailer.sent == []


async def test_mark_email_verified_shows_on_the_user_and_refuses_unknown_accounts(service):
    user = await create(service)
    assert not user.email_verified
    await service.mark_email_verified(user.user_id)
    assert (await service.get_user(user.user_id)).email_verified
    with pytest.raises(UserNotFound):
        await service.mark_email_verified("missing")


async def test_delete_account_with_a_wrong_password_changes_nothing(service, auth, calls):
    user = await create(service)
    auth.passwords[user.user_id] = PASSWORD
    with pytest.raises(WrongPassword):
        await service.delete_account(user.user_id, "wrong password 1")
    assert calls == []
    assert (await service.get_user(user.user_id)) == user


async def test_delete_account_failing_on_files_keeps_the_account_and_can_be_retried(service, files, auth, calls):
    user = await create(service)
    auth.passwords[user.user_id] = PASSWORD
    files.fail_deletion = True
    with pytest.raises(ServiceUnavailable):
        await service.delete_account(user.user_id, PASSWORD)
    assert (await service.get_user(user.user_id)) == user
    assert auth.revoked_for == [user.user_id]
    files.fail_deletion = False
    await service.delete_account(user.user_id, PASSWORD)
    await service.delete_account(user.user_id, PASSWORD)
    assert files.deleted_for == [user.user_id, user.user_id]
    with pytest.raises(UserNotFound):
        await service.get_user(user.user_id)


async def test_delete_account_failing_on_auth_deletes_nothing(service, files, auth, calls):
    user = await create(service)
    auth.passwords[user.user_id] = PASSWORD
    auth.fail_revocation = True
    with pytest.raises(ServiceUnavailable):
        await service.delete_account(user.user_id, PASSWORD)
    assert files.deleted_for == []
    assert (await service.get_user(user.user_id)) == user


async def test_find_verified_user_answers_unknown_and_unverified_alike(service):
    ada = await create(service)
    with pytest.raises(UserNotFound):
        await service.find_verified_user("ada@example.com")
    await service.mark_email_verified(ada.user_id)
    assert (await service.find_verified_user("ada@example.com")).user_id == ada.user_id
    with pytest.raises(UserNotFound):
        await service.find_verified_user("nobody@example.com")
