"""Email verification and password recovery in a real browser, through the gateway, against the
real stack, reading the mail from the stack's mail folder as a person would read their inbox."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, mail_link

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Rainy night 77 again"


def test_a_new_account_confirms_its_email_from_the_mailed_link(stack, page, signed_in, artifacts):
    email = signed_in.account.email
    banner = page.get_by_role("region", name="Email confirmation")
    expect(banner).to_contain_text(email)
    page.screenshot(path=artifacts / "mail-01-unverified-banner.png", full_page=True)

    page.goto(mail_link(stack, email, "/verify-email"))

    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()
    assert "token" not in page.url
    expect(banner).to_have_count(0)
    page.screenshot(path=artifacts / "mail-02-verified.png", full_page=True)


def test_a_forgotten_password_is_reset_from_the_mailed_link(stack, page, signed_in, artifacts):
    email = signed_in.account.email
    page.get_by_role("button", name="Log out").click()

    page.goto(f"{stack.url}/login")
    page.get_by_role("link", name="Forgot password?").click()
    # The sign-in page has an Email field too: fill only once the router has swapped the pages,
    # or the address goes into the sign-in form on its way out and the reset asks for "".
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
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
    expect(page).to_have_url(re.compile(r"/login"))
    log_in(page, stack.url, email, NEW_PASSWORD)
