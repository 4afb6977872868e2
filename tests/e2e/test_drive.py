"""The drive in a real browser, through the gateway, against the real stack: folders and their
URLs, uploads into them (a dropped desktop folder too), rename, move, search, ZIP downloads,
the trash, previews, the keyboard, dark mode, and axe-core on every new page and dialog.

A fresh account per test keeps them independent, so any one can run alone with `-k`.
"""

import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import row, upload

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE = (ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js").read_text()
# A 1x1 PNG and the smallest PDF viewers accept.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5d2e0a30000000049454e44ae426082"
)
PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


def assert_accessible(page: Page, where: str) -> None:
    """axe-core, evaluated through the DevTools protocol (the page's CSP rightly refuses inline
    scripts), must find no violation in what is on screen."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    violations = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
            .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)"""
    )
    assert violations == [], f"axe violations on {where}: {violations}"


def new_folder(page: Page, name: str) -> None:
    page.get_by_role("button", name="New folder").click()
    dialog = page.get_by_role("dialog", name="New folder")
    dialog.get_by_label("Folder name").fill(name)
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()


def open_folder(page: Page, name: str) -> str:
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    return page.url.rsplit("/", 1)[-1]


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_nested_folders_have_urls_breadcrumbs_and_take_uploads(stack, signed_in, tmp_path, artifacts):
    page = signed_in.page
    assert_accessible(page, "the empty root folder")
    page.get_by_role("button", name="New folder").click()
    assert_accessible(page, "the new folder dialog")
    page.keyboard.press("Escape")
    new_folder(page, "Projects")
    projects_id = open_folder(page, "Projects")
    new_folder(page, "2024")
    open_folder(page, "2024")
    expect(page).to_have_title("Files · 2024 — SCloud")
    upload(page, write(tmp_path, "plan.txt", "the plan\n"), into="2024")
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.get_by_role("link")).to_have_text(["My files", "Projects"])
    expect(crumbs.locator("[aria-current=page]")).to_have_text("2024")
    assert_accessible(page, "a folder with a file and the upload panel")
    page.screenshot(path=artifacts / "drive-01-nested-folder.png", full_page=True)

    crumbs.get_by_role("link", name="Projects").click()
    expect(page).to_have_url(re.compile(f"/files/{projects_id}$"))
    page.reload()
    expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
    page.go_back()
    expect(row(page, "plan.txt")).to_be_visible()
    page.goto(f"{stack.url}/files/{projects_id}")
    expect(row(page, "2024")).to_be_visible()

    open_folder(page, "2024")
    row(page, "plan.txt").drag_to(crumbs.get_by_role("link", name="Projects"))
    expect(row(page, "plan.txt")).to_have_count(0)
    crumbs.get_by_role("link", name="Projects").click()
    expect(row(page, "plan.txt")).to_be_visible()


def test_a_dropped_desktop_folder_is_recreated_with_its_files(signed_in):
    page = signed_in.page
    # Chromium cannot be handed a real desktop folder: the drop carries entries as the File and
    # Directory Entries API describes them, which is what the page reads.
    page.evaluate(
        """() => {
            const file = (name, text) => ({ name, isFile: true, isDirectory: false,
                file: (ok) => ok(new File([text], name, { type: "text/plain" })) });
            const dir = (name, children) => ({ name, isFile: false, isDirectory: true,
                createReader: () => { let left = [...children];
                    return { readEntries: (ok) => { const batch = left; left = []; ok(batch); } }; } });
            const tree = dir("Holiday", [file("day1.txt", "sun"), dir("Photos", [file("beach.txt", "sand")])]);
            const transfer = { types: ["Files"], files: [], dropEffect: "copy",
                items: [{ kind: "file", webkitGetAsEntry: () => tree }] };
            const zone = document.querySelector('[data-testid="upload-dropzone"]');
            for (const type of ["dragenter", "dragover", "drop"]) {
                const event = new Event(type, { bubbles: true, cancelable: true });
                Object.defineProperty(event, "dataTransfer", { value: transfer });
                zone.dispatchEvent(event);
            }
        }"""
    )
    expect(row(page, "Holiday")).to_be_visible(timeout=30_000)
    open_folder(page, "Holiday")
    expect(row(page, "day1.txt")).to_be_visible(timeout=30_000)
    open_folder(page, "Photos")
    expect(row(page, "beach.txt")).to_be_visible(timeout=30_000)


def test_rename_move_by_dialog_and_by_drag_then_search_finds_them_with_their_folder(signed_in, tmp_path):
    page = signed_in.page
    new_folder(page, "Archive")
    new_folder(page, "Inbox")
    upload(page, write(tmp_path, "draft.txt", "draft"), write(tmp_path, "memo.txt", "memo"))

    page.get_by_role("button", name="Rename draft.txt").click()
    dialog = page.get_by_role("dialog", name="Rename draft.txt")
    assert_accessible(page, "the rename dialog")
    dialog.get_by_label("New name").fill("Final report.txt")
    dialog.get_by_role("button", name="Rename").click()
    expect(row(page, "Final report.txt")).to_be_visible()

    page.get_by_role("checkbox", name="Select Final report.txt").check()
    page.get_by_role("toolbar", name="Selection").get_by_role("button", name="Move to…").click()
    dialog = page.get_by_role("dialog", name="Move Final report.txt to…")
    dialog.get_by_role("button", name="Archive").click()
    expect(dialog.get_by_text("Destination: Archive")).to_be_visible()
    assert_accessible(page, "the move dialog")
    dialog.get_by_role("button", name="Move here").click()
    expect(row(page, "Final report.txt")).to_have_count(0)
    # The selection toolbar that opened the dialog is gone: focus lands on the first row.
    expect(page.locator("tbody [data-focus-target]").first).to_be_focused()

    row(page, "memo.txt").drag_to(row(page, "Inbox"))
    expect(row(page, "memo.txt")).to_have_count(0)

    page.keyboard.press("/")
    search = page.get_by_role("searchbox", name="Search your files")
    expect(search).to_be_focused()
    search.fill("REPORT")
    search.press("Enter")
    expect(page).to_have_title("Search · REPORT — SCloud")
    expect(row(page, "Final report.txt")).to_contain_text("My files / Archive")
    assert_accessible(page, "the search results")
    search.fill("memo")
    search.press("Enter")
    expect(row(page, "memo.txt")).to_contain_text("My files / Inbox")


def test_several_items_download_as_one_zip_with_their_bytes(signed_in, tmp_path):
    page = signed_in.page
    new_folder(page, "Docs")
    open_folder(page, "Docs")
    upload(page, write(tmp_path, "inner.txt", "inside the folder\n"), into="Docs")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="My files").click()
    # Right after the click the Docs page, and its upload button, are still on screen: a file
    # chosen there goes nowhere once that page is replaced (see `upload`). Wait for the root.
    expect(row(page, "Docs")).to_be_visible()
    photo = write(tmp_path, "pixel.png", PNG)
    upload(page, photo)

    page.get_by_role("checkbox", name="Select all").check()
    expect(page.get_by_role("toolbar", name="Selection")).to_contain_text("2 selected")
    with page.expect_download() as download_info:
        page.get_by_role("toolbar", name="Selection").get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    contents = {info.filename: archive.read(info.filename) for info in archive.infolist() if not info.is_dir()}
    assert contents == {"Docs/inner.txt": b"inside the folder\n", "pixel.png": PNG}


def test_delete_with_undo_then_restore_and_delete_forever_from_the_trash(signed_in, tmp_path):
    page = signed_in.page
    upload(page, write(tmp_path, "keep.txt", "keep"), write(tmp_path, "gone.txt", "gone"))

    page.get_by_role("button", name="Delete keep.txt").click()
    expect(row(page, "keep.txt")).to_have_count(0)
    page.get_by_test_id("toast").filter(has_text="keep.txt moved to the trash").get_by_role(
        "button", name="Undo"
    ).click()
    expect(row(page, "keep.txt")).to_be_visible()

    page.get_by_role("button", name="Delete keep.txt").click()
    page.get_by_role("button", name="Delete gone.txt").click()
    expect(page.get_by_test_id("file-row")).to_have_count(0)

    page.get_by_role("link", name="Trash").click()
    expect(page).to_have_title("Trash — SCloud")
    trash_rows = page.get_by_test_id("trash-row")
    expect(trash_rows).to_have_count(2)
    expect(trash_rows.first).to_contain_text("My files")
    assert_accessible(page, "the trash")
    page.get_by_role("button", name="Restore keep.txt").click()
    expect(trash_rows).to_have_count(1)

    page.get_by_role("button", name="Delete forever gone.txt").click()
    dialog = page.get_by_role("dialog", name="Delete gone.txt forever?")
    assert_accessible(page, "the delete forever dialog")
    dialog.get_by_role("button", name="Delete forever").click()
    expect(page.get_by_text("The trash is empty")).to_be_visible()

    page.get_by_role("link", name="Files").click()
    expect(row(page, "keep.txt")).to_be_visible()
    expect(row(page, "gone.txt")).to_have_count(0)


def test_previews_of_an_image_a_pdf_and_a_text_file(signed_in, tmp_path):
    page = signed_in.page
    upload(
        page,
        write(tmp_path, "a-pixel.png", PNG),
        write(tmp_path, "b-paper.pdf", PDF),
        write(tmp_path, "c-readme.md", "# Hello\n\nplain words\n"),
    )
    page.get_by_role("button", name="a-pixel.png", exact=True).click()
    dialog = page.get_by_role("dialog", name="a-pixel.png")
    image = dialog.get_by_role("img", name="a-pixel.png")
    expect(image).to_be_visible()
    page.wait_for_function("() => document.querySelector('dialog img')?.naturalWidth === 1")
    expect(dialog.get_by_text("Image (PNG)")).to_be_visible()
    assert_accessible(page, "the image preview")

    page.keyboard.press("ArrowRight")
    dialog = page.get_by_role("dialog", name="b-paper.pdf")
    frame = dialog.locator("iframe[title='Preview of b-paper.pdf']")
    expect(frame).to_be_visible()
    pdf_url = frame.get_attribute("src")
    response = page.request.get(pdf_url)
    assert response.ok and response.headers["content-type"].startswith("application/pdf")

    page.keyboard.press("ArrowRight")
    dialog = page.get_by_role("dialog", name="c-readme.md")
    # Markdown is rendered (sanitised), not shown as its source.
    document = dialog.get_by_role("document", name="Preview of c-readme.md")
    expect(document.get_by_role("heading", name="Hello")).to_be_visible()
    expect(document).to_contain_text("plain words")
    expect(document).not_to_contain_text("# Hello")

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("button", name="a-pixel.png", exact=True)).to_be_focused()


def test_keyboard_only_rename_and_delete(signed_in, tmp_path):
    page = signed_in.page
    upload(page, write(tmp_path, "alpha.txt", "a"), write(tmp_path, "beta.txt", "b"))
    page.get_by_role("button", name="alpha.txt", exact=True).focus()
    page.keyboard.press("F2")
    field = page.get_by_role("dialog", name="Rename alpha.txt").get_by_label("New name")
    expect(field).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("first.txt")
    page.keyboard.press("Enter")
    expect(row(page, "first.txt")).to_be_visible()
    expect(page.get_by_role("button", name="first.txt", exact=True)).to_be_focused()

    page.keyboard.press("Delete")
    expect(row(page, "first.txt")).to_have_count(0)
    expect(page.get_by_role("button", name="beta.txt", exact=True)).to_be_focused()
    page.keyboard.press("Delete")
    expect(page.get_by_text("No files yet")).to_be_visible()
    expect(page.get_by_role("heading", name="Your files")).to_be_focused()


def test_dark_mode_follows_the_system(signed_in, tmp_path, artifacts):
    page = signed_in.page
    page.emulate_media(color_scheme="dark")
    new_folder(page, "Music")
    upload(page, write(tmp_path, "notes.txt", "la la la"))
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background not in ("rgb(248, 250, 252)", "rgb(255, 255, 255)"), background
    assert_accessible(page, "the folder page in dark mode")
    page.screenshot(path=artifacts / "drive-02-dark-mode.png", full_page=True)
    page.get_by_role("link", name="Trash").click()
    assert_accessible(page, "the trash in dark mode")


def test_an_upload_whose_name_is_taken_asks_replace_or_keep_both(signed_in, tmp_path):
    page = signed_in.page
    first = tmp_path / "first"
    first.mkdir()
    upload(page, write(first, "report.txt", "version one"))
    second = tmp_path / "second"
    second.mkdir()
    again = write(second, "report.txt", "version two")

    page.get_by_label("Choose files").set_input_files(str(again))
    dialog = page.get_by_role("dialog", name="report.txt already exists")
    expect(dialog).to_be_visible(timeout=30_000)
    assert_accessible(page, "the name conflict dialog")
    dialog.get_by_role("button", name="Keep both").click()
    expect(row(page, "report (1).txt")).to_be_visible(timeout=30_000)

    page.get_by_label("Choose files").set_input_files(str(again))
    page.get_by_role("dialog", name="report.txt already exists").get_by_role("button", name="Replace").click()
    expect(page.get_by_test_id("upload-card").filter(has_text="report.txt").last).to_contain_text("Uploaded")
    expect(page.get_by_test_id("file-row")).to_have_count(2)

    # Replacing made a new version of the same file: the old text is its earlier version, which
    # "Restore" brings back as the newest one; nothing went to the trash.
    page.get_by_role("button", name="report.txt", exact=True).click()
    preview = page.get_by_role("dialog", name="report.txt")
    shown = preview.frame_locator("iframe[title='Preview of report.txt']").locator("body")
    expect(shown).to_contain_text("version two")
    preview.get_by_role("button", name="Versions").click()
    versions = preview.get_by_role("list", name="Versions").get_by_role("listitem")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("Current")
    assert_accessible(page, "the versions panel")
    versions.last.get_by_role("button", name=re.compile("^Restore the version")).click()
    expect(versions).to_have_count(3)
    expect(shown).to_contain_text("version one")
    preview.get_by_role("button", name="Close").click()

    # Both changes, the replacement and the restore, are in the activity feed.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    expect(page.get_by_text("You uploaded a new version of report.txt", exact=True)).to_have_count(2)

    page.get_by_role("link", name="Trash").click()
    expect(page.get_by_text("The trash is empty")).to_be_visible()


def test_thirty_dropped_small_files_go_in_one_batch_straight_to_storage(signed_in):
    page = signed_in.page
    calls: list[str] = []
    page.on("request", lambda request: calls.append(f"{request.method} {request.url}"))
    page.evaluate(
        """() => {
            // Loose files (no folder among them): the page takes the drop's file list.
            const name = (n) => `note-${String(n).padStart(2, "0")}.txt`;
            const files = Array.from({ length: 30 }, (_, n) =>
                new File([`note ${n} `.repeat(n + 1)], name(n), { type: "text/plain" }));
            const transfer = { types: ["Files"], files, dropEffect: "copy", items: [] };
            const zone = document.querySelector('[data-testid="upload-dropzone"]');
            for (const type of ["dragenter", "dragover", "drop"]) {
                const event = new Event(type, { bubbles: true, cancelable: true });
                Object.defineProperty(event, "dataTransfer", { value: transfer });
                zone.dispatchEvent(event);
            }
        }"""
    )
    expect(page.get_by_test_id("file-row")).to_have_count(30, timeout=60_000)
    expect(row(page, "note-29.txt")).to_be_visible()
    api = [call for call in calls if "/api/" in call]
    created = [call for call in api if call.startswith("POST") and call.endswith("/api/v1/uploads/batches")]
    completed = [call for call in api if re.search(r"^POST .*/api/v1/uploads/batches/[^/]+/complete$", call)]
    assert (len(created), len(completed)) == (1, 1), api
    assert not [call for call in api if "/api/v1/files/upload" in call]
    # Each file's bytes went to storage in a PUT of its own, not through the API.
    assert len([call for call in calls if call.startswith("PUT") and "/api/" not in call]) == 30
