"""The first admin through the running services: an invite-only SCloud whose users service keeps
its accounts in SQLite starts with the owner's account from USERS_FIRST_ADMIN_*, which signs in
through auth with the password from the file, verified, while an uninvited stranger is refused.
Started again, with another password in the file, it still has that one account, unchanged."""

import sqlite3
from contextlib import closing

import pytest

from tests.integration.conftest import Browser, running_system

pytestmark = pytest.mark.integration

OWNER_EMAIL = "owner@example.com"
PASSWORD = "the owner's long passphrase"
LATER_PASSWORD = "another long passphrase"


def owner_system(aws_endpoint_url, internal_certificates, database, password_file):
    return running_system(
        aws_endpoint_url,
        internal_certificates,
        store="sqlite",
        sqlite_path=database,
        registration="invite",
        first_admin_email="Owner@Example.com",
        first_admin_password_file=password_file,
        # The test stack's auth hashes at this cost too.
        first_admin_bcrypt_rounds=10,
    )


def stored_accounts(database) -> list[tuple[str, str, str, int]]:
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute("SELECT user_id, email, password_hash, email_verified FROM users").fetchall()


def test_the_owner_signs_in_on_an_invite_only_server_and_a_restart_changes_nothing(
    aws_endpoint_url, internal_certificates, tmp_path
):
    database, password_file = tmp_path / "users.db", tmp_path / "owner-password"
    password_file.write_text(f"{PASSWORD}\n")
    password_file.chmod(0o600)

    with owner_system(aws_endpoint_url, internal_certificates, database, password_file) as system:
        owner = Browser(system)
        assert owner.login(OWNER_EMAIL, PASSWORD).status_code == 200
        profile = owner.request("GET", "/api/v1/users/me").json()
        assert (profile["email"], profile["username"], profile["emailVerified"]) == (OWNER_EMAIL, "owner", True)

        stranger = Browser(system).register("eve@example.com")
        assert stranger.status_code == 403
        assert stranger.json()["error"]["code"] == "invitation_required"
    created = stored_accounts(database)
    assert [(user_id, email) for user_id, email, *_ in created] == [(profile["userId"], OWNER_EMAIL)]

    # A changed file must not reset the password of the account that exists.
    password_file.write_text(LATER_PASSWORD)
    with owner_system(aws_endpoint_url, internal_certificates, database, password_file) as system:
        assert Browser(system).login(OWNER_EMAIL, LATER_PASSWORD).status_code == 401
        owner = Browser(system)
        assert owner.login(OWNER_EMAIL, PASSWORD).status_code == 200
        assert owner.request("GET", "/api/v1/users/me").json()["userId"] == profile["userId"]
    assert stored_accounts(database) == created
