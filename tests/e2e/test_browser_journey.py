"""A person's way through SCloud in a real browser, through the gateway, against the real stack.

Each test names one behaviour; a fresh account per test (registered through the pages) keeps them
independent, so any one of them can run alone with `-k`.
"""

import os
import re
import time
import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.e2e

PASSWORD = "Sunny day 42"
NEW_PASSWORD = "Rainy night 77"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
# Services may trust a revoked access token for a few seconds (their revocation cache).
REVOCATION_BOUND_S = 10


@dataclass(frozen=True)
class Account:
    email: str
    password: str


def new_email() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}@example.com"


def register(page: Page, base_url: str, email: str, username: str) -> None:
    page.goto(f"{base_url}/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your files")).to_be_visible()


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your files")).to_be_visible()


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


def file_row(page: Page, name: str):
    return page.get_by_test_id("file-row").filter(has_text=name)


def watch_console(page: Page) -> list[str]:
    """Chromium reports Content-Security-Policy violations and script errors on the console."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    return problems


@pytest.fixture
def context(browser):
    context = browser.new_context(accept_downloads=True, viewport=DESKTOP)
    yield context
    context.close()


@pytest.fixture
def page(context) -> Page:
    """A desktop page whose console must stay clean: checked after the test."""
    page = context.new_page()
    problems = watch_console(page)
    yield page
    assert problems == [], "the browser console reported problems"


@pytest.fixture
def account(stack, page) -> Account:
    """A new account, signed in on `page`, which shows its (empty) file list."""
    email = new_email()
    register(page, stack.url, email, "Ada")
    return Account(email, PASSWORD)


@pytest.fixture
def report(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("quarterly numbers\n")
    return report


def upload(page: Page, *paths) -> None:
    page.get_by_label("Choose files").set_input_files([str(path) for path in paths])
    for path in paths:
        expect(file_row(page, path.name)).to_be_visible(timeout=30_000)


def test_a_signed_out_visitor_of_the_file_list_is_sent_to_log_in(stack, page, artifacts):
    page.goto(stack.url)
    page.screenshot(path=artifacts / "01-landing.png", full_page=True)
    page.goto(f"{stack.url}/files")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.screenshot(path=artifacts / "02-login.png", full_page=True)


def test_a_new_account_starts_with_an_empty_file_list(page, account, artifacts):
    expect(page.get_by_text("No files yet")).to_be_visible()
    page.screenshot(path=artifacts / "03-empty-dashboard.png", full_page=True)


def test_uploads_show_their_progress_and_then_appear_in_the_list(context, page, account, report, tmp_path, artifacts):
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
    expect(file_row(page, "report.txt")).to_be_visible(timeout=30_000)
    expect(file_row(page, "photo.bin")).to_be_visible(timeout=30_000)


def test_a_dropped_file_is_uploaded(page, account):
    drop_file(page, "dropped notes.txt", "dropped by drag and drop")
    expect(file_row(page, "dropped notes.txt")).to_be_visible(timeout=30_000)


def test_a_file_over_the_upload_limit_is_refused_with_a_message(stack, page, account, tmp_path, artifacts):
    too_big = tmp_path / "too-big.bin"
    too_big.write_bytes(b"\0" * (stack.max_upload_bytes + 1))
    page.get_by_label("Choose files").set_input_files([str(too_big)])
    expect(page.get_by_role("alert").filter(has_text=re.compile("too-big.bin|limit|large", re.I)).first).to_be_visible()
    expect(file_row(page, "too-big.bin")).to_have_count(0)
    page.screenshot(path=artifacts / "05-dashboard.png", full_page=True)


def test_a_download_keeps_the_file_name_and_bytes(page, account, report):
    upload(page, report)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download report.txt").click()
    download = download_info.value
    assert download.suggested_filename == "report.txt"
    assert open(download.path(), "rb").read() == report.read_bytes()


def test_a_deleted_file_is_gone_and_the_others_stay_after_a_reload(page, account, report, tmp_path):
    photo = tmp_path / "photo.bin"
    photo.write_bytes(b"not really a photo")
    upload(page, report, photo)
    # Delete moves the file to the trash at once, with Undo on a toast instead of a question.
    page.get_by_role("button", name="Delete photo.bin").click()
    expect(page.get_by_test_id("toast")).to_contain_text("photo.bin moved to the trash")
    expect(file_row(page, "photo.bin")).to_have_count(0)
    page.reload()
    expect(file_row(page, "report.txt")).to_be_visible()
    expect(file_row(page, "photo.bin")).to_have_count(0)


def test_profile_changes_are_kept(page, account, artifacts):
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


def test_after_a_password_change_only_the_new_password_logs_in(stack, page, account, report):
    upload(page, report)
    page.get_by_role("link", name="Profile").click()
    page.get_by_label("Current password").fill(account.password)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(f"{stack.url}/files")
    expect(page).to_have_url(re.compile(r"/login"))

    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("incorrect")

    log_in(page, stack.url, account.email, NEW_PASSWORD)
    expect(file_row(page, "report.txt")).to_be_visible()


def test_a_second_user_sees_none_of_the_first_users_files(stack, browser, page, account, report, artifacts):
    upload(page, report)
    other = browser.new_context(viewport=PHONE)
    try:
        other_page = other.new_page()
        register(other_page, stack.url, new_email(), "Bob")
        expect(other_page.get_by_text("No files yet")).to_be_visible()
        expect(other_page.get_by_test_id("file-row")).to_have_count(0)
        other_page.screenshot(path=artifacts / "07-second-user-phone.png", full_page=True)
    finally:
        other.close()


def test_wrong_password_shows_a_readable_error(stack, page):
    page.goto(f"{stack.url}/login")
    page.get_by_label("Email").fill(new_email())
    page.get_by_label("Password", exact=True).fill("Wrong pass 1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("incorrect")


def sign_in_elsewhere(browser, stack, account: Account) -> tuple[BrowserContext, Page]:
    """The same account on another device (a phone, as its user agent says)."""
    phone = browser.new_context(viewport=PHONE, user_agent=IPHONE_SAFARI)
    phone_page = phone.new_page()
    log_in(phone_page, stack.url, account.email, account.password)
    return phone, phone_page


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


def test_signing_out_another_device_from_the_sessions_list_sends_it_to_log_in(stack, browser, page, account, artifacts):
    phone, phone_page = sign_in_elsewhere(browser, stack, account)
    try:
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
    finally:
        phone.close()


def test_sign_out_everywhere_ends_every_session_and_returns_to_log_in(stack, browser, page, account):
    phone, phone_page = sign_in_elsewhere(browser, stack, account)
    try:
        page.get_by_role("link", name="Profile").click()
        page.get_by_role("button", name="Sign out everywhere").click()
        expect(page).to_have_url(re.compile(r"/login"))
        page.goto(f"{stack.url}/files")
        expect(page).to_have_url(re.compile(r"/login\?next="))
        wait_until_sent_to_log_in(phone_page)
    finally:
        phone.close()


def test_deleting_the_account_needs_its_password_and_then_it_cannot_log_in(stack, page, account):
    page.get_by_role("link", name="Profile").click()
    # The two-factor form asks for "Your password" too, once its status has loaded.
    deletion = page.get_by_role("form", name="Delete account")
    deletion.get_by_label("Your password").fill("Wrong pass 1")
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    page.get_by_role("button", name="Delete account").click()
    expect(page.get_by_role("alert")).to_contain_text("That password is not right")

    deletion.get_by_label("Your password").fill(account.password)
    page.get_by_role("button", name="Delete account").click()
    expect(page).to_have_url(f"{stack.url}/")

    page.goto(f"{stack.url}/login")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("incorrect")
