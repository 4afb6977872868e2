"""bootstrap, the users service's composition root: given an in-memory fake for every port, the
container it builds runs on those fakes alone, with no AWS client and no channel to its peers."""

import pytest

from scloud_common.mail import RecordingMailer
from scloud_users.adapters.in_memory import InMemoryAuthPeer, InMemoryFilesPeer, InMemoryUserRepository
from scloud_users.bootstrap import bootstrap
from scloud_users.config import UsersSettings
from scloud_users.domain import StorageUsage
from tests.fake_auth import FakeAuth
from tests.mail_sink import directory_mail

PASSWORD = "Secret pass 1"


@pytest.fixture
def settings(users_settings) -> UsersSettings:
    return users_settings()


async def test_a_container_built_from_fakes_runs_every_step_on_them_and_builds_no_client(settings, no_outside_clients):
    repository, files, auth_peer, auth = InMemoryUserRepository(), InMemoryFilesPeer(), InMemoryAuthPeer(), FakeAuth()
    mailer = RecordingMailer()
    container = await bootstrap(
        settings,
        repository=repository,
        files=files,
        auth=auth_peer,
        key_source=auth,
        session_source=auth,
        mailer=mailer,
    )

    user = await container.service.create_user(
        email="ada@example.com", username="Ada", password_hash="h", gender=None, date_of_birth=None
    )
    assert repository.accounts[user.user_id].user == user
    files.usage[user.user_id] = StorageUsage(bytes_used=5, file_count=1)
    assert await container.service.get_profile(user.user_id) == (user, StorageUsage(bytes_used=5, file_count=1))
    auth_peer.passwords[user.user_id] = PASSWORD
    await container.service.delete_account(user.user_id, PASSWORD)

    assert (auth_peer.revoked_for, files.deleted_for) == ([user.user_id], [user.user_id])
    assert repository.accounts == {}
    assert container.readiness_checks == {}
    # Closing sends what is still queued: the deletion notice, through the fake mailer.
    await container.aclose()
    assert [message.to for message in mailer.sent] == ["ada@example.com"]


async def test_the_token_verifier_asks_the_fake_auth_for_keys_and_sessions(settings, no_outside_clients):
    auth = FakeAuth()
    container = await bootstrap(
        settings,
        repository=InMemoryUserRepository(),
        files=InMemoryFilesPeer(),
        auth=InMemoryAuthPeer(),
        key_source=auth,
        session_source=auth,
        mailer=RecordingMailer(),
    )
    auth.active_sessions.add(("session-1", "ada"))

    claims = await container.token_verifier.verify(auth.token("ada", "session-1"))

    assert (claims.user_id, claims.session_id) == ("ada", "session-1")


async def test_without_fakes_it_builds_the_real_adapters_and_checks_their_readiness(settings):
    container = await bootstrap(settings)
    try:
        assert set(container.readiness_checks) == {"dynamodb", "files", "auth"}
    finally:
        await container.aclose()


async def test_with_the_sqlite_store_accounts_live_in_the_file_and_outlive_the_process(
    settings, tmp_path, no_outside_clients
):
    settings = settings.model_copy(update={"store": "sqlite", "sqlite_path": tmp_path / "data" / "users.db"})

    async def build():
        auth = FakeAuth()
        return await bootstrap(
            settings,
            files=InMemoryFilesPeer(),
            auth=InMemoryAuthPeer(),
            key_source=auth,
            session_source=auth,
            mailer=RecordingMailer(),
        )

    container = await build()
    assert set(container.readiness_checks) == {"sqlite"}
    await container.readiness_checks["sqlite"]()
    user = await container.service.create_user(
        email="ada@example.com", username="Ada", password_hash="h", gender=None, date_of_birth=None
    )
    await container.aclose()

    container = await build()
    try:
        assert await container.service.get_profile(user.user_id) == (user, StorageUsage(bytes_used=0, file_count=0))
    finally:
        await container.aclose()


def test_the_sqlite_store_needs_a_database_path(settings):
    with pytest.raises(ValueError, match="sqlite_path"):
        UsersSettings(**{**settings.model_dump(), "store": "sqlite"})


async def test_with_the_mail_folder_the_deletion_notice_is_a_file_and_no_aws_client_is_built(
    settings, tmp_path, no_outside_clients
):
    settings = settings.model_copy(update={"mail_transport": "directory", "mail_directory": tmp_path / "mail"})
    auth, auth_peer = FakeAuth(), InMemoryAuthPeer()
    container = await bootstrap(
        settings,
        repository=InMemoryUserRepository(),
        files=InMemoryFilesPeer(),
        auth=auth_peer,
        key_source=auth,
        session_source=auth,
    )
    user = await container.service.create_user(
        email="ada@example.com", username="Ada", password_hash="h", gender=None, date_of_birth=None
    )
    auth_peer.passwords[user.user_id] = PASSWORD
    await container.service.delete_account(user.user_id, PASSWORD)
    await container.aclose()

    assert [mail.to for mail in directory_mail(tmp_path / "mail")] == [["ada@example.com"]]
