"""Copy in a real browser against the real stack: a folder of 50 files, made through the API, is
copied with "Copy to…" into another folder as a copy job (the e2e stack's job threshold is 20
files), and the copy's ZIP holds the same members with the same bytes as the original's."""

import io
import os
import zipfile

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_files, row

pytestmark = pytest.mark.e2e

FILES = 50
# A copy of 50 small files inside SeaweedFS, on a loaded 2-core machine.
COPY_TIMEOUT_MS = 60_000


def create_folder(api: httpx.Client, name: str, parent_id: str | None = None) -> str:
    response = api.post("/api/v1/folders", json={"name": name, "parentId": parent_id})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def zip_members(api: httpx.Client, folder_id: str) -> dict[str, bytes]:
    """The folder's ZIP, as `POST /files/archive` links it, by member name below its top folder."""
    link = api.post("/api/v1/files/archive", json={"ids": [folder_id]})
    assert link.status_code == 200, link.text
    download = api.get(link.json()["url"])
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        return {
            info.filename.split("/", 1)[1]: archive.read(info.filename)
            for info in archive.infolist()
            if not info.is_dir()
        }


def test_a_folder_of_50_files_copied_in_the_page_zips_like_the_original(stack, signed_in, artifacts):
    page = signed_in.page
    with httpx.Client(base_url=stack.url, headers=signed_in.account.headers, timeout=30) as api:
        source_id = create_folder(api, "Reports")
        create_folder(api, "Archive")
        nested_id = create_folder(api, "2024", source_id)
        for index in range(FILES):
            parent_id = nested_id if index % 5 == 0 else source_id
            uploaded = api.post(
                "/api/v1/files/upload",
                params={"parentId": parent_id},
                files={"file": (f"report-{index:02}.bin", os.urandom(100 + index))},
            )
            assert uploaded.status_code == 201, uploaded.text

        open_files(page, stack.url)
        row(page, "Reports").get_by_role("button", name="Copy Reports to…").click()
        dialog = page.get_by_role("dialog", name="Copy Reports to…")
        dialog.get_by_role("button", name="Archive", exact=True).click()
        expect(dialog.get_by_text("Destination: Archive")).to_be_visible()
        with page.expect_response(lambda response: response.url.endswith("/api/v1/items/copy")) as started:
            dialog.get_by_role("button", name="Copy here").click()
        assert started.value.status == 202, started.value.text()
        expect(dialog).to_have_count(0)
        page.screenshot(path=artifacts / "copy-01-job-started.png", full_page=True)
        expect(page.get_by_test_id("toast").filter(has_text="Copied Reports")).to_be_visible(timeout=COPY_TIMEOUT_MS)
        expect(page.get_by_role("button", name="Cancel copy")).to_have_count(0)

        page.get_by_role("link", name="Archive", exact=True).click()
        expect(row(page, "Reports")).to_be_visible()
        archive_id = page.url.rsplit("/", 1)[-1]
        children = api.get(f"/api/v1/folders/{archive_id}/children").json()["items"]
        (copy,) = [child for child in children if child["name"] == "Reports"]
        assert copy["id"] != source_id

        original = zip_members(api, source_id)
        assert len(original) == FILES
        assert zip_members(api, copy["id"]) == original
