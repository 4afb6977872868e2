"""A trashed folder hides everything below it on every route that takes an id or lists across
folders, not only in folder listings: its files cannot be read, downloaded, previewed, listed
flat or archived, until the folder is restored."""

import io
import zipfile

import pytest


async def upload(client, name, parent, content=b"hello"):
    response = await client.post(
        "/api/files/upload", params={"parentId": parent}, files={"file": (name, content, "text/plain")}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def mkdir(client, name, parent="root"):
    response = await client.post("/api/folders", json={"name": name, "parentId": parent})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def trashed_tree(drive):
    """Top/ (trashed) holding a.txt and Inner/ holding b.md; loose.txt beside it in the root."""
    client = drive.client
    top = await mkdir(client, "Top")
    inner = await mkdir(client, "Inner", top["id"])
    files = [await upload(client, "a.txt", top["id"]), await upload(client, "b.md", inner["id"])]
    loose = await upload(client, "loose.txt", "root")
    link_before = (await client.post("/api/files/archive", json={"ids": [inner["id"], loose["id"]]})).json()["url"]
    assert (await client.delete(f"/api/folders/{top['id']}")).status_code == 204
    return {"top": top, "inner": inner, "files": files, "loose": loose, "link_before": link_before}


def not_found(response):
    assert response.status_code == 404, response.text
    return response.json()["error"]["code"]


@pytest.mark.parametrize(
    "route",
    ["/api/files/{id}", "/api/files/{id}/download", "/api/files/{id}/download?disposition=inline&as=text"],
)
async def test_files_in_a_trashed_folder_cannot_be_read_downloaded_or_previewed(drive, trashed_tree, route):
    for file in trashed_tree["files"]:
        assert not_found(await drive.client.get(route.format(id=file["id"]))) == "file_not_found"
    assert (await drive.client.get(route.format(id=trashed_tree["loose"]["id"]))).status_code == 200


async def test_the_flat_listing_leaves_out_files_in_a_trashed_folder(drive, trashed_tree):
    listed = (await drive.client.get("/api/files")).json()
    assert [item["name"] for item in listed["items"]] == ["loose.txt"]


async def test_no_archive_of_what_a_trashed_folder_holds(drive, trashed_tree):
    for item_id in (trashed_tree["inner"]["id"], trashed_tree["files"][1]["id"]):
        response = await drive.client.post("/api/files/archive", json={"ids": [item_id]})
        assert not_found(response) == "item_not_found"
    # A link made before the folder was trashed no longer includes it.
    response = await drive.client.get(trashed_tree["link_before"])
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["loose.txt"]


async def test_restoring_the_folder_shows_its_files_again(drive, trashed_tree):
    restored = await drive.client.post("/api/trash/restore", json={"ids": [trashed_tree["top"]["id"]]})
    assert restored.status_code == 200, restored.text
    for file in trashed_tree["files"]:
        assert (await drive.client.get(f"/api/files/{file['id']}")).status_code == 200
