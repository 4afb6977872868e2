"""The layout holds still and fits: the files page's cumulative layout shift while the session
restores and the email banner appears stays under 0.1 on a desktop and a phone, and the files,
trash and profile pages, light and dark, are saved as screenshots with nothing covering a row's
actions at the end of the list."""

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import UPLOAD_TIMEOUT_MS, Account, console_checked, open_files, register_account

pytestmark = pytest.mark.e2e

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 375, "height": 812}}
# Names as people have them: long, with spaces, versions and the usual extensions.
FILE_NAMES = [
    f"{stem}.{extension}"
    for stem, extension in zip(
        [
            "Quarterly report 2026 - final draft (3)",
            "budget",
            "Holiday photos from the trip to the mountains",
            "notes",
            "contract_signed_scan",
            "README",
            "presentation-v12-reviewed",
            "data export 2026-05-01",
            "logo",
            "invoice #4471",
            "meeting minutes",
            "thesis chapter 2 with comments",
            "backup",
            "diagram",
            "song",
            "todo",
            "recipe for grandmother's apple pie",
            "index",
            "a",
            "very-long-file-name-without-any-spaces-at-all-to-see-how-it-wraps",
        ],
        ["docx", "csv", "jpg", "txt", "pdf", "md", "pptx", "json", "svg", "pdf"] * 2,
        strict=True,
    )
]
# Sums every shift not caused by input, as Chromium reports them, with the nodes that moved.
RECORD_LAYOUT_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    const moved = (entry.sources || []).map((source) => {
      const node = source.node;
      if (!node) return "?";
      const element = node.nodeType === 1 ? node : node.parentElement;
      const text = (element && element.textContent || "").trim().slice(0, 40);
      const [from, to] = [source.previousRect, source.currentRect].map((r) => `${r.x},${r.y} ${r.width}x${r.height}`);
      return `${element ? element.tagName.toLowerCase() : "#text"} "${text}" ${from} -> ${to}`;
    });
    window.__shifts.push({ value: entry.value, moved });
  }
}).observe({ type: "layout-shift", buffered: true });
"""
# Layout-shift entries of the last frames are delivered after them: wait two frames.
READ_LAYOUT_SHIFTS = """
() => new Promise((resolve) =>
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(window.__shifts), 0))))
"""


def new_drive(base_url: str, context: BrowserContext) -> Account:
    """A new (unconfirmed) account, signed in in the browser `context`, holding a folder and
    20 files."""
    account = register_account(base_url, context)
    with httpx.Client(base_url=base_url, headers=account.headers, timeout=30) as api:
        assert api.post("/api/folders", json={"name": "Projects and other long folder names"}).status_code == 201
        for index, name in enumerate(FILE_NAMES):
            content = f"file {index}\n".encode() * (index + 1)
            uploaded = api.post("/api/files/upload", files={"file": (name, content)})
            assert uploaded.status_code == 201, uploaded.text
    return account


def open_the_drive(page: Page, base_url: str) -> None:
    """The file list, with everything that arrives after the session is restored: the rows,
    the email banner, the usage and the upload limit."""
    open_files(page, base_url)
    expect(page.locator("tr[data-item-id]")).to_have_count(21)
    expect(page.get_by_role("region", name="Email confirmation")).to_be_visible()
    expect(page.get_by_text("files ·")).to_be_visible()
    expect(page.get_by_text("per file.")).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_the_files_page_holds_still_while_the_session_restores(stack, new_context, size):
    context = new_context(viewport=SIZES[size])
    new_drive(stack.url, context)
    with console_checked(context) as page:
        page.add_init_script(RECORD_LAYOUT_SHIFTS)
        open_the_drive(page, stack.url)
        shifts = page.evaluate(READ_LAYOUT_SHIFTS)
    total = sum(shift["value"] for shift in shifts)
    assert total < 0.1, f"layout shift {total:.3f} at {size}: {shifts}"


def assert_last_row_clear_of_the_dock(page: Page) -> None:
    """At the end of the page the last row's actions sit above everything docked at the bottom."""
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last = page.locator("tr[data-item-id]").last
    bottom = (
        last.get_by_role("button", name="Actions for").or_(last.get_by_role("button", name="Delete")).bounding_box()
    )
    docked = (
        page.get_by_test_id("dock")
        .locator("> *")
        .evaluate_all(
            "elements => elements.filter((element) => element.getBoundingClientRect().height > 0)"
            ".map((element) => element.getBoundingClientRect().top)"
        )
    )
    assert bottom is not None
    assert all(bottom["y"] + bottom["height"] <= top for top in docked), (bottom, docked)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES)
def test_pages_fit_and_docked_panels_leave_row_actions_reachable(stack, new_context, tmp_path, artifacts, size, scheme):
    context = new_context(viewport=SIZES[size], color_scheme=scheme)
    account = new_drive(stack.url, context)
    with console_checked(context) as page:
        open_the_drive(page, stack.url)
        page.screenshot(path=artifacts / f"layout-files-{size}-{scheme}.png", full_page=True)

        # An upload's panel and an Undo toast, docked together, with the list scrolled to its end.
        upload = tmp_path / "fresh upload with a long name.txt"
        upload.write_text("fresh")
        page.get_by_label("Choose files").set_input_files(str(upload))
        expect(page.locator("tr[data-item-id]")).to_have_count(22, timeout=UPLOAD_TIMEOUT_MS)
        row = page.locator("tr[data-item-id]").filter(has_text="budget.csv")
        if size == "phone":
            row.get_by_role("button", name="Actions for budget.csv").click()
            page.get_by_role("menuitem", name="Delete").click()
        else:
            row.get_by_role("button", name="Delete budget.csv").click()
        expect(page.get_by_role("button", name="Undo")).to_be_visible()
        assert_last_row_clear_of_the_dock(page)
        page.screenshot(path=artifacts / f"layout-files-docked-{size}-{scheme}.png", full_page=False)

        with httpx.Client(base_url=stack.url, headers=account.headers, timeout=30) as api:
            listing = api.get("/api/folders/root/children", params={"limit": 50}).json()["items"]
            ids = [item["id"] for item in listing if item["kind"] == "file"][:4]
            assert api.post("/api/items/trash", json={"ids": ids}).status_code == 200
        page.get_by_role("link", name="Trash").click()
        expect(page.get_by_test_id("trash-row")).to_have_count(5)
        expect(page.get_by_text("stay here for 30 days")).to_be_visible()
        page.screenshot(path=artifacts / f"layout-trash-{size}-{scheme}.png", full_page=True)

        page.get_by_role("link", name="Profile").click()
        expect(page.get_by_test_id("device-session")).to_have_count(1)
        page.screenshot(path=artifacts / f"layout-profile-{size}-{scheme}.png", full_page=True)
