"""Big files in a real browser, straight to S3: the web app creates the upload through the
gateway, Uppy sends the parts to SeaweedFS over the signed URLs (several in flight, each with its
SHA-256), a network drop and a reload are resumed without resending what S3 holds, and the file's
checksum and the usage bar show what was stored.

The e2e stack takes one-request uploads up to 5 MiB (conftest's E2E_UPLOAD_LIMIT): every file
here is larger, so the page sends it in parts.
"""

import base64
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Request, Response, Route, expect

from tests.e2e.conftest import E2E_UPLOAD_LIMIT, UPLOAD_TIMEOUT_MS, SignedIn, open_files, row

pytestmark = pytest.mark.e2e

MiB = 1024 * 1024
# Five parts of the web app's 8 MiB: more than one, all in flight at once.
BIG_FILE_BYTES = 40 * MiB
# Waits on failed part requests: a retry comes after Uppy's backoff (1 s, 2 s, 4 s...).
PART_RETRY_TIMEOUT_MS = 30_000


def write_random(path: Path, size: int) -> Path:
    path.write_bytes(os.urandom(size))
    return path


def composite_sha256(data: bytes, part_size: int) -> str:
    """The full-object checksum S3 keeps for a multipart upload: base64 of the SHA-256 of the
    parts' digests, then `-<parts>`."""
    digests = [hashlib.sha256(data[start : start + part_size]).digest() for start in range(0, len(data), part_size)]
    return f"{base64.b64encode(hashlib.sha256(b''.join(digests)).digest()).decode()}-{len(digests)}"


def part_number(url: str) -> int | None:
    numbers = parse_qs(urlsplit(url).query).get("partNumber")
    return int(numbers[0]) if numbers else None


@dataclass
class PartTraffic:
    """The part PUTs the page sends to the storage origin, and those S3 stored (answered 200)."""

    storage_origin: str
    sent: list[int] = field(default_factory=list)
    # After a cut, runs here missed some parts' answers (part 4 sent, stored, no `response` event),
    # so what S3 holds is read from the server's record of the file; these are only answers seen.
    stored: list[int] = field(default_factory=list)
    failed: int = 0
    one_request_uploads: int = 0
    part_size: int | None = None

    def is_part(self, request: Request) -> bool:
        return (
            request.method == "PUT"
            and request.url.startswith(self.storage_origin)
            and part_number(request.url) is not None
        )

    def on_request(self, request: Request) -> None:
        if self.is_part(request):
            self.sent.append(part_number(request.url) or 0)
        elif request.method == "POST" and request.url.endswith("/api/v1/files/upload"):
            self.one_request_uploads += 1

    def on_response(self, response: Response) -> None:
        if self.is_part(response.request) and response.status == 200:
            self.stored.append(part_number(response.url) or 0)
        elif response.request.method == "POST" and urlsplit(response.url).path == "/api/v1/uploads":
            created = response.json()
            assert response.status == 201, created
            self.part_size = created["partSize"]

    def on_failed(self, request: Request) -> None:
        if self.is_part(request):
            self.failed += 1

    def watch(self, page: Page) -> "PartTraffic":
        page.on("request", self.on_request)
        page.on("response", self.on_response)
        page.on("requestfailed", self.on_failed)
        return self


def recorded_file(gateway: httpx.Client, signed_in: SignedIn, name: str) -> dict[str, Any]:
    """The file `name` of the account's root folder as the files service records it."""
    listing = gateway.get("/api/folders/root/children", headers=signed_in.account.headers)
    assert listing.status_code == 200, listing.text
    (item,) = [item for item in listing.json()["items"] if item["name"] == name]
    return dict(item)


def choose(page: Page, path: Path) -> None:
    page.get_by_role("region", name="Your files", exact=True).get_by_label("Choose files").set_input_files(str(path))


def card(page: Page, name: str):
    return page.get_by_test_id("upload-card").filter(has_text=name)


def part_stored(traffic: PartTraffic, number: int):
    """A predicate of responses: S3 stored part `number`."""
    return lambda response: (
        traffic.is_part(response.request) and part_number(response.url) == number and response.status == 200
    )


def test_a_big_file_goes_to_s3_in_parts_and_its_download_matches_its_sha256(stack, signed_in, tmp_path, artifacts):
    page = signed_in.page
    traffic = PartTraffic(stack.storage_public_url).watch(page)
    big = write_random(tmp_path / "big.bin", BIG_FILE_BYTES)
    assert big.stat().st_size > E2E_UPLOAD_LIMIT

    choose(page, big)
    expect(card(page, "big.bin")).to_contain_text("Uploaded", timeout=UPLOAD_TIMEOUT_MS)
    expect(row(page, "big.bin")).to_be_visible()

    assert traffic.part_size is not None
    parts = -(-BIG_FILE_BYTES // traffic.part_size)
    assert parts > 1
    assert set(traffic.sent) == set(range(1, parts + 1))
    assert traffic.one_request_uploads == 0

    data = big.read_bytes()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download big.bin").click()
    downloaded = Path(download_info.value.path()).read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == hashlib.sha256(data).hexdigest()

    page.get_by_role("button", name="big.bin", exact=True).click()
    details = page.get_by_role("dialog", name="big.bin")
    expect(details.get_by_text(composite_sha256(data, traffic.part_size), exact=True)).to_be_visible()
    page.screenshot(path=artifacts / "direct-upload-checksum.png")


def test_an_upload_cut_off_mid_way_resumes_when_the_network_returns(stack, gateway, signed_in, tmp_path):
    page = signed_in.page
    traffic = PartTraffic(stack.storage_public_url).watch(page)
    big = write_random(tmp_path / "cut.bin", BIG_FILE_BYTES)

    def cut_after_the_first_part(route: Route) -> None:
        if part_number(route.request.url) == 1:
            route.continue_()
        else:
            route.abort("internetdisconnected")

    storage = f"{stack.storage_public_url}/**"
    page.route(storage, cut_after_the_first_part)
    with page.expect_response(part_stored(traffic, 1), timeout=UPLOAD_TIMEOUT_MS):
        choose(page, big)
    # Failed parts are retried while the network is down: each failure is another event, so one
    # that came before its wait began is made up by the next.
    while traffic.failed < 3:
        page.wait_for_event("requestfailed", timeout=PART_RETRY_TIMEOUT_MS)
    expect(card(page, "cut.bin")).not_to_contain_text("Uploaded")

    page.unroute(storage, cut_after_the_first_part)

    expect(card(page, "cut.bin")).to_contain_text("Uploaded", timeout=UPLOAD_TIMEOUT_MS)
    expect(row(page, "cut.bin")).to_be_visible()
    assert traffic.part_size is not None
    parts = -(-BIG_FILE_BYTES // traffic.part_size)
    assert set(traffic.sent) == set(range(1, parts + 1))
    assert traffic.sent.count(1) == 1, f"the part stored before the drop was sent again: {traffic.sent}"
    recorded = recorded_file(gateway, signed_in, "cut.bin")
    assert recorded["size"] == BIG_FILE_BYTES
    assert recorded["sha256"] == composite_sha256(big.read_bytes(), traffic.part_size)


def test_a_reload_mid_upload_resumes_without_resending_the_stored_parts(stack, gateway, signed_in, tmp_path):
    page = signed_in.page
    traffic = PartTraffic(stack.storage_public_url).watch(page)
    big = write_random(tmp_path / "reloaded.bin", BIG_FILE_BYTES)
    # The page asks before it is left with uploads running; the user says leave.
    page.on("dialog", lambda dialog: dialog.accept())

    def hold_back_after_two_parts(route: Route) -> None:
        if (part_number(route.request.url) or 0) <= 2:
            route.continue_()
        else:
            route.abort("internetdisconnected")

    storage = f"{stack.storage_public_url}/**"
    page.route(storage, hold_back_after_two_parts)
    with (
        page.expect_response(part_stored(traffic, 1), timeout=UPLOAD_TIMEOUT_MS),
        page.expect_response(part_stored(traffic, 2), timeout=UPLOAD_TIMEOUT_MS),
        page.expect_event("requestfailed", traffic.is_part, timeout=UPLOAD_TIMEOUT_MS),
    ):
        choose(page, big)
    assert set(traffic.stored) == {1, 2}

    # The reload happens with the later parts still held back, so S3 holds exactly parts 1 and 2
    # when the page goes; the new page's first tries of the others fail too until the network is
    # back, and are retried.
    traffic.sent.clear()
    open_files(page, stack.url)
    page.unroute(storage, hold_back_after_two_parts)

    # Golden Retriever kept the file (in IndexedDB) with its upload: it resumes by itself. Had the
    # browser not kept it, the card would ask for it again and the test would fail here.
    expect(card(page, "reloaded.bin")).to_contain_text("Uploaded", timeout=UPLOAD_TIMEOUT_MS)
    expect(row(page, "reloaded.bin")).to_be_visible()
    assert traffic.part_size is not None
    parts = -(-BIG_FILE_BYTES // traffic.part_size)
    assert traffic.sent, "the new page sent no part"
    assert set(traffic.sent) <= set(range(3, parts + 1)), f"parts S3 held were sent again: {sorted(traffic.sent)}"
    recorded = recorded_file(gateway, signed_in, "reloaded.bin")
    assert recorded["size"] == BIG_FILE_BYTES
    assert recorded["sha256"] == composite_sha256(big.read_bytes(), traffic.part_size)


def test_the_usage_bar_moves_after_an_upload(stack, signed_in, tmp_path):
    page = signed_in.page
    meter = page.get_by_role("meter", name="Storage used")
    expect(meter).to_have_attribute("aria-valuenow", "0")
    size = E2E_UPLOAD_LIMIT + MiB
    choose(page, write_random(tmp_path / "counted.bin", size))

    expect(card(page, "counted.bin")).to_contain_text("Uploaded", timeout=UPLOAD_TIMEOUT_MS)
    expect(meter).to_have_attribute("aria-valuenow", str(size))
    expect(meter).to_have_attribute("aria-valuetext", "6 MB of 1 GB used")
