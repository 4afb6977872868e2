"""A person's way through SCloud in a real browser, through the gateway, against the real stack."""

import os
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PASSWORD = "Sunny day 42"
NEW_PASSWORD = "Rainy night 77"


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


def test_a_user_stores_and_manages_files_and_a_second_user_sees_none_of_them(stack, browser, artifacts, tmp_path):
    base_url = stack.url
    email = new_email()
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    # Chromium reports Content-Security-Policy violations and script errors on the console.
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

    page.goto(base_url)
    page.screenshot(path=artifacts / "01-landing.png", full_page=True)

    page.goto(f"{base_url}/files")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.screenshot(path=artifacts / "02-login.png", full_page=True)

    register(page, base_url, email, "Ada")
    expect(page.get_by_text("No files yet")).to_be_visible()
    page.screenshot(path=artifacts / "03-empty-dashboard.png", full_page=True)

    report = tmp_path / "report.txt"
    report.write_text("quarterly numbers\n")
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
    progress = page.get_by_role("progressbar", name="Uploading photo.bin")
    expect(progress).to_be_visible()
    page.screenshot(path=artifacts / "04-uploading.png", full_page=True)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(file_row(page, "report.txt")).to_be_visible(timeout=30_000)
    expect(file_row(page, "photo.bin")).to_be_visible(timeout=30_000)

    drop_file(page, "dropped notes.txt", "dropped by drag and drop")
    expect(file_row(page, "dropped notes.txt")).to_be_visible(timeout=30_000)
    too_big = tmp_path / "too-big.bin"
    too_big.write_bytes(b"\0" * (stack.max_upload_bytes + 1))
    page.get_by_label("Choose files").set_input_files([str(too_big)])
    expect(page.get_by_role("alert").filter(has_text=re.compile("too-big.bin|limit|large", re.I)).first).to_be_visible()
    page.screenshot(path=artifacts / "05-dashboard.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download report.txt").click()
    download = download_info.value
    assert download.suggested_filename == "report.txt"
    assert open(download.path(), "rb").read() == report.read_bytes()

    page.get_by_role("button", name="Delete photo.bin").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Delete").click()
    expect(file_row(page, "photo.bin")).to_have_count(0)
    expect(file_row(page, "report.txt")).to_be_visible()

    page.reload()
    expect(file_row(page, "report.txt")).to_be_visible()

    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()
    page.get_by_label("Username").fill("Ada Lovelace")
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("Date of birth").fill("1990-12-10")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Profile saved")).to_be_visible()
    page.screenshot(path=artifacts / "06-profile.png", full_page=True)

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(f"{base_url}/files")
    expect(page).to_have_url(re.compile(r"/login"))

    log_in(page, base_url, email, NEW_PASSWORD)
    expect(file_row(page, "report.txt")).to_be_visible()
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_label("Username")).to_have_value("Ada Lovelace")
    context.close()
    assert problems == []

    other = browser.new_context(viewport={"width": 390, "height": 844})
    other_page = other.new_page()
    register(other_page, base_url, new_email(), "Bob")
    expect(other_page.get_by_text("No files yet")).to_be_visible()
    expect(other_page.get_by_test_id("file-row")).to_have_count(0)
    other_page.screenshot(path=artifacts / "07-second-user-phone.png", full_page=True)
    other.close()


def test_wrong_password_shows_a_readable_error(stack, browser):
    page = browser.new_page()
    page.goto(f"{stack.url}/login")
    page.get_by_label("Email").fill(new_email())
    page.get_by_label("Password", exact=True).fill("Wrong pass 1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("incorrect")
    page.close()
