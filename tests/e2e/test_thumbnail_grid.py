"""The files page's grid in a real browser: a photo uploaded through the gateway gets its WebP
thumbnails from the files service's worker (off the request path), the grid shows the small one
loaded from the storage origin, a file that is no image and an image the worker gave up on
(truncated) keep their type's icon, the latter never read again, and the preview
shows a big photo's large rendition. The view chosen is kept across a reload; axe-core finds
nothing wrong with the grid, on a desktop and on a phone in dark mode. A photo uploaded while
the grid is shown gets its thumbnail on its tile without a reload, and search results show it
in the grid too."""

import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Locator, Page, Response, expect

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


def write_truncated_photo(path: Path, tmp_path: Path) -> Path:
    """A PNG cut off after its first 64 KiB: typed an image by its first bytes, undecodable."""
    whole = write_photo(tmp_path / "whole.png")
    path.write_bytes(whole.read_bytes()[: 64 * 1024])
    return path


def wait_for_thumbnail(gateway: httpx.Client, signed_in: SignedIn, name: str, outcome: str = "ready") -> str:
    """The id of the root folder's item `name` once the worker is done with it (its thumbnail
    state no longer `pending`, and `outcome`), polled within a bound."""
    deadline = time.monotonic() + THUMBNAIL_BOUND_S
    while True:
        listing = gateway.get("/api/folders/root/children", headers=signed_in.account.headers)
        assert listing.status_code == 200, listing.text
        (item,) = [item for item in listing.json()["items"] if item["name"] == name]
        if item["thumbnail"] != "pending":
            assert item["thumbnail"] == outcome, item
            return str(item["id"])
        assert time.monotonic() < deadline, f"the worker was not done with {name} within {THUMBNAIL_BOUND_S} s"
        time.sleep(0.25)


def tile(page: Page, name: str, listing: str = "Your files") -> Locator:
    return (
        page.get_by_role("list", name=listing).get_by_role("listitem").filter(has=page.get_by_title(name, exact=True))
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
    broken = write_truncated_photo(tmp_path / "broken.png", tmp_path)
    upload(page, photo, notes, broken)
    wait_for_thumbnail(gateway, signed_in, "photo.png")
    broken_id = wait_for_thumbnail(gateway, signed_in, "broken.png", "failed")
    reads: list[str] = []
    page.on("request", lambda request: reads.append(urlsplit(request.url).path))

    view = page.get_by_role("group", name="View")
    view.get_by_role("button", name="Grid").click()
    expect(view.get_by_role("button", name="Grid")).to_have_attribute("aria-pressed", "true")
    # The choice outlives a reload; the reloaded listing carries the thumbnails' states.
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
    expect(tile(page, "broken.png").locator("[data-thumbnail=failed] svg[data-family=image]")).to_be_visible()
    expect(tile(page, "broken.png").get_by_role("img")).to_have_count(0)
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
    # Seconds after the grid showed it (past its first read's 1 s), the given-up image was never
    # read again, nor its thumbnail asked for.
    assert not [path for path in reads if path.startswith(f"/api/v1/files/{broken_id}")], reads


def test_a_photo_uploaded_in_the_grid_gets_its_thumbnail_without_a_reload_and_search_shows_it(
    stack, signed_in, tmp_path, artifacts
):
    page = signed_in.page
    photo = write_photo(tmp_path / "sunrise.png")
    view = page.get_by_role("group", name="View")
    view.get_by_role("button", name="Grid").click()
    expect(view.get_by_role("button", name="Grid")).to_have_attribute("aria-pressed", "true")

    listings: list[Response] = []
    reads: list[str] = []
    page.on("response", lambda response: "/api/v1/folders/root/children" in response.url and listings.append(response))
    page.on("request", lambda request: reads.append(urlsplit(request.url).path))
    # Gone if the page is loaded again.
    page.evaluate("window.scloudNotReloaded = true")
    upload(page, photo, listed=tile)
    file_id = tile(page, photo.name).get_attribute("data-item-id")

    picture = tile(page, photo.name).get_by_role("img", name=photo.name)
    expect(picture).to_be_visible(timeout=THUMBNAIL_BOUND_S * 1000)
    assert (picture.get_attribute("src") or "").startswith(stack.storage_public_url)
    assert 0 < natural_width(picture) <= SMALL_EDGE
    assert page.evaluate("window.scloudNotReloaded") is True
    # The worker may have been quicker than the listing; when it was not, the page read the
    # photo's details until the thumbnail was there.
    states = [
        item["thumbnail"]
        for response in listings
        if response.ok
        for item in response.json()["items"]
        if item["id"] == file_id
    ]
    assert states, "no listing held the uploaded photo"
    if states[-1] != "ready":
        assert f"/api/v1/files/{file_id}" in reads
    page.screenshot(path=artifacts / "thumbnail-grid-after-upload.png")

    search = page.get_by_role("searchbox", name="Search your files")
    search.fill("sunrise")
    search.press("Enter")
    expect(page).to_have_title("Search · sunrise — SCloud")
    expect(page.get_by_role("group", name="View").get_by_role("button", name="Grid")).to_have_attribute(
        "aria-pressed", "true"
    )
    found = tile(page, photo.name, listing="Search results for sunrise").get_by_role("img", name=photo.name)
    expect(found).to_be_visible()
    assert 0 < natural_width(found) <= SMALL_EDGE
    assert_accessible(page, "the search results' grid")
    page.screenshot(path=artifacts / "thumbnail-grid-search.png")
