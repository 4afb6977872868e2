"""Two-factor sign-in in a real browser, through the gateway: enrol by reading the secret from the
profile page, sign out, sign in with a code from an authenticator (pyotp here), and with a
recovery code, which works once."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import submit_log_in

pytestmark = pytest.mark.e2e


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    # The sign-in page, with or without `?next=`: the list's guard may send the signed-out
    # page there (asking to come back to the list) before the logout's own navigation.
    expect(page).to_have_url(re.compile(r"/login(\?next=[^&]*)?$"))


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Verify").click()


def test_enrol_then_sign_in_with_a_code_and_with_a_recovery_code_once(stack, page, signed_in, artifacts):
    email, password = signed_in.account.email, signed_in.account.password
    page.goto(f"{stack.url}/profile")
    page.get_by_role("form", name="Turn on two-factor sign-in").get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    app = pyotp.TOTP(page.get_by_test_id("totp-secret").inner_text().strip())
    page.get_by_label("Code from the app").fill(app.now())
    page.get_by_role("button", name="Turn on", exact=True).click()
    recovery_codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(recovery_codes).to_have_count(10)
    codes = recovery_codes.all_inner_texts()
    page.screenshot(path=artifacts / "two-factor-recovery-codes.png", full_page=True)
    page.get_by_role("button", name="I have saved them").click()
    expect(page.get_by_text("recovery codes left")).to_be_visible()
    sign_out(page)

    submit_log_in(page, stack.url, email, password)
    # The code that confirmed the setup has been used: the next step's code is accepted (±1 step).
    enter_code(page, app.at(time.time() + 30))
    page.wait_for_url(re.compile(r"/files"))
    sign_out(page)

    submit_log_in(page, stack.url, email, password)
    enter_code(page, codes[0])
    page.wait_for_url(re.compile(r"/files"))
    sign_out(page)

    submit_log_in(page, stack.url, email, password)
    enter_code(page, codes[0])
    expect(page.get_by_role("alert")).to_contain_text("not right")
    expect(page).to_have_url(re.compile(r"/login"))
