"""File requests in a real browser, through the gateway, against the real stack: the owner asks
for files into a folder, a visitor in a signed-out browser sends one with a note, the owner finds
it in the folder and gets one notice mail. axe-core checks the dialog and the visitor's page."""

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import console_checked, mail_link, row
from tests.e2e.test_drive import assert_accessible, new_folder, open_folder, write
from tests.mail_sink import directory_mail

pytestmark = pytest.mark.e2e

NOTICE_WAIT_SECONDS = 60.0


def notices_to(stack, email: str) -> list:
    return [mail for mail in directory_mail(stack.mail_dir) if email in mail.to and "received" in mail.subject]


def test_a_visitor_sends_a_file_through_a_request_and_the_owner_is_told_once(
    stack, signed_in, new_context, tmp_path, artifacts
):
    owner = signed_in.page
    email = signed_in.account.email
    owner.goto(mail_link(stack, email, "/verify-email"))
    expect(owner.get_by_text("Your email address is confirmed.")).to_be_visible()
    owner.goto(f"{stack.url}/files")
    new_folder(owner, "Receipts")

    owner.get_by_role("button", name="Request files into Receipts").click()
    dialog = owner.get_by_role("dialog", name="Request files into Receipts")
    dialog.get_by_label("Largest file, in MB (optional)").fill("2")
    assert_accessible(owner, "the file request dialog")
    dialog.get_by_role("button", name="Create request").click()
    address = dialog.get_by_label("Request link")
    expect(address).to_be_visible()
    url = address.input_value()
    assert url.startswith(f"{stack.url}/r/")
    owner.screenshot(path=artifacts / "request-01-dialog.png", full_page=True)
    dialog.get_by_role("button", name="Close").click()

    visitor_context = new_context()
    with console_checked(visitor_context) as visitor:
        visitor.goto(url)
        expect(visitor.get_by_role("heading", name="Send files to “Receipts”")).to_be_visible()
        expect(visitor.get_by_text(email)).to_have_count(0)
        assert_accessible(visitor, "the file request page")
        visitor.get_by_label("choose files").set_input_files(str(write(tmp_path, "march.txt", "taxi 12.50\n")))
        visitor.get_by_label("Note to the owner (optional)").fill("The March receipts")
        visitor.get_by_role("button", name="Send").click()
        sent = visitor.get_by_role("region", name="Your files")
        expect(sent.get_by_text("Sent")).to_be_visible(timeout=60_000)
        assert_accessible(visitor, "the file request page after sending")
        visitor.screenshot(path=artifacts / "request-02-visitor.png", full_page=True)

    owner.goto(f"{stack.url}/files")
    open_folder(owner, "Receipts")
    expect(row(owner, "march.txt")).to_be_visible()

    deadline = time.monotonic() + NOTICE_WAIT_SECONDS
    while not notices_to(stack, email):
        assert time.monotonic() < deadline, f"no notice reached the owner within {NOTICE_WAIT_SECONDS} s"
        time.sleep(0.2)
    (notice,) = notices_to(stack, email)
    assert "march.txt" in notice.text and "The March receipts" in notice.text

    owner.goto(f"{stack.url}/shared")
    requests = owner.get_by_role("region", name="File requests")
    expect(requests.get_by_text("1 file")).to_be_visible()
    assert_accessible(owner, "the Shared page with a file request")
