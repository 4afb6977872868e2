"""The three real services on free ports with moto server, from the integration tier's harness
(loaded from its file, so both tiers share one harness), and signed-in users to fuzz them with."""

import importlib.util
import uuid
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "scloud_integration_harness", Path(__file__).resolve().parents[1] / "integration" / "conftest.py"
)
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

system = harness.system


def register_user(system) -> str:
    """A fresh account's access token."""
    browser = harness.Browser(system)
    try:
        response = browser.register(f"fuzz-{uuid.uuid4().hex[:10]}@example.com")
        assert response.status_code == 201, response.text
        return browser.access_token
    finally:
        browser.http.close()


@pytest.fixture(scope="session")
def access_token(system) -> str:
    return register_user(system)


@pytest.fixture
def own_access_token(system) -> str:
    """For calls that end the caller's session or account: each operation gets its own user."""
    return register_user(system)
