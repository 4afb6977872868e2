"""The admin CLI against the running services: what an operator does with `scloud-admin` is what
the signed-in user meets at once over HTTP (a lock refuses her sign-in and, within the session
bound, her open sessions; a revocation signs her out everywhere; show and recount read what her
requests stored)."""

import json

import pytest

from scloud_admin.__main__ import DONE, main
from tests.integration.conftest import assert_refused_everywhere_within

pytestmark = pytest.mark.integration

# The services' bound on a revocation being seen (their cached session answers).
SESSION_BOUND_SECONDS = 5


@pytest.fixture
def operator_environment(system, monkeypatch):
    """The environment the services' tasks have, as an operator's shell on them has it."""
    for service in ("AUTH", "USERS", "FILES"):
        monkeypatch.setenv(f"{service}_STORE", "dynamodb")
        monkeypatch.setenv(f"{service}_DYNAMODB_TABLE_PREFIX", system.settings["table_prefix"])
        monkeypatch.setenv(f"{service}_AWS_ENDPOINT_URL", system.aws_endpoint_url)
        monkeypatch.setenv(f"{service}_AWS_REGION", "us-east-1")
        monkeypatch.setenv(f"{service}_ENVIRONMENT", "test")
    monkeypatch.setenv("FILES_S3_BUCKET", system.settings["bucket"])
    monkeypatch.setenv("FILES_OBJECT_KEY_SECRET", "a-test-object-key-secret-of-40-characters")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")


def admin(capsys, *arguments: str) -> dict:
    status = main([*arguments, "--json", "--operator", "olga"])
    captured = capsys.readouterr()
    assert status == DONE, captured.err
    return json.loads(captured.out)


def test_lock_unlock_and_revoke_reach_the_running_services(system, new_browser, email, operator_environment, capsys):
    alice = new_browser()
    assert alice.register(email).status_code == 201
    assert alice.upload("notes.txt", b"twelve bytes").status_code == 201

    shown = admin(capsys, "user", "show", email)
    assert shown["user"]["email"] == email and len(shown["sessions"]) == 1

    admin(capsys, "user", "lock", email, "--reason", "reported stolen laptop")
    assert_refused_everywhere_within(alice, seconds=SESSION_BOUND_SECONDS)
    refused = new_browser().login(email)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "account_locked"

    admin(capsys, "user", "unlock", email)
    assert alice.login(email).status_code == 200
    assert alice.request("GET", "/api/users/me").status_code == 200

    assert admin(capsys, "user", "revoke-sessions", email)["revoked_sessions"] >= 1
    assert_refused_everywhere_within(alice, seconds=SESSION_BOUND_SECONDS)

    recounted = admin(capsys, "usage", "recount", email)
    assert recounted["usage"]["file_count"] == 1 and recounted["usage"]["bytes_used"] == len(b"twelve bytes")


def test_the_purge_and_the_sweeper_run_now_on_the_running_installation(
    system, new_browser, email, operator_environment, capsys
):
    alice = new_browser()
    assert alice.register(email).status_code == 201

    assert admin(capsys, "purge", "run")["purged_items"] >= 0
    assert admin(capsys, "sweep", "run")["aborted_uploads"] >= 0
