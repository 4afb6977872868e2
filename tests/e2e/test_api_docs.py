"""The API reference the gateway serves at /api/docs renders the merged /api/v1 document in a
browser, under the gateway's Content-Security-Policy (scripts and styles from the site only)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_the_api_reference_renders_every_service_under_the_gateways_policy(stack, page):
    page.goto(f"{stack.url}/api/docs")

    # An operation of each service, by its path: the document loaded, and the page drew it.
    for path in ("/api/v1/auth/login", "/api/v1/users/me", "/api/v1/files/upload"):
        expect(page.get_by_text(path, exact=True).first).to_be_visible()
