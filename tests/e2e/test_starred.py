"""Starred in a real browser, through the gateway, against the real stack: star a folder in the
drive, find it under Starred, open it from there, unstar it and see it gone."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import row
from tests.e2e.test_drive import assert_accessible, new_folder

pytestmark = pytest.mark.e2e


def test_a_starred_folder_is_found_under_starred_until_unstarred(stack, signed_in, artifacts):
    page = signed_in.page
    new_folder(page, "Holiday")
    new_folder(page, "Work")
    row(page, "Holiday").get_by_role("button", name="Star Holiday").click()
    expect(row(page, "Holiday").get_by_role("button", name="Unstar Holiday")).to_be_visible()
    expect(row(page, "Work").get_by_role("button", name="Star Work")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Starred").click()
    expect(page.get_by_role("heading", name="Starred", exact=True)).to_be_visible()
    expect(page).to_have_url(f"{stack.url}/starred")
    expect(row(page, "Holiday")).to_be_visible()
    expect(row(page, "Work")).to_have_count(0)
    assert_accessible(page, "the Starred page")
    page.screenshot(path=artifacts / "starred-01-starred-folder.png", full_page=True)

    # A reload is served by the gateway and lists it again, from the server.
    page.reload()
    expect(row(page, "Holiday")).to_be_visible()
    page.get_by_role("link", name="Holiday", exact=True).click()
    expect(page.get_by_role("heading", name="Holiday", exact=True)).to_be_visible()
    page.go_back()

    row(page, "Holiday").get_by_role("button", name="Unstar Holiday").click()
    expect(row(page, "Holiday")).to_have_count(0)
    page.reload()
    expect(page.get_by_text("Nothing starred yet", exact=False)).to_be_visible()
    expect(row(page, "Holiday")).to_have_count(0)
