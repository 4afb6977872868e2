"""Email verification and password recovery in a real browser, through the gateway, against the
real stack, reading the mail from the stack's mail folder as a person would read their inbox."""

import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.mail_sink import directory_mail

pytestmark = pytest.mark.e2e

PASSWORD = "Sunny day 42 again"
NEW_PASSWORD = "Rainy night 77 again"


def new_email() -> str:
    return f"e2e-mail-{uuid.uuid4().hex[:10]}@example.com"


def mail_link(stack, to: str, path: str, *, count: int = 1, seconds: float = 20) -> str:
    """The `path` link of the `count`-th mail that reached `to`, waiting for it to arrive."""
    deadline = time.monotonic() + seconds
    while True:
        bodies = [mail.body for mail in directory_mail(stack.mail_dir) if to in mail.to]
        links = [re.search(re.escape(f"{stack.url}{path}#token=") + r"[\w-]+", body) for body in bodies]
        found = [link.group(0) for link in links if link]
        if len(found) >= count:
            return found[count - 1]
        assert time.monotonic() < deadline, f"no {path} mail reached {to} within {seconds} s"
        time.sleep(0.2)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    yield page
    context.close()


def register(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Username").fill("Ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your files")).to_be_visible()


def test_a_new_account_confirms_its_email_from_the_mailed_link(stack, page, artifacts):
    email = new_email()
    register(page, stack.url, email)
    banner = page.get_by_role("region", name="Email confirmation")
    expect(banner).to_contain_text(email)
    page.screenshot(path=artifacts / "mail-01-unverified-banner.png", full_page=True)

    page.goto(mail_link(stack, email, "/verify-email"))

    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()
    assert "token" not in page.url
    expect(banner).to_have_count(0)
    page.screenshot(path=artifacts / "mail-02-verified.png", full_page=True)


def test_a_forgotten_password_is_reset_from_the_mailed_link(stack, page, artifacts):
    email = new_email()
    register(page, stack.url, email)
    page.get_by_role("button", name="Log out").click()

    page.goto(f"{stack.url}/login")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status").filter(has_text="If an account uses")).to_contain_text(email)
    page.screenshot(path=artifacts / "mail-03-reset-asked.png", full_page=True)

    page.goto(mail_link(stack, email, "/reset-password"))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    page.screenshot(path=artifacts / "mail-04-reset-done.png", full_page=True)

    page.get_by_role("link", name="Log in with your new password").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your files")).to_be_visible()
