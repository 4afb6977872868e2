"""Sharing with people in real browsers, through the gateway, against the real stack: the owner
shares a folder with one person as editor, who finds it under "Shared with me" and uploads into
it (a small file in one request, a big one in parts straight to S3), and the owner sees the files; another person, a viewer, gets no upload control. axe-core checks
the share dialog's People section and the Shared with me page."""

import os
from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import E2E_UPLOAD_LIMIT, console_checked, mail_link, row, sign_in, upload
from tests.e2e.test_drive import assert_accessible, new_folder, open_folder, write

pytestmark = pytest.mark.e2e


def confirm_email(stack, page: Page, email: str) -> None:
    """Only confirmed accounts share, and only they take up what is shared with their address."""
    page.goto(mail_link(stack, email, "/verify-email"))
    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()


def share_with(page: Page, item: str, email: str, role: str) -> None:
    page.get_by_role("button", name=f"Share {item}").click()
    dialog = page.get_by_role("dialog", name=f"Share {item}")
    people = dialog.get_by_role("form", name="Share with a person")
    people.get_by_label("Email address").fill(email)
    people.get_by_label("Role").select_option(role)
    people.get_by_role("button", name="Share").click()
    expect(dialog.get_by_text(f"Invitation sent to {email.lower()}.")).to_be_visible()
    expect(dialog.get_by_role("list", name="People with access").get_by_text(email.lower(), exact=True)).to_be_visible()


def open_shared(page: Page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/shared-with-me")
    page.get_by_role("table", name="Items shared with you").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def test_an_editor_uploads_into_a_shared_folder_and_a_viewer_cannot(stack, signed_in, new_context, tmp_path, artifacts):
    owner = signed_in.page
    confirm_email(stack, owner, signed_in.account.email)
    owner.goto(f"{stack.url}/files")
    new_folder(owner, "Team")
    new_folder(owner, "Archive")

    with ExitStack() as people:
        editor = people.enter_context(console_checked(new_context()))
        viewer = people.enter_context(console_checked(new_context()))
        bea = sign_in(stack.url, editor, username="Bea")
        cy = sign_in(stack.url, viewer, username="Cy")
        confirm_email(stack, editor, bea.account.email)
        confirm_email(stack, viewer, cy.account.email)

        share_with(owner, "Team", bea.account.email, "editor")
        assert_accessible(owner, "the share dialog's People section")
        owner.screenshot(path=artifacts / "people-01-dialog.png", full_page=True)
        owner.get_by_role("dialog", name="Share Team").get_by_role("button", name="Close").click()

        editor.goto(f"{stack.url}/shared-with-me")
        shared = editor.get_by_role("row").filter(has=editor.get_by_role("link", name="Team", exact=True))
        expect(shared).to_contain_text("Ada")
        expect(shared).to_contain_text("Editor")
        assert_accessible(editor, "the Shared with me page")
        editor.screenshot(path=artifacts / "people-02-shared-with-me.png", full_page=True)
        open_shared(editor, stack.url, "Team")
        # A small file in one request and one above the one-request limit in parts straight to
        # S3, both through the share's own routes and the app's upload queue.
        sent_to: list[str] = []
        editor.on("request", lambda request: sent_to.append(urlsplit(request.url).path))
        survey = tmp_path / "survey.bin"
        survey.write_bytes(os.urandom(E2E_UPLOAD_LIMIT + 3 * 1024 * 1024))
        upload(
            editor,
            write(tmp_path, "minutes.txt", "agreed\n"),
            survey,
            into="Upload to this shared folder",
            listed=lambda page, name: page.get_by_role("button", name=f"Download {name}"),
        )
        assert any(path.startswith("/api/v1/shared-with-me/") and path.endswith("/uploads") for path in sent_to)
        assert not any(path.startswith("/api/v1/uploads") for path in sent_to)
        assert_accessible(editor, "a shared folder, as its editor")

        owner.goto(f"{stack.url}/files")
        open_folder(owner, "Team")
        expect(row(owner, "minutes.txt")).to_be_visible()
        expect(row(owner, "survey.bin")).to_be_visible()

        owner.goto(f"{stack.url}/files")
        share_with(owner, "Archive", cy.account.email, "viewer")
        owner.get_by_role("dialog", name="Share Archive").get_by_role("button", name="Close").click()
        open_shared(viewer, stack.url, "Archive")
        expect(viewer.get_by_text("you are a viewer")).to_be_visible()
        expect(viewer.get_by_text("This folder is empty.")).to_be_visible()
        expect(viewer.get_by_role("button", name="Upload a file")).to_have_count(0)
        expect(viewer.locator("input[type=file]")).to_have_count(0)
        assert_accessible(viewer, "a shared folder, as its viewer")
