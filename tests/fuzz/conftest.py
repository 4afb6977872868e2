"""The three real services as `make run` starts them (scripts/stack.py's Stack: SQLite,
SeaweedFS, mail written to a folder) on free ports, without the gateway, and signed-in users to
fuzz them with."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from scripts.stack import Ports, Stack

# Strong enough for the server's strength check, whatever its minimum score.
PASSWORD = "violet harbor lantern 73 quietly"


@dataclass(frozen=True)
class Services:
    auth_url: str
    users_url: str
    files_url: str


@pytest.fixture(scope="session")
def system(tmp_path_factory) -> Iterator[Services]:
    stack = Stack(run_dir=tmp_path_factory.mktemp("fuzz"), ports=Ports.free(), with_gateway=False)
    try:
        stack.start()
    except RuntimeError as exc:
        # The message names the process that is not ready and ends with its log.
        pytest.fail(f"stack did not start: {exc}")
    try:
        yield Services(*(f"http://127.0.0.1:{stack.ports.http(service)}" for service in ("auth", "users", "files")))
    finally:
        stack.stop()


def register_user(system: Services) -> str:
    """A fresh account's access token."""
    response = httpx.post(
        f"{system.auth_url}/api/auth/register",
        json={"email": f"fuzz-{uuid.uuid4().hex[:10]}@example.com", "username": "Tester", "password": PASSWORD},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()["accessToken"]


@pytest.fixture(scope="session")
def access_token(system) -> str:
    return register_user(system)


@pytest.fixture
def own_access_token(system) -> str:
    """For calls that end the caller's session or account: each operation gets its own user."""
    return register_user(system)
