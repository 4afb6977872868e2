"""The whole product as `make run` starts it (SeaweedFS, the three services on SQLite writing
their mail to a folder, Nginx gateway with the built frontend) on free ports, Debian's Chromium
driven by Playwright, and the fixtures every end-to-end file shares: a `page` whose console must
stay clean, and `signed_in`, a new account registered through the API whose session that page
holds."""

import random
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from scripts.stack import Ports, Stack
from tests.mail_sink import directory_mail

ROOT = Path(__file__).resolve().parents[2]
# What the page shows is waited for this long: a loaded 2-core machine (other suites, stress-ng)
# renders and answers a few times slower than an idle one.
expect.set_options(timeout=20_000)
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps calling home, and this closed network refuses every call.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
E2E_UPLOAD_LIMIT = 5 * 1024 * 1024
# Each account's storage quota: room for any test's files, and small enough that a file over it
# (sparse on disk, refused before a byte is sent) costs nothing to make.
E2E_QUOTA_BYTES = 1024 * 1024 * 1024
# Short enough that the owner's notice of a file request arrives within the e2e test's wait.
E2E_REQUEST_NOTICE_SECONDS = 2.0
# Small enough that copying a folder of 50 files runs as a copy job, with its progress in the page.
E2E_COPY_JOB_THRESHOLD_FILES = 20
DESKTOP = {"width": 1280, "height": 860}
# Strong enough for the server's strength check, whatever its minimum score.
PASSWORD = "violet harbor lantern 73 quietly"
# Uploads through the gateway on a loaded 2-core machine (stress-ng beside the tests).
UPLOAD_TIMEOUT_MS = 60_000
# Chromium logs every 4xx/5xx answer as a console error; the tests assert on answers themselves.
EXPECTED_CONSOLE_NOISE = ("Failed to load resource",)


@pytest.fixture(scope="session")
def private_clone(tmp_path_factory) -> Path:
    """A clone in a private (0700) folder, as root's home or `mktemp -d` make one: its built
    frontend and its run folder are out of reach of any other user, nginx's workers included."""
    clone = tmp_path_factory.mktemp("private-clone")
    shutil.copytree(ROOT / "frontend" / "dist", clone / "frontend" / "dist")
    clone.chmod(0o700)
    return clone


def run_from_private_clone(clone: Path, run_name: str, **options) -> Iterator[Stack]:
    """A stack on free ports, running from the private clone, stopped when the session ends."""
    stack = Stack(
        run_dir=clone / run_name,
        ports=Ports.free(),
        max_upload_bytes=E2E_UPLOAD_LIMIT,
        quota_bytes=E2E_QUOTA_BYTES,
        frontend_dist=clone / "frontend" / "dist",
        # A file request's notice within the test's wait, not a quarter of an hour later.
        request_notice_interval_seconds=E2E_REQUEST_NOTICE_SECONDS,
        copy_job_threshold_files=E2E_COPY_JOB_THRESHOLD_FILES,
        **options,
    )
    try:
        stack.start()
    except RuntimeError as exc:
        # The message names the process that is not ready and ends with its log.
        pytest.fail(f"stack did not start: {exc}")
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def stack(private_clone) -> Iterator[Stack]:
    yield from run_from_private_clone(private_clone, ".run")


@pytest.fixture(scope="session")
def lone_gateway(private_clone) -> Iterator[Stack]:
    """The gateway in front of services that are all down."""
    yield from run_from_private_clone(private_clone, ".run-lone-gateway", with_services=False)


@pytest.fixture
def gateway(stack) -> Iterator[httpx.Client]:
    """An HTTP client of the gateway, as any program outside the browser would be."""
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser) -> Iterator[Callable[..., BrowserContext]]:
    """Makes browser contexts (a desktop one unless told otherwise), all closed after the test."""
    made: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        made.append(browser.new_context(**{"accept_downloads": True, "viewport": DESKTOP, **options}))
        return made[-1]

    yield make
    for context in made:
        context.close()


@pytest.fixture
def context(new_context) -> BrowserContext:
    return new_context()


def watch_console(page: Page) -> list[str]:
    """What the page reports as going wrong: script errors, and console errors (Chromium reports
    Content-Security-Policy violations there)."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console error: {message.text} ({message.location.get('url', '')})")
            if message.type == "error" and not message.text.startswith(EXPECTED_CONSOLE_NOISE)
            else None
        ),
    )
    return problems


@contextmanager
def console_checked(context: BrowserContext) -> Iterator[Page]:
    """A new page of `context` whose console must stay clean: the test fails with what it
    reported. The one way every end-to-end test opens a page."""
    page = context.new_page()
    problems = watch_console(page)
    yield page
    if problems:
        pytest.fail("the browser reported problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(context) -> Iterator[Page]:
    """A desktop page whose console must stay clean."""
    with console_checked(context) as page:
        yield page


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    access_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def new_email() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}@example.com"


def own_client_address() -> str:
    """A loopback address no other registration used: the gateway keeps one sign-in budget per
    client address (20 a minute), which a whole run of tests from 127.0.0.1 would exhaust."""
    return f"127.{random.randrange(1, 255)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def register_account(base_url: str, context: BrowserContext | None = None, *, username: str = "Ada") -> Account:
    """A new account, registered through the gateway's API from a client address of its own.
    With a browser `context`, the session (its refresh cookie) is handed to that context, as
    if its own page had registered."""
    email = new_email()
    body = {"email": email, "username": username, "password": PASSWORD}
    transport = httpx.HTTPTransport(local_address=own_client_address())
    with httpx.Client(base_url=base_url, transport=transport, timeout=30) as client:
        response = client.post("/api/auth/register", json=body, headers={"Origin": base_url})
    assert response.status_code == 201, response.text
    if context is not None:
        context.add_cookies(
            [
                {
                    "name": cookie.name,
                    "value": cookie.value or "",
                    "domain": urlsplit(base_url).hostname or "localhost",
                    "path": cookie.path,
                    "httpOnly": True,
                    "secure": cookie.secure,
                    "sameSite": "Strict",
                }
                for cookie in response.cookies.jar
            ]
        )
    return Account(email, PASSWORD, response.json()["accessToken"])


@pytest.fixture
def account(stack) -> Account:
    """A new account, registered through the API only (no browser)."""
    return register_account(stack.url)


def open_files(page: Page, base_url: str) -> None:
    """Opens the file list on a page whose context holds a session, and waits until the app has
    restored that session and shows the list (loaded: its rows or its empty state)."""
    with page.expect_response(lambda response: response.url.endswith("/api/v1/auth/refresh")) as restored:
        page.goto(f"{base_url}/files")
    assert restored.value.status == 200, restored.value.text()
    expect(page.get_by_role("heading", name="Your files")).to_be_visible()
    expect(page.locator("tr[data-item-id]").first.or_(page.get_by_text("No files yet"))).to_be_visible()


def row(page: Page, name: str) -> Locator:
    """The row of the list (files, folders, search results) whose item is called `name`."""
    return page.locator("tr[data-item-id]").filter(has=page.get_by_text(name, exact=True))


def upload(page: Page, *paths: Path, into: str = "Your files", listed: Callable[[Page, str], Locator] = row) -> None:
    """Chooses `paths` with the "Choose files" button of the folder page headed `into` (so never
    the button of a page that is being replaced), and waits until each of these uploads is
    finished and its row (or what `listed` finds, a tile in the grid) is listed."""
    cards = page.get_by_test_id("upload-card")
    before = cards.count()
    page.get_by_role("region", name=into, exact=True).get_by_label("Choose files").set_input_files(
        [str(path) for path in paths]
    )
    expect(cards).to_have_count(before + len(paths))
    for index, path in enumerate(paths):
        card = cards.nth(before + index)
        expect(card).to_contain_text(path.name)
        expect(card).to_contain_text("Uploaded", timeout=UPLOAD_TIMEOUT_MS)
        expect(listed(page, path.name)).to_be_visible()


def submit_log_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Fills in and sends the log-in page (a two-factor step or an error may follow)."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Signs in through the log-in page, as a person does, and waits for the file list."""
    submit_log_in(page, base_url, email, password)
    expect(page.get_by_role("heading", name="Your files")).to_be_visible()


@dataclass(frozen=True)
class SignedIn:
    account: Account
    page: Page


def sign_in(base_url: str, page: Page, *, username: str = "Ada") -> SignedIn:
    """A new account whose session `page`'s context holds, on its (empty) file list."""
    account = register_account(base_url, page.context, username=username)
    open_files(page, base_url)
    return SignedIn(account, page)


@pytest.fixture
def signed_in(stack, page) -> SignedIn:
    """A new account whose session `page` holds (its refresh cookie in the browser context),
    on its (empty) file list once the app has restored that session and loaded the list."""
    return sign_in(stack.url, page)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def mail_link(stack, to: str, path: str, *, count: int = 1, seconds: float = 60) -> str:
    """The `path` link of the `count`-th mail that reached `to`, waiting for it to arrive."""
    deadline = time.monotonic() + seconds
    while True:
        bodies = [mail.body for mail in directory_mail(stack.mail_dir) if to in mail.to]
        links = [re.search(re.escape(f"{stack.url}{path}#token=") + r"[\w-]+", body) for body in bodies]
        found = [link.group(0) for link in links if link]
        if len(found) >= count:
            return found[count - 1]
        assert time.monotonic() < deadline, f"no {path} mail reached {to} within {seconds} s"
        time.sleep(0.2)
