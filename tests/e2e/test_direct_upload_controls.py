"""The user's hold on big direct uploads, in Chromium through the gateway to SeaweedFS: a 300 MB
file sent with several parts in flight through a network cut, pause and resume (a pause during a
cut holding the retries), cancel, the quota refused before a byte is sent, and a name that exists
(keep both, replace).

Files are written to disk from a repeated random block (its length no divisor of the part size,
so no two parts are alike) or left sparse, never built in memory; the browser reads them itself.
"""

import base64
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Request, Response, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import E2E_QUOTA_BYTES, E2E_UPLOAD_LIMIT, SignedIn, row, upload
from tests.e2e.test_direct_uploads import card, choose, part_number, recorded_file

pytestmark = pytest.mark.e2e

MiB = 1024 * 1024
HUGE_FILE_BYTES = 300 * MiB
# Parts enough that pausing or cancelling after the first leaves most of the file unsent.
LONG_FILE_BYTES = 120 * MiB
# Two parts of the web app's 8 MiB, and a third size for the replacement.
SMALL_DIRECT_BYTES = 12 * MiB
BLOCK_BYTES = MiB + 4099
CHUNK_BYTES = 8 * MiB
# The whole 300 MB journey, cut included, on a loaded 2-core machine.
HUGE_TIMEOUT_MS = 8 * 60_000
# A 120 MiB upload, or the part PUTs in flight settling after a pause or a cancel.
LONG_TIMEOUT_MS = 3 * 60_000
# Failed parts are retried after Uppy's backoff (1 s, 2 s, 4 s...).
PART_RETRY_TIMEOUT_MS = 30_000
# How long a paused upload is watched for a part PUT: longer than the first four retry delays
# (0, 1, 2 and 4 s) a part that failed on the pause would be sent again after.
PAUSED_WATCH_MS = 8_000


def write_repeated(path: Path, size: int) -> Path:
    """`size` bytes of one random block repeated, written a block at a time."""
    block = os.urandom(BLOCK_BYTES)
    with path.open("wb") as out:
        for start in range(0, size, BLOCK_BYTES):
            out.write(block[: size - start])
    return path


def write_sparse(path: Path, size: int) -> Path:
    with path.open("wb") as out:
        out.truncate(size)
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def composite_sha256_of(path: Path, part_size: int) -> str:
    """S3's full-object checksum of a multipart upload of `path` (test_direct_uploads'
    composite_sha256), read one part at a time."""
    digests = []
    with path.open("rb") as source:
        while part := source.read(part_size):
            digests.append(hashlib.sha256(part).digest())
    return f"{base64.b64encode(hashlib.sha256(b''.join(digests)).digest()).decode()}-{len(digests)}"


@dataclass
class Transfers:
    """What the page sends for direct uploads: the creations and their answers, the part PUTs to
    the storage origin (sent, stored, failed, and how many were in flight at once), the aborts."""

    storage_origin: str
    # Each answer's status and body, read as it comes (Chromium drops earlier bodies once
    # hundreds of MB went by); the read lets the test go on meanwhile, so a test that needs an
    # answer the moment it comes waits for it with expect_response instead.
    created: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    stored: list[int] = field(default_factory=list)
    failed: int = 0
    in_flight: int = 0
    most_in_flight: int = 0
    aborted: list[str] = field(default_factory=list)

    def is_part(self, request: Request) -> bool:
        return (
            request.method == "PUT"
            and request.url.startswith(self.storage_origin)
            and part_number(request.url) is not None
        )

    def latest(self) -> dict[str, Any]:
        """The answer to the latest upload the server created."""
        return [body for status, body in self.created if status == 201][-1]

    @property
    def part_size(self) -> int:
        return int(self.latest()["partSize"])

    def on_request(self, request: Request) -> None:
        if self.is_part(request):
            self.sent.append(part_number(request.url) or 0)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        elif request.method == "DELETE" and urlsplit(request.url).path.startswith("/api/v1/uploads/"):
            self.aborted.append(urlsplit(request.url).path.rsplit("/", 1)[-1])

    def on_finished(self, request: Request) -> None:
        if self.is_part(request):
            self.in_flight -= 1

    def on_failed(self, request: Request) -> None:
        if self.is_part(request):
            self.in_flight -= 1
            self.failed += 1

    def on_response(self, response: Response) -> None:
        if self.is_part(response.request) and response.status == 200:
            self.stored.append(part_number(response.url) or 0)
        elif response.request.method == "POST" and urlsplit(response.url).path == "/api/v1/uploads":
            self.created.append((response.status, response.json()))

    def watch(self, page: Page) -> "Transfers":
        page.on("request", self.on_request)
        page.on("requestfinished", self.on_finished)
        page.on("requestfailed", self.on_failed)
        page.on("response", self.on_response)
        return self


@dataclass
class StorageNetwork:
    """The page's way to the storage origin's part PUTs, cut and restored by a flag. The route
    stays in place from before the upload to its end: requests sent while Playwright starts or
    stops intercepting were seen to go unreported (parts stored with no `request` event)."""

    transfers: Transfers
    cut: bool = False
    spared: Callable[[int], bool] = lambda number: False

    def route(self, route: Route) -> None:
        request = route.request
        if self.cut and self.transfers.is_part(request) and not self.spared(part_number(request.url) or 0):
            route.abort("internetdisconnected")
        else:
            route.continue_()

    def install(self, page: Page) -> "StorageNetwork":
        page.route(f"{self.transfers.storage_origin}/**", self.route)
        return self


def wait_for_failed_parts(page: Page, transfers: Transfers, count: int) -> None:
    """Waits until `count` more part PUTs failed. Each failure is another event: one that came
    before its wait began is made up by the next."""
    target = transfers.failed + count
    while transfers.failed < target:
        page.wait_for_event("requestfailed", timeout=PART_RETRY_TIMEOUT_MS)


def part_stored(transfers: Transfers, number: int) -> Callable[[Response], bool]:
    return lambda response: (
        transfers.is_part(response.request) and part_number(response.url) == number and response.status == 200
    )


def wait_until(page: Page, condition: Callable[[], bool], what: str, timeout_ms: float) -> None:
    """Lets the page's events in until `condition` holds, failing past the bound."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout_ms / 1000:.0f} s: {what}")
        page.wait_for_timeout(100)


def assert_no_part_sent(page: Page, transfers: Transfers, timeout_ms: float) -> None:
    sent = len(transfers.sent)
    with pytest.raises(PlaywrightTimeoutError):
        page.wait_for_event("request", transfers.is_part, timeout=timeout_ms)
    assert len(transfers.sent) == sent, f"parts were sent: {transfers.sent[sent:]}"


def usage(gateway: httpx.Client, signed_in: SignedIn) -> int:
    limits = gateway.get("/api/files/limits", headers=signed_in.account.headers)
    assert limits.status_code == 200, limits.text
    return int(limits.json()["usedBytes"])


def root_names(gateway: httpx.Client, signed_in: SignedIn) -> list[str]:
    listing = gateway.get("/api/folders/root/children", headers=signed_in.account.headers)
    assert listing.status_code == 200, listing.text
    return sorted(item["name"] for item in listing.json()["items"])


def download_to(page: Page, name: str, target: Path) -> Path:
    """Follows the link the page's Download button leads the browser to, streamed to `target`
    with httpx: Playwright's wait for a browser download has no bound."""
    with page.expect_download() as started:
        page.get_by_role("button", name=f"Download {name}").click()
    link = started.value.url
    started.value.cancel()
    with httpx.stream("GET", link, timeout=60) as answer, target.open("wb") as out:
        assert answer.status_code == 200, answer.read()
        for chunk in answer.iter_bytes(CHUNK_BYTES):
            out.write(chunk)
    return target


def test_a_300_mb_file_goes_in_parallel_parts_through_a_network_cut(stack, gateway, signed_in, tmp_path):
    page = signed_in.page
    transfers = Transfers(stack.storage_public_url).watch(page)
    huge = write_repeated(tmp_path / "huge.bin", HUGE_FILE_BYTES)

    network = StorageNetwork(transfers).install(page)

    with page.expect_response(part_stored(transfers, 3), timeout=LONG_TIMEOUT_MS):
        choose(page, huge)
    assert transfers.most_in_flight > 1, "the parts went one at a time"
    network.cut = True
    wait_for_failed_parts(page, transfers, 3)
    expect(card(page, "huge.bin")).not_to_contain_text("Uploaded")
    network.cut = False

    expect(card(page, "huge.bin")).to_contain_text("Uploaded", timeout=HUGE_TIMEOUT_MS)
    expect(row(page, "huge.bin")).to_be_visible()
    parts = -(-HUGE_FILE_BYTES // transfers.part_size)
    assert parts > 30
    recorded = recorded_file(gateway, signed_in, "huge.bin")
    assert set(transfers.sent) == set(range(1, parts + 1))
    assert transfers.sent.count(1) == 1, "a part stored before the cut was sent again"
    assert recorded["size"] == HUGE_FILE_BYTES

    downloaded = download_to(page, "huge.bin", tmp_path / "downloaded.bin")
    assert downloaded.stat().st_size == HUGE_FILE_BYTES
    assert sha256_of(downloaded) == sha256_of(huge)
    assert recorded["sha256"] == composite_sha256_of(huge, transfers.part_size)


def test_a_paused_upload_sends_nothing_until_resumed(stack, gateway, signed_in, tmp_path):
    page = signed_in.page
    transfers = Transfers(stack.storage_public_url).watch(page)
    long = write_repeated(tmp_path / "paused.bin", LONG_FILE_BYTES)

    with page.expect_response(part_stored(transfers, 1), timeout=LONG_TIMEOUT_MS):
        choose(page, long)
    page.get_by_role("button", name="Pause upload of paused.bin").click()
    expect(card(page, "paused.bin")).to_contain_text("Paused at")
    wait_until(page, lambda: transfers.in_flight == 0, "the part PUTs in flight settle", LONG_TIMEOUT_MS)
    assert_no_part_sent(page, transfers, PAUSED_WATCH_MS)
    parts = -(-LONG_FILE_BYTES // transfers.part_size)
    assert len(set(transfers.stored)) < parts

    page.get_by_role("button", name="Resume upload of paused.bin").click()
    expect(card(page, "paused.bin")).to_contain_text("Uploaded", timeout=LONG_TIMEOUT_MS)
    expect(row(page, "paused.bin")).to_be_visible()
    assert set(transfers.sent) == set(range(1, parts + 1))
    assert transfers.sent.count(1) == 1, "the part stored before the pause was sent again"
    recorded = recorded_file(gateway, signed_in, "paused.bin")
    assert recorded["size"] == LONG_FILE_BYTES
    assert recorded["sha256"] == composite_sha256_of(long, transfers.part_size)


@pytest.mark.parametrize("paused", [False, True], ids=["sending", "paused"])
def test_a_cancelled_upload_is_aborted_and_leaves_nothing(stack, gateway, signed_in, tmp_path, paused):
    page = signed_in.page
    transfers = Transfers(stack.storage_public_url).watch(page)
    long = write_repeated(tmp_path / "cancelled.bin", LONG_FILE_BYTES)
    meter = page.get_by_role("meter", name="Storage used")
    expect(meter).to_have_attribute("aria-valuenow", "0")

    with page.expect_response(part_stored(transfers, 1), timeout=LONG_TIMEOUT_MS):
        choose(page, long)
    upload_id = str(transfers.latest()["id"])
    if paused:
        page.get_by_role("button", name="Pause upload of cancelled.bin").click()
        expect(card(page, "cancelled.bin")).to_contain_text("Paused at")
    with page.expect_response(
        lambda response: (
            response.request.method == "DELETE" and urlsplit(response.url).path == f"/api/v1/uploads/{upload_id}"
        )
    ) as aborted:
        page.get_by_role("button", name="Cancel upload of cancelled.bin").click()
    assert aborted.value.status == 204
    assert transfers.aborted == [upload_id]

    cancelled = card(page, "cancelled.bin")
    expect(cancelled).to_contain_text("upload cancelled")
    expect(cancelled.get_by_role("button", name="Pause upload of cancelled.bin")).to_have_count(0)
    wait_until(page, lambda: transfers.in_flight == 0, "the part PUTs in flight settle", LONG_TIMEOUT_MS)
    assert_no_part_sent(page, transfers, PAUSED_WATCH_MS)
    page.get_by_role("button", name="Clear finished").click()
    expect(page.get_by_test_id("upload-card")).to_have_count(0)

    assert gateway.get(f"/api/uploads/{upload_id}", headers=signed_in.account.headers).status_code == 404
    assert root_names(gateway, signed_in) == []
    assert usage(gateway, signed_in) == 0
    expect(row(page, "cancelled.bin")).to_have_count(0)
    expect(meter).to_have_attribute("aria-valuenow", "0")


def test_a_file_over_the_room_left_is_refused_before_a_byte_is_sent(stack, gateway, signed_in, tmp_path):
    page = signed_in.page
    transfers = Transfers(stack.storage_public_url).watch(page)
    first = tmp_path / "first.bin"
    first.write_bytes(os.urandom(3 * MiB))
    upload(page, first)
    # Bigger than the room left, smaller than the quota itself: the refusal is about the room.
    too_big = write_sparse(tmp_path / "too-big.bin", E2E_QUOTA_BYTES - MiB)
    assert too_big.stat().st_size > E2E_UPLOAD_LIMIT

    with page.expect_response(
        lambda response: response.request.method == "POST" and urlsplit(response.url).path == "/api/v1/uploads"
    ) as created:
        choose(page, too_big)
    assert created.value.status == 507
    assert created.value.json()["error"]["code"] == "quota_exceeded"
    refused = card(page, "too-big.bin")
    expect(refused.get_by_role("alert")).to_have_text(
        "too-big.bin: Not enough storage: this file needs 1023 MB, and 3 MB of your 1 GB are used (1021 MB free). "
        "Empty the trash or delete files to make room."
    )
    assert transfers.sent == []
    assert root_names(gateway, signed_in) == ["first.bin"]
    assert usage(gateway, signed_in) == 3 * MiB
    expect(page.get_by_role("meter", name="Storage used")).to_have_attribute("aria-valuenow", str(3 * MiB))


def test_a_big_file_whose_name_exists_is_kept_beside_it_or_replaces_it(stack, gateway, signed_in, tmp_path):
    page = signed_in.page
    transfers = Transfers(stack.storage_public_url).watch(page)
    versions = [tmp_path / version for version in ("first", "second", "third")]
    for folder in versions:
        folder.mkdir()
    original = write_repeated(versions[0] / "report.bin", SMALL_DIRECT_BYTES)
    kept = write_repeated(versions[1] / "report.bin", SMALL_DIRECT_BYTES)
    replacement = write_repeated(versions[2] / "report.bin", SMALL_DIRECT_BYTES + 3 * MiB)
    cards = page.get_by_test_id("upload-card")

    choose(page, original)
    expect(cards.nth(0)).to_contain_text("Uploaded")
    expect(row(page, "report.bin")).to_be_visible()

    choose(page, kept)
    dialog = page.get_by_role("dialog", name="report.bin already exists")
    dialog.get_by_role("button", name="Keep both").click()
    expect(cards.nth(1)).to_contain_text("Uploaded")
    expect(row(page, "report (1).bin")).to_be_visible()
    assert root_names(gateway, signed_in) == ["report (1).bin", "report.bin"]
    beside = recorded_file(gateway, signed_in, "report (1).bin")
    assert beside["size"] == SMALL_DIRECT_BYTES
    assert beside["sha256"] == composite_sha256_of(kept, transfers.part_size)

    choose(page, replacement)
    dialog.get_by_role("button", name="Replace").click()
    expect(cards.nth(2)).to_contain_text("Uploaded")
    expect(row(page, "report.bin")).to_have_count(1)
    assert root_names(gateway, signed_in) == ["report (1).bin", "report.bin"]
    replaced = recorded_file(gateway, signed_in, "report.bin")
    assert replaced["size"] == SMALL_DIRECT_BYTES + 3 * MiB
    assert replaced["sha256"] == composite_sha256_of(replacement, transfers.part_size)
    assert recorded_file(gateway, signed_in, "report (1).bin")["id"] == beside["id"]


def test_a_pause_during_a_network_cut_holds_the_retries(stack, gateway, signed_in, tmp_path):
    page = signed_in.page
    transfers = Transfers(stack.storage_public_url).watch(page)
    long = write_repeated(tmp_path / "held.bin", LONG_FILE_BYTES)

    network = StorageNetwork(transfers, cut=True, spared=lambda number: number == 1).install(page)
    with page.expect_response(part_stored(transfers, 1), timeout=LONG_TIMEOUT_MS):
        choose(page, long)
    wait_for_failed_parts(page, transfers, 8)
    page.get_by_role("button", name="Pause upload of held.bin").click()
    expect(card(page, "held.bin")).to_contain_text("Paused at")
    wait_until(page, lambda: transfers.in_flight == 0, "the part PUTs in flight settle", LONG_TIMEOUT_MS)
    network.cut = False
    # The retries the failures had scheduled come due now, with the network back: none may go.
    assert_no_part_sent(page, transfers, PAUSED_WATCH_MS)

    page.get_by_role("button", name="Resume upload of held.bin").click()
    expect(card(page, "held.bin")).to_contain_text("Uploaded", timeout=LONG_TIMEOUT_MS)
    recorded = recorded_file(gateway, signed_in, "held.bin")
    assert recorded["sha256"] == composite_sha256_of(long, transfers.part_size)
