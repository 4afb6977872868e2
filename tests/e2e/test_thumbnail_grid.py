"""The files page's grid in a real browser: a photo uploaded through the gateway gets its WebP
thumbnails from the files service's worker (off the request path), the grid shows the small one
loaded from the storage origin, a file that is no image keeps its type's icon, and the preview
shows a big photo's large rendition. The view chosen is kept across a reload; axe-core finds
nothing wrong with the grid, on a desktop and on a phone in dark mode."""

import os
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import SignedIn, upload
from tests.e2e.test_drive import assert_accessible

pytestmark = pytest.mark.e2e

PHOTO_SIZE = (1600, 1200)
# The worker renders off the request path, on a loaded 2-core machine beside other suites.
THUMBNAIL_BOUND_S = 90
PHONE = {"width": 375, "height": 812}
SMALL_EDGE = 256
LARGE_EDGE = 1280


def write_photo(path: Path) -> Path:
    """A real PNG of PHOTO_SIZE over 1 MiB, so its preview takes the large rendition (gradients
    with 4 bits of noise a channel, which do not compress away), and under the one-request upload
    limit."""
    width, height = PHOTO_SIZE
    across = Image.linear_gradient("L").rotate(90).resize(PHOTO_SIZE)
    down = Image.linear_gradient("L").resize(PHOTO_SIZE)
    picture = Image.merge("RGB", (across, down, Image.new("L", PHOTO_SIZE, 160)))
    noise = Image.frombytes("RGB", PHOTO_SIZE, bytes(byte & 0x0F for byte in os.urandom(width * height * 3)))
    ImageChops.add(picture, noise).save(path, format="PNG")
    assert 1024 * 1024 < path.stat().st_size < 5 * 1024 * 1024
    return path


def wait_for_thumbnail(gateway: httpx.Client, signed_in: SignedIn, name: str) -> None:
    """The root folder's item `name` once the worker has stored its thumbnails, polled within a bound."""
    deadline = time.monotonic() + THUMBNAIL_BOUND_S
    while True:
        listing = gateway.get("/api/folders/root/children", headers=signed_in.account.headers)
        assert listing.status_code == 200, listing.text
        (item,) = [item for item in listing.json()["items"] if item["name"] == name]
        if item["hasThumbnail"]:
            return
        assert time.monotonic() < deadline, f"{name} had no thumbnail within {THUMBNAIL_BOUND_S} s"
        time.sleep(0.25)


def tile(page: Page, name: str) -> Locator:
    return (
        page.get_by_role("list", name="Your files")
        .get_by_role("listitem")
        .filter(has=page.get_by_title(name, exact=True))
    )


def natural_width(image: Locator) -> int:
    """The loaded image's width in pixels, once it has loaded (0 while it has not, or failed)."""
    expect(image).to_have_js_property("complete", True)
    return int(image.evaluate("image => image.naturalWidth"))


def test_the_grid_shows_a_photos_thumbnail_from_storage_and_an_icon_for_other_files(
    stack, gateway, signed_in, tmp_path, artifacts
):
    page = signed_in.page
    photo = write_photo(tmp_path / "photo.png")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture\n")
    upload(page, photo, notes)
    wait_for_thumbnail(gateway, signed_in, "photo.png")

    view = page.get_by_role("group", name="View")
    view.get_by_role("button", name="Grid").click()
    expect(view.get_by_role("button", name="Grid")).to_have_attribute("aria-pressed", "true")
    # The choice outlives a reload; the reloaded listing carries hasThumbnail.
    page.reload()
    expect(page.get_by_role("group", name="View").get_by_role("button", name="Grid")).to_have_attribute(
        "aria-pressed", "true"
    )

    picture = tile(page, "photo.png").get_by_role("img", name="photo.png")
    expect(picture).to_be_visible()
    assert (picture.get_attribute("src") or "").startswith(stack.storage_public_url)
    width = natural_width(picture)
    assert 0 < width <= SMALL_EDGE
    expect(tile(page, "notes.txt").get_by_role("img")).to_have_count(0)
    expect(tile(page, "notes.txt").locator("svg[data-family=text]")).to_be_visible()
    assert_accessible(page, "the files grid")
    page.screenshot(path=artifacts / "thumbnail-grid-desktop.png")

    tile(page, "photo.png").get_by_role("button", name="photo.png", exact=True).click()
    preview = page.get_by_role("dialog", name="photo.png").get_by_role("img", name="photo.png")
    expect(preview).to_be_visible()
    assert (preview.get_attribute("src") or "").startswith(stack.storage_public_url)
    assert natural_width(preview) == LARGE_EDGE
    expect(page.get_by_role("button", name="Show the original")).to_be_visible()
    page.get_by_role("button", name="Close").click()

    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="dark")
    expect(picture).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, "the files grid on a phone, dark")
    page.screenshot(path=artifacts / "thumbnail-grid-phone-dark.png")
