"""Every mail the product sends, delivered by the SMTP transport: the three services run with
MAIL_TRANSPORT=smtp against a real SMTP server (aiosmtpd on loopback) that wants a login, and each
mail arrives there whole, its links working. The SES path of the same mails is test_account_mail.py."""

import base64
import hashlib
import time

import httpx
import pyotp
import pytest

from tests.integration.conftest import PUBLIC_URL, SentMail, running_system
from tests.smtp_server import SmtpServer, smtp_server

pytestmark = pytest.mark.integration

LOGIN = ("scloud", "a long smtp password")
PASSWORD = "Secret pass 1"
NEW_PASSWORD = "a brand new secret"
REQUEST_NOTICE_SECONDS = 1


@pytest.fixture(scope="module")
def mail_server() -> SmtpServer:
    with smtp_server(login=LOGIN) as server:
        yield server


@pytest.fixture(scope="module")
def system(aws_endpoint_url, internal_certificates, mail_server, tmp_path_factory, seaweed_s3):
    password_file = tmp_path_factory.mktemp("smtp") / "password"
    password_file.write_text(LOGIN[1])
    password_file.chmod(0o600)
    transport = {
        "mail_transport": "smtp",
        "mail_smtp_host": mail_server.host,
        "mail_smtp_port": mail_server.port,
        # Loopback only; the test environment allows it, production refuses it.
        "mail_smtp_security": "none",
        "mail_smtp_user": LOGIN[0],
        "mail_smtp_password_file": password_file,
        "mail_smtp_timeout_seconds": 5,
    }
    # Files on `make run`'s stores: a file request's visitor uploads straight to SeaweedFS, whose
    # checksum of the joined parts completion checks (moto's differs). moto takes SeaweedFS's keys.
    files_stores = {
        "store": "sqlite",
        "sqlite_path": tmp_path_factory.mktemp("files") / "files.db",
        "aws_endpoint_url": seaweed_s3.url,
        "aws_region": seaweed_s3.region,
        "s3_bucket": seaweed_s3.bucket,
    }
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("AWS_ACCESS_KEY_ID", seaweed_s3.access_key_id)
        environment.setenv("AWS_SECRET_ACCESS_KEY", seaweed_s3.secret_access_key)
        with running_system(
            aws_endpoint_url,
            internal_certificates,
            mail_transport=transport,
            # The notice of files received through a request goes this long after the first one.
            files_overrides=files_stores | {"request_notice_interval_seconds": REQUEST_NOTICE_SECONDS},
        ) as started:
            yield started


def wait_for_subject(server: SmtpServer, to: str, subject: str, *, seconds: float = 15) -> SentMail:
    """The first mail to `to` with `subject`, once the outbox has handed it over."""
    deadline = time.monotonic() + seconds
    while not (found := [mail for mail in server.mail_to(to) if mail.subject == f"SCloud: {subject}"]):
        got = [mail.subject for mail in server.mail_to(to)]
        assert time.monotonic() < deadline, f"no {subject!r} to {to} within {seconds} s, only {got}"
        time.sleep(0.1)
    mail = found[0]
    assert mail.text and mail.html, "both parts"
    return SentMail(mail.to, mail.subject, mail.html)


def register_verified(new_browser, mail_server, email: str):
    browser = new_browser()
    assert browser.register(email).status_code == 201
    verify = wait_for_subject(mail_server, email, "confirm your email address")
    assert (
        browser.request("POST", "/api/auth/verify-email", json={"token": verify.link("/verify-email")}).status_code
        == 204
    )
    return browser


def test_verification_and_password_reset_arrive_and_their_links_work(new_browser, email, mail_server):
    browser = register_verified(new_browser, mail_server, email)
    assert browser.request("GET", "/api/users/me").json()["emailVerified"] is True

    requested = new_browser().request(
        "POST", "/api/auth/password-reset", json={"email": email}, headers={"X-Forwarded-For": "10.20.0.1"}
    )
    assert requested.status_code == 202
    reset = wait_for_subject(mail_server, email, "reset your password")
    confirmed = new_browser().request(
        "POST",
        "/api/auth/password-reset/confirm",
        json={"token": reset.link("/reset-password"), "newPassword": NEW_PASSWORD},
    )
    assert confirmed.status_code == 204
    assert new_browser().login(email, NEW_PASSWORD).status_code == 200
    wait_for_subject(mail_server, email, "your password was changed")


def test_security_notices_arrive(new_browser, email, mail_server):
    browser = register_verified(new_browser, mail_server, email)
    stranger = new_browser()
    stranger.http.headers["User-Agent"] = "Unseen Browser 1.0"
    assert stranger.login(email).status_code == 200
    wait_for_subject(mail_server, email, "new sign-in to your account")

    token = browser.request(
        "POST", "/api/auth/tokens", json={"name": "backup", "scopes": ["files:read"], "expiresInDays": 30}
    )
    assert token.status_code == 201
    wait_for_subject(mail_server, email, "a personal access token was created")

    setup = browser.request("POST", "/api/auth/two-factor/setup", json={"password": PASSWORD}).json()
    code = pyotp.TOTP(setup["secret"]).now()
    assert browser.request("POST", "/api/auth/two-factor/confirm", json={"code": code}).status_code == 200
    wait_for_subject(mail_server, email, "two-factor sign-in turned on")


def test_a_share_notice_arrives(new_browser, email, mail_server):
    owner = register_verified(new_browser, mail_server, email)
    uploaded = owner.upload("notes.txt", b"shared words")
    assert uploaded.status_code == 201
    friend = email.replace("user-", "friend-")
    shared = owner.request(
        "POST", f"/api/items/{uploaded.json()['id']}/people", json={"email": friend, "role": "viewer"}
    )
    assert shared.status_code == 202, shared.text
    wait_for_subject(mail_server, friend, "Tester shared “notes.txt” with you")


def send_into_request(visitor, request_id: str, name: str, content: bytes, note: str) -> None:
    """What the request's public page does, signed out: start, sign the part, PUT it to storage, complete."""
    base = f"/api/files/public/requests/{request_id}/uploads"
    started = visitor.request("POST", base, json={"name": name, "size": len(content)})
    assert started.status_code == 201, started.text
    upload_id = started.json()["id"]
    checksum = base64.b64encode(hashlib.sha256(content).digest()).decode()
    signed = visitor.request(
        "POST", f"{base}/{upload_id}/parts", json={"parts": [{"number": 1, "size": len(content), "sha256": checksum}]}
    )
    assert signed.status_code == 200, signed.text
    (part,) = signed.json()["parts"]
    stored = httpx.put(part["url"], content=content, headers=part["headers"], timeout=30)
    assert stored.status_code == 200, stored.text
    completed = visitor.request(
        "POST",
        f"{base}/{upload_id}/complete",
        json={"parts": [{"number": 1, "etag": stored.headers["etag"], "sha256": checksum}], "note": note},
    )
    assert completed.status_code == 201, completed.text


def test_a_file_request_notice_arrives(new_browser, email, mail_server):
    owner = register_verified(new_browser, mail_server, email)
    folder = owner.request("POST", "/api/folders", json={"name": "Tax papers", "parentId": "root"})
    assert folder.status_code == 201, folder.text
    folder_id = folder.json()["id"]
    asked = owner.request("POST", "/api/files/requests", json={"folderId": folder_id})
    assert asked.status_code == 201, asked.text

    send_into_request(new_browser(), asked.json()["requestId"], "scan.pdf", b"first scan", "For the 2026 return")

    notice = wait_for_subject(mail_server, email, "a file received in “Tax papers”")
    assert notice.to == [email]
    assert "scan.pdf (10 bytes)" in notice.body and "For the 2026 return" in notice.body
    assert f"{PUBLIC_URL}/files/{folder_id}" in notice.body


def test_deleting_the_account_is_notified(new_browser, email, mail_server):
    browser = register_verified(new_browser, mail_server, email)
    assert browser.request("DELETE", "/api/users/me", json={"password": PASSWORD}).status_code == 204
    wait_for_subject(mail_server, email, "your account was deleted")
