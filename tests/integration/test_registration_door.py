"""Who may register, through the running services: an invite-only SCloud refuses an uninvited
registration with a clear message and lets an invitation in once; a domain list admits only its
domains. The invitations are made as an operator makes them, with scloud-admin."""

import json
import time

import pytest

from scloud_admin.__main__ import DONE, main
from scloud_users.registration_door import DAY_SECONDS
from tests.integration.conftest import Browser, running_system

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def invite_only(aws_endpoint_url, internal_certificates):
    with running_system(aws_endpoint_url, internal_certificates, registration="invite") as system:
        yield system


@pytest.fixture(scope="module")
def domain_list(aws_endpoint_url, internal_certificates):
    with running_system(
        aws_endpoint_url, internal_certificates, registration="domains", registration_domains="example.com"
    ) as system:
        yield system


def invite(system, capsys, monkeypatch, *arguments: str) -> str:
    """The token of a link made with `scloud-admin invite create`, as an operator does on the users task."""
    monkeypatch.setenv("USERS_STORE", "dynamodb")
    monkeypatch.setenv("USERS_DYNAMODB_TABLE_PREFIX", system.settings["table_prefix"])
    monkeypatch.setenv("USERS_AWS_ENDPOINT_URL", system.aws_endpoint_url)
    monkeypatch.setenv("USERS_AWS_REGION", "us-east-1")
    monkeypatch.setenv("USERS_PUBLIC_URL", "http://app.scloud.test")
    for service in ("AUTH", "FILES"):
        monkeypatch.setenv(f"{service}_DYNAMODB_TABLE_PREFIX", system.settings["table_prefix"])
        monkeypatch.setenv(f"{service}_AWS_ENDPOINT_URL", system.aws_endpoint_url)
        monkeypatch.setenv(f"{service}_AWS_REGION", "us-east-1")
    monkeypatch.setenv("FILES_S3_BUCKET", system.settings["bucket"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    status = main(["invite", "create", *arguments, "--json", "--operator", "olga"])
    captured = capsys.readouterr()
    assert status == DONE, captured.err
    link = json.loads(captured.out)["link"]
    assert link.startswith("http://app.scloud.test/register?invite=")
    return link.partition("?invite=")[2]


def test_the_registration_page_learns_the_mode(invite_only, domain_list):
    assert Browser(invite_only).request("GET", "/api/v1/users/registration").json() == {"mode": "invite", "domains": []}
    assert Browser(domain_list).request("GET", "/api/v1/users/registration").json() == {
        "mode": "domains",
        "domains": ["example.com"],
    }


def test_an_uninvited_registration_is_refused_with_a_clear_message(invite_only):
    response = Browser(invite_only).register("eve@example.com")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "invitation_required"
    assert "invite-only" in error["message"] and "administrator" in error["message"]
    assert Browser(invite_only).login("eve@example.com").status_code == 401


def test_an_invitation_admits_once(invite_only, capsys, monkeypatch):
    token = invite(invite_only, capsys, monkeypatch)
    ada = Browser(invite_only)
    assert ada.register("ada@example.com", invitationToken=token).status_code == 201
    assert ada.request("GET", "/api/v1/users/me").json()["email"] == "ada@example.com"

    again = Browser(invite_only).register("bob@example.com", invitationToken=token)
    assert again.status_code == 403 and again.json()["error"]["code"] == "invitation_invalid"
    assert "Ask the administrator" in again.json()["error"]["message"]


def test_an_invitation_for_one_address_admits_only_it(invite_only, capsys, monkeypatch):
    token = invite(invite_only, capsys, monkeypatch, "--email", "Carol@Example.com")
    refused = Browser(invite_only).register("mallory@example.com", invitationToken=token)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "invitation_invalid"
    assert Browser(invite_only).register("carol@example.com", invitationToken=token).status_code == 201


def test_an_expired_invitation_is_refused(invite_only, capsys, monkeypatch):
    token = invite(invite_only, capsys, monkeypatch, "--days", "1")
    # Aged in the store, as a day passing would: the service reads the expiry from there.
    invitation_id = token.partition(".")[0]
    invite_only.dynamodb_client.update_item(
        TableName=f"{invite_only.settings['table_prefix']}users",
        Key={"pk": {"S": f"invitation#{invitation_id}"}},
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - DAY_SECONDS)}},
    )
    response = Browser(invite_only).register("dan@example.com", invitationToken=token)
    assert response.status_code == 403 and response.json()["error"]["code"] == "invitation_invalid"


def test_a_revoked_invitation_is_refused(invite_only, capsys, monkeypatch):
    token = invite(invite_only, capsys, monkeypatch)
    assert main(["invite", "revoke", token.partition(".")[0], "--operator", "olga"]) == DONE
    response = Browser(invite_only).register("erin@example.com", invitationToken=token)
    assert response.status_code == 403 and response.json()["error"]["code"] == "invitation_invalid"


def test_the_domain_list_admits_its_domain_and_refuses_others(domain_list):
    assert Browser(domain_list).register("ada@Example.COM").status_code == 201
    refused = Browser(domain_list).register("eve@example.org")
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "email_domain_not_allowed" and "example.com" not in error["message"]
    # A refusal comes before the email check, so it tells an outsider nothing about accounts.
    taken = Browser(domain_list).register("ada@example.com")
    assert taken.status_code == 409
    assert Browser(domain_list).register("ada@example.org").json()["error"]["code"] == "email_domain_not_allowed"
