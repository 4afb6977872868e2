"""The three real services as `make run` starts them (scripts/stack.py's Stack: SQLite,
SeaweedFS, mail written to a folder) on free ports, without the gateway, signed-in users to
fuzz them with, and real share links (a file's, a password-protected folder's) for the public
routes."""

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from scripts.stack import Ports, Stack
from tests.mail_sink import directory_mail

# Strong enough for the server's strength check, whatever its minimum score.
PASSWORD = "violet harbor lantern 73 quietly"


LINK_PASSWORD = "tide pool 19 amber"
MAIL_WAIT_SECONDS = 60


@dataclass(frozen=True)
class Services:
    auth_url: str
    users_url: str
    files_url: str
    mail_dir: Path
    public_url: str


@dataclass(frozen=True)
class SharedLinks:
    """Ids of live links: `file` to a file, `folder` to a folder holding a file (`folder_file`)
    behind LINK_PASSWORD, opened with `unlock_token`."""

    file: str
    folder: str
    folder_file: str
    unlock_token: str


@pytest.fixture(scope="session")
def system(tmp_path_factory) -> Iterator[Services]:
    stack = Stack(run_dir=tmp_path_factory.mktemp("fuzz"), ports=Ports.free(), with_gateway=False)
    try:
        stack.start()
    except RuntimeError as exc:
        # The message names the process that is not ready and ends with its log.
        pytest.fail(f"stack did not start: {exc}")
    try:
        urls = [f"http://127.0.0.1:{stack.ports.http(service)}" for service in ("auth", "users", "files")]
        yield Services(*urls, mail_dir=stack.mail_dir, public_url=stack.url)
    finally:
        stack.stop()


def register_user(system: Services, email: str | None = None) -> str:
    """A fresh account's access token."""
    response = httpx.post(
        f"{system.auth_url}/api/auth/register",
        json={
            "email": email or f"fuzz-{uuid.uuid4().hex[:10]}@example.com",
            "username": "Tester",
            "password": PASSWORD,
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()["accessToken"]


def verify_email(system: Services, email: str) -> None:
    """Confirms the address through the token of the mailed link, waiting for the mail."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    pattern = re.escape(f"{system.public_url}/verify-email#token=") + r"([\w-]+)"
    while True:
        found = [
            match
            for mail in directory_mail(system.mail_dir)
            if email in mail.to and (match := re.search(pattern, mail.body))
        ]
        if found:
            break
        assert time.monotonic() < deadline, f"no confirmation mail reached {email} within {MAIL_WAIT_SECONDS} s"
        time.sleep(0.2)
    response = httpx.post(f"{system.auth_url}/api/auth/verify-email", json={"token": found[0].group(1)}, timeout=30)
    assert response.status_code == 204, response.text


@pytest.fixture(scope="session")
def shared_links(system) -> SharedLinks:
    """A confirmed owner's file and folder, each shared; the folder's link has a password."""
    email = f"fuzz-owner-{uuid.uuid4().hex[:10]}@example.com"
    headers = {"Authorization": f"Bearer {register_user(system, email)}"}
    verify_email(system, email)
    with httpx.Client(base_url=system.files_url, headers=headers, timeout=30) as files:

        def created(response: httpx.Response) -> dict:
            assert response.status_code == 201, response.text
            return response.json()

        folder = created(files.post("/api/folders", json={"name": "Shared", "parentId": "root"}))
        inside = created(files.post(f"/api/files/upload?parentId={folder['id']}", files={"file": ("in.txt", b"in")}))
        alone = created(files.post("/api/files/upload?parentId=root", files={"file": ("alone.pdf", b"%PDF-1.7")}))
        file_link = created(files.post("/api/files/links", json={"itemId": alone["id"]}))
        folder_link = created(files.post("/api/files/links", json={"itemId": folder["id"], "password": LINK_PASSWORD}))
    unlocked = httpx.post(
        f"{system.files_url}/api/files/public/links/{folder_link['linkId']}/unlock",
        json={"password": LINK_PASSWORD},
        timeout=30,
    )
    assert unlocked.status_code == 200, unlocked.text
    return SharedLinks(file_link["linkId"], folder_link["linkId"], inside["id"], unlocked.json()["unlockToken"])


@pytest.fixture(scope="session")
def access_token(system) -> str:
    return register_user(system)


@pytest.fixture
def own_access_token(system) -> str:
    """For calls that end the caller's session or account: each operation gets its own user."""
    return register_user(system)
