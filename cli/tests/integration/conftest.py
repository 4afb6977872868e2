"""Stacks for the CLI to talk to over real HTTP.

`scloud`: the files service (all the CLI's commands use) on SQLite and SeaweedFS, which checks
part checksums and reports the composite SHA-256 as S3 does (moto does not), with auth's keys
and sessions from tests/fake_auth.py. `scloud_on_system`: tests/integration's whole stack
(auth, users, files against moto), for what needs the other services."""

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scloud_cli.main import app
from scloud_files.bootstrap import bootstrap
from scloud_files.config import FilesSettings
from scloud_files.http.app import create_app
from services.files.tests.integration.conftest import settings_on_seaweedfs  # noqa: F401  fixture
from tests.fake_auth import FakeAuth
from tests.harness import loopback_config, serve_in_thread
from tests.integration.conftest import Browser, System, system, wait_for_mail  # noqa: F401  fixture

MIB = 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    output: str

    def json(self) -> dict:
        return json.loads(self.output)


Run = Callable[..., Outcome]


def cli_runner(tmp_path: Path, url: str, token: str | None) -> Run:
    """Runs `scloud --json ...` (`scloud ...` with `as_json=False`) in-process with its own config
    and state folders."""
    env = {
        "SCLOUD_URL": url,
        "SCLOUD_TOKEN": token,
        "SCLOUD_STATE_DIR": str(tmp_path / "state"),
        "SCLOUD_CONFIG_DIR": str(tmp_path / "config"),
        "SCLOUD_KEYRING": "0",
    }
    runner = CliRunner()

    def run(*args: str, as_json: bool = True) -> Outcome:
        result = runner.invoke(app, ["--json", *args] if as_json else list(args), env=env, catch_exceptions=False)
        return Outcome(result.exit_code, result.stdout)

    return run


@pytest.fixture
def files_url(settings_on_seaweedfs: Callable[..., FilesSettings]) -> Iterator[tuple[str, FakeAuth]]:  # noqa: F811
    auth = FakeAuth()
    settings = settings_on_seaweedfs(max_upload_bytes=MIB, max_file_bytes=64 * MIB, quota_bytes=256 * MIB)

    async def build(settings: FilesSettings):  # type: ignore[no-untyped-def]
        return await bootstrap(settings, key_source=auth, session_source=auth)

    with serve_in_thread(loopback_config(create_app(settings, build_container=build))) as (files,):
        yield files.url, auth


@pytest.fixture
def user_token(files_url: tuple[str, FakeAuth]) -> str:
    """A fresh user's access token for the files service."""
    _, auth = files_url
    user = f"user-{uuid.uuid4().hex[:8]}"
    auth.active_sessions.add((f"s-{user}", user))
    return auth.token(user, f"s-{user}")


@pytest.fixture
def scloud(files_url: tuple[str, FakeAuth], user_token: str, tmp_path: Path) -> Run:
    """`scloud` as that fresh user (`user_token`) of the files service."""
    return cli_runner(tmp_path, files_url[0], user_token)


@pytest.fixture
def scloud_on_system(system: System, tmp_path: Path) -> tuple[Run, str]:  # noqa: F811
    """`scloud` without a token against the whole stack, and a newly registered user's token."""
    browser = Browser(system)
    try:
        assert browser.register(f"cli-{uuid.uuid4().hex[:10]}@example.com").status_code == 201
    finally:
        browser.http.close()
    assert browser.access_token
    return cli_runner(tmp_path, system.files_url, None), browser.access_token


@dataclass(frozen=True)
class VerifiedAccount:
    scloud: Run
    # Signed in, to make personal access tokens as the profile page does.
    browser: Browser


@pytest.fixture
def verified_account(system: System, tmp_path: Path) -> Iterator[VerifiedAccount]:  # noqa: F811
    """A newly registered user who followed the verification mail's link (sharing needs it), and
    `scloud` without a token against the whole stack."""
    browser = Browser(system)
    email = f"cli-{uuid.uuid4().hex[:10]}@example.com"
    try:
        assert browser.register(email).status_code == 201
        token = wait_for_mail(system, email)[0].link("/verify-email")
        assert browser.request("POST", "/api/auth/verify-email", json={"token": token}).status_code == 204
        yield VerifiedAccount(cli_runner(tmp_path, system.files_url, None), browser)
    finally:
        browser.http.close()
