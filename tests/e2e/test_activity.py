"""Activity and Recent in a real browser, through the gateway, against the real stack: a rename
shows in the Activity feed as a sentence and in the file's own history; a file opened (previewed)
goes first in Recent.

A fresh account per test keeps them independent, so any one can run alone with `-k`.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import row, upload

pytestmark = pytest.mark.e2e


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content)
    return path


def test_a_rename_shows_in_activity_and_an_opened_file_in_recent(signed_in, tmp_path, artifacts):
    page = signed_in.page
    upload(page, write(tmp_path, "a.txt", "first\n"), write(tmp_path, "other.txt", "second\n"))

    page.get_by_role("button", name="Rename a.txt").click()
    dialog = page.get_by_role("dialog", name="Rename a.txt")
    dialog.get_by_label("New name").fill("b.txt")
    dialog.get_by_role("button", name="Rename").click()
    expect(row(page, "b.txt")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible()
    expect(page.get_by_text("You renamed a.txt to b.txt", exact=True)).to_be_visible()
    expect(page.get_by_text("You uploaded other.txt", exact=True)).to_be_visible()
    page.screenshot(path=artifacts / "activity.png", full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Files").click()
    page.get_by_role("button", name="other.txt", exact=True).click()
    preview = page.get_by_role("dialog", name="other.txt")
    # Shown from the link the preview asked for: that is the file opened.
    expect(preview.locator("iframe[title='Preview of other.txt']")).to_be_visible()
    preview.get_by_role("button", name="History").click()
    expect(preview.get_by_text("You uploaded other.txt", exact=True)).to_be_visible()
    preview.get_by_role("button", name="Close").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recent").click()
    expect(page.get_by_role("heading", name="Recent")).to_be_visible()
    names = page.get_by_role("main").get_by_role("listitem").locator("p.font-medium")
    expect(names).to_have_text(["other.txt", "b.txt"])
    page.screenshot(path=artifacts / "recent.png", full_page=True)
