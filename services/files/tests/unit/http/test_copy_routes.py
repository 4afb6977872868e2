"""The copy routes' wire shape: a small copy answered like a move, a large one as a copy job to
follow and cancel, and the quota's refusal with its numbers."""

import asyncio

import pytest


@pytest.fixture
def drive_settings(drive_settings):
    return drive_settings.model_copy(update={"copy_job_threshold_files": 3, "quota_bytes": 1500})


async def upload(drive, name, content, parent="root"):
    response = await drive.client.post(
        "/api/v1/files/upload", params={"parentId": parent}, files={"file": (name, content, "text/plain")}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def folder(drive, name, files, size=10):
    response = await drive.client.post("/api/v1/folders", json={"name": name})
    assert response.status_code == 201, response.text
    created = response.json()
    for number in range(files):
        await upload(drive, f"f{number}.txt", b"x" * size, created["id"])
    return created


async def test_a_small_copy_answers_the_copies_and_a_taken_name_in_failed(drive):
    note = await upload(drive, "note.txt", b"hello")
    response = await drive.client.post("/api/v1/items/copy", json={"ids": [note["id"]]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["items"], body["remaining"]) == ([], [])
    assert body["failed"][0]["id"] == note["id"] and body["failed"][0]["code"] == "name_taken"

    renamed = await drive.client.post("/api/v1/items/copy", json={"ids": [note["id"]], "onConflict": "rename"})
    assert [item["name"] for item in renamed.json()["items"]] == ["note (1).txt"]


async def test_a_large_copy_is_a_job_to_follow_until_done(drive):
    source = await folder(drive, "Source", 4)
    response = await drive.client.post("/api/v1/items/copy", json={"ids": [source["id"]], "onConflict": "rename"})
    assert response.status_code == 202, response.text
    job = response.json()
    assert (job["state"], job["filesTotal"], job["bytesTotal"]) == ("running", 4, 40)

    async with asyncio.timeout(10):
        while job["state"] == "running":
            await asyncio.sleep(0.01)
            read = await drive.client.get(f"/api/v1/items/copy-jobs/{job['id']}")
            assert read.status_code == 200, read.text
            job = read.json()
    assert (job["state"], job["filesCopied"], job["bytesCopied"]) == ("done", 4, 40)
    assert [item["name"] for item in job["items"]] == ["Source (1)"]

    cancelled = await drive.client.delete(f"/api/v1/items/copy-jobs/{job['id']}")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "done"
    other = await drive.client.get(f"/api/v1/items/copy-jobs/{job['id']}", headers=drive.bob)
    assert other.status_code == 404 and other.json()["error"]["code"] == "copy_job_not_found"


async def test_a_copy_over_the_quota_is_507_with_the_numbers(drive):
    big = await upload(drive, "big.bin", b"x" * 800)
    response = await drive.client.post("/api/v1/items/copy", json={"ids": [big["id"]], "onConflict": "rename"})
    assert response.status_code == 507
    error = response.json()["error"]
    assert (error["code"], error["details"]) == ("quota_exceeded", {"used": 800, "quota": 1500, "size": 800})
