"""A person's way through SCloud in a real browser, through the gateway, against the real stack.

Each test names one behaviour; a fresh account per test (registered through the API, but for the
test of the registration page) keeps them independent, so any one of them can run alone with `-k`.
"""

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import (
    PASSWORD,
    Account,
    console_checked,
    log_in,
    new_email,
    row,
    sign_in,
    submit_log_in,
    upload,
)

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Rainy night 77"
PHONE = {"width": 390, "height": 844}
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
# Services may trust a revoked access token for a few seconds (their revocation cache).
REVOCATION_BOUND_S = 10


def drop_file(page: Page, name: str, content: str) -> None:
    page.evaluate(
        """([name, content]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([content], name, { type: "text/plain" }));
            const zone = document.querySelector('[data-testid="upload-dropzone"]');
            for (const type of ["dragenter", "dragover", "drop"]) {
                zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
            }
        }""",
        [name, content],
    )


@pytest.fixture
def report(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("quarterly numbers\n")
    return report


def test_a_signed_out_visitor_of_the_file_list_is_sent_to_log_in(stack, page, artifacts):
    page.goto(stack.url)
    page.screenshot(path=artifacts / "01-landing.png", full_page=True)
    page.goto(f"{stack.url}/files")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.screenshot(path=artifacts / "02-login.png", full_page=True)


def test_registering_through_the_page_starts_with_an_empty_file_list(stack, page, artifacts):
    # Every other test makes its account through the API: this one fills in the page.
    page.goto(f"{stack.url}/register")
    page.get_by_label("Email").fill(new_email())
    page.get_by_label("Username").fill("Ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your files")).to_be_visible()
    expect(page.get_by_text("No files yet")).to_be_visible()
    page.screenshot(path=artifacts / "03-empty-dashboard.png", full_page=True)


def test_uploads_show_their_progress_and_then_appear_in_the_list(context, page, signed_in, report, tmp_path, artifacts):
    photo = tmp_path / "photo.bin"
    photo.write_bytes(os.urandom(3 * 1024 * 1024))
    # Slow the upload link so the per-file progress bar is on screen long enough to see.
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 1024 * 1024},
    )
    page.get_by_label("Choose files").set_input_files([str(report), str(photo)])
    expect(page.get_by_role("progressbar", name="Uploading photo.bin")).to_be_visible()
    page.screenshot(path=artifacts / "04-uploading.png", full_page=True)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(row(page, "report.txt")).to_be_visible(timeout=30_000)
    expect(row(page, "photo.bin")).to_be_visible(timeout=30_000)


def test_a_dropped_file_is_uploaded(page, signed_in):
    drop_file(page, "dropped notes.txt", "dropped by drag and drop")
    expect(row(page, "dropped notes.txt")).to_be_visible(timeout=30_000)


def test_a_file_over_the_upload_limit_is_refused_with_a_message(gateway, page, signed_in, tmp_path, artifacts):
    # Past the one-request limit a file goes to S3 in parts: the page's limit is the direct
    # uploads' one (5 GiB by default), met here by a sparse file the browser refuses unread.
    limits = gateway.get("/api/files/limits", headers=signed_in.account.headers).json()
    too_big = tmp_path / "too-big.bin"
    with too_big.open("wb") as sparse:
        sparse.truncate(limits["maxFileBytes"] + 1)
    page.get_by_label("Choose files").set_input_files([str(too_big)])
    expect(page.get_by_role("alert").filter(has_text=re.compile("too-big.bin|limit|large", re.I)).first).to_be_visible()
    expect(row(page, "too-big.bin")).to_have_count(0)
    page.screenshot(path=artifacts / "05-dashboard.png", full_page=True)


def test_a_download_keeps_the_file_name_and_bytes(page, signed_in, report):
    upload(page, report)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download report.txt").click()
    download = download_info.value
    assert download.suggested_filename == "report.txt"
    assert open(download.path(), "rb").read() == report.read_bytes()


def test_a_deleted_file_is_gone_and_the_others_stay_after_a_reload(page, signed_in, report, tmp_path):
    photo = tmp_path / "photo.bin"
    photo.write_bytes(b"not really a photo")
    upload(page, report, photo)
    # Delete moves the file to the trash at once, with Undo on a toast instead of a question.
    page.get_by_role("button", name="Delete photo.bin").click()
    expect(page.get_by_test_id("toast")).to_contain_text("photo.bin moved to the trash")
    expect(row(page, "photo.bin")).to_have_count(0)
    page.reload()
    expect(row(page, "report.txt")).to_be_visible()
    expect(row(page, "photo.bin")).to_have_count(0)


def test_profile_changes_are_kept(page, signed_in, artifacts):
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()
    page.get_by_label("Username").fill("Ada Lovelace")
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("Date of birth").fill("1990-12-10")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Profile saved")).to_be_visible()
    page.screenshot(path=artifacts / "06-profile.png", full_page=True)
    page.reload()
    expect(page.get_by_label("Username")).to_have_value("Ada Lovelace")
    expect(page.get_by_label("Gender")).to_have_value("female")
    expect(page.get_by_label("Date of birth")).to_have_value("1990-12-10")


def test_after_a_password_change_only_the_new_password_logs_in(stack, page, signed_in, report):
    upload(page, report)
    page.get_by_role("link", name="Profile").click()
    page.get_by_label("Current password").fill(signed_in.account.password)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(f"{stack.url}/files")
    expect(page).to_have_url(re.compile(r"/login"))

    submit_log_in(page, stack.url, signed_in.account.email, signed_in.account.password)
    expect(page.get_by_role("alert")).to_contain_text("incorrect")

    log_in(page, stack.url, signed_in.account.email, NEW_PASSWORD)
    expect(row(page, "report.txt")).to_be_visible()


def test_a_second_user_sees_none_of_the_first_users_files(stack, new_context, page, signed_in, report, artifacts):
    upload(page, report)
    with console_checked(new_context(viewport=PHONE)) as other_page:
        sign_in(stack.url, other_page, username="Bob")
        expect(other_page.get_by_text("No files yet")).to_be_visible()
        expect(other_page.get_by_test_id("file-row")).to_have_count(0)
        other_page.screenshot(path=artifacts / "07-second-user-phone.png", full_page=True)


def test_wrong_password_shows_a_readable_error(stack, page):
    submit_log_in(page, stack.url, new_email(), "Wrong pass 1")
    expect(page.get_by_role("alert")).to_contain_text("incorrect")


@contextmanager
def signed_in_elsewhere(new_context, stack, account: Account) -> Iterator[Page]:
    """The same account on another device (a phone, as its user agent says)."""
    with console_checked(new_context(viewport=PHONE, user_agent=IPHONE_SAFARI)) as phone_page:
        log_in(phone_page, stack.url, account.email, account.password)
        yield phone_page


def wait_until_sent_to_log_in(page: Page) -> None:
    """Moves around the app (each page calls the API) until it gives up on the ended session."""
    deadline = time.monotonic() + REVOCATION_BOUND_S
    while True:
        try:
            page.get_by_role("link", name="Profile" if "/files" in page.url else "Files", exact=True).click(
                timeout=2000
            )
            page.wait_for_url(re.compile(r"/login"), timeout=1000)
            return
        except PlaywrightTimeoutError:
            if "/login" in page.url:
                return
            assert time.monotonic() < deadline, f"still on {page.url} after the session was ended"


def test_signing_out_another_device_from_the_sessions_list_sends_it_to_log_in(
    stack, new_context, page, signed_in, artifacts
):
    with signed_in_elsewhere(new_context, stack, signed_in.account) as phone_page:
        page.get_by_role("link", name="Profile").click()
        devices = page.get_by_test_id("device-session")
        expect(devices).to_have_count(2)
        this_device = devices.filter(has_text="This device")
        expect(this_device).to_have_count(1)
        expect(this_device.get_by_role("button", name="Sign out")).to_have_count(0)
        other_device = devices.filter(has_text="Safari on iOS")
        expect(other_device).to_have_count(1)
        page.screenshot(path=artifacts / "08-sessions.png", full_page=True)

        other_device.get_by_role("button", name="Sign out").click()
        expect(devices).to_have_count(1)
        expect(devices.first).to_contain_text("This device")

        wait_until_sent_to_log_in(phone_page)
        expect(phone_page.get_by_role("heading", name="Log in to SCloud")).to_be_visible()
        expect(phone_page.get_by_text("Your session has ended")).to_be_visible()
        phone_page.screenshot(path=artifacts / "09-session-ended-phone.png", full_page=True)

        page.reload()
        expect(page.get_by_role("heading", name="Profile")).to_be_visible()
        expect(devices).to_have_count(1)


def test_sign_out_everywhere_ends_every_session_and_returns_to_log_in(stack, new_context, page, signed_in):
    with signed_in_elsewhere(new_context, stack, signed_in.account) as phone_page:
        page.get_by_role("link", name="Profile").click()
        page.get_by_role("button", name="Sign out everywhere").click()
        expect(page).to_have_url(re.compile(r"/login"))
        page.goto(f"{stack.url}/files")
        expect(page).to_have_url(re.compile(r"/login\?next="))
        wait_until_sent_to_log_in(phone_page)


def test_deleting_the_account_needs_its_password_and_then_it_cannot_log_in(stack, page, signed_in):
    page.get_by_role("link", name="Profile").click()
    deletion = page.get_by_role("form", name="Delete account")
    deletion.get_by_label("Your password").fill("Wrong pass 1")
    deletion.get_by_label("Type DELETE to confirm").fill("DELETE")
    deletion.get_by_role("button", name="Delete account").click()
    expect(deletion.get_by_role("alert")).to_contain_text("That password is not right")

    deletion.get_by_label("Your password").fill(signed_in.account.password)
    deletion.get_by_role("button", name="Delete account").click()
    expect(page).to_have_url(f"{stack.url}/")

    submit_log_in(page, stack.url, signed_in.account.email, signed_in.account.password)
    expect(page.get_by_role("alert")).to_contain_text("incorrect")
