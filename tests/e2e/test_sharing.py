"""Share links in a real browser, through the gateway, against the real stack: the owner shares a
folder with a password, a visitor in a signed-out browser unlocks it, browses and downloads, the
owner reads the link's log and revokes it, and the visitor's page says so. axe-core checks the
share dialog and the visitor's pages."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import console_checked, mail_link, upload
from tests.e2e.test_drive import assert_accessible, new_folder, open_folder, write

pytestmark = pytest.mark.e2e

LINK_PASSWORD = "Shared by the sea 42"


def test_a_password_protected_folder_link_is_unlocked_browsed_downloaded_then_revoked(
    stack, signed_in, new_context, tmp_path, artifacts
):
    owner = signed_in.page
    # Only confirmed accounts share: confirm through the mailed link, as a person would.
    owner.goto(mail_link(stack, signed_in.account.email, "/verify-email"))
    expect(owner.get_by_text("Your email address is confirmed.")).to_be_visible()
    owner.goto(f"{stack.url}/files")
    new_folder(owner, "Trip")
    open_folder(owner, "Trip")
    new_folder(owner, "Day 1")
    open_folder(owner, "Day 1")
    upload(owner, write(tmp_path, "beach.txt", "sand and sun\n"), into="Day 1")
    owner.goto(f"{stack.url}/files")

    owner.get_by_role("button", name="Share Trip").click()
    dialog = owner.get_by_role("dialog", name="Share Trip")
    dialog.get_by_label("Password (optional)").fill(LINK_PASSWORD)
    assert_accessible(owner, "the share dialog")
    dialog.get_by_role("button", name="Create link").click()
    address = dialog.get_by_label("Link", exact=True)
    expect(address).to_be_visible()
    url = address.input_value()
    assert url.startswith(f"{stack.url}/s/")
    owner.screenshot(path=artifacts / "share-01-dialog.png", full_page=True)
    dialog.get_by_role("button", name="Close").click()

    visitor_context = new_context()
    with console_checked(visitor_context) as visitor:
        visitor.goto(url)
        expect(visitor.get_by_role("heading", name="This link is protected")).to_be_visible()
        assert_accessible(visitor, "the share page's password form")
        visitor.get_by_label("Password", exact=True).fill(LINK_PASSWORD)
        visitor.get_by_role("button", name="Open").click()
        expect(visitor.get_by_role("heading", name="Trip")).to_be_visible()
        # Nothing of the owner but what they chose to show (here nothing).
        expect(visitor.get_by_text(signed_in.account.email)).to_have_count(0)
        visitor.get_by_role("button", name="Day 1").click()
        expect(visitor.get_by_text("beach.txt", exact=True)).to_be_visible()
        assert_accessible(visitor, "the share page of a folder")
        visitor.screenshot(path=artifacts / "share-02-visitor-folder.png", full_page=True)
        with visitor.expect_download() as download_info:
            visitor.get_by_role("button", name="Download beach.txt").click()
        assert Path(download_info.value.path()).read_text() == "sand and sun\n"

        owner.goto(f"{stack.url}/shared")
        entry = owner.get_by_role("listitem").filter(has=owner.get_by_role("link", name="Trip"))
        entry.get_by_role("button", name="Access log").click()
        expect(entry.get_by_role("cell", name="Downloaded")).to_be_visible()
        expect(entry.get_by_role("cell", name="Refused: no password given")).to_be_visible()
        assert_accessible(owner, "the Shared page with a log")
        owner.screenshot(path=artifacts / "share-03-shared-page.png", full_page=True)
        entry.get_by_role("button", name="Revoke the link to Trip").click()
        expect(owner.get_by_text("Link revoked: it no longer opens.")).to_be_visible()

        visitor.reload()
        expect(visitor.get_by_role("heading", name="This link was turned off")).to_be_visible()
        assert_accessible(visitor, "the share page of a revoked link")
        visitor.screenshot(path=artifacts / "share-04-revoked.png", full_page=True)
