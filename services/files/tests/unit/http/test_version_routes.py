"""The versions routes on the in-memory fakes: an upload with `onConflict=replace` over a file
makes a version, listed, downloaded and restored through /api/v1; bad ids are clear 4xx."""


async def upload(client, content: bytes, on_conflict="replace"):
    response = await client.post(
        f"/api/v1/files/upload?parentId=root&onConflict={on_conflict}",
        files={"file": ("notes.txt", content, "text/plain")},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_replacing_a_file_lists_its_versions_and_restores_the_first(drive):
    client = drive.client
    first = await upload(client, b"one")
    second = await upload(client, b"two!")
    assert second["id"] == first["id"] and second["size"] == 4
    listed = await client.get(f"/api/v1/files/{first['id']}/versions")
    assert listed.status_code == 200, listed.text
    versions = listed.json()["items"]
    assert [(v["current"], v["size"], v["expiresAt"] is None) for v in versions] == [
        (True, 4, True),
        (False, 3, False),
    ]
    link = await client.get(f"/api/v1/files/{first['id']}/versions/{versions[1]['id']}/download")
    assert link.status_code == 200 and "notes.txt" in link.json()["url"]
    restored = await client.post(f"/api/v1/files/{first['id']}/versions/{versions[1]['id']}/restore")
    assert restored.status_code == 200, restored.text
    assert (restored.json()["id"], restored.json()["size"]) == (first["id"], 3)
    again = (await client.get(f"/api/v1/files/{first['id']}/versions")).json()["items"]
    assert [v["size"] for v in again] == [3, 4, 3]


async def test_unknown_files_and_versions_are_clear_404s_and_bad_ids_422(drive):
    client = drive.client
    file = await upload(client, b"one")
    unknown = "01JAAAAAAAAAAAAAAAAAAAAAAA"
    missing_version = await client.get(f"/api/v1/files/{file['id']}/versions/{unknown}/download")
    assert (missing_version.status_code, missing_version.json()["error"]["code"]) == (404, "version_not_found")
    restore_missing = await client.post(f"/api/v1/files/{file['id']}/versions/{unknown}/restore")
    assert restore_missing.status_code == 404
    assert (await client.get(f"/api/v1/files/{unknown}/versions")).status_code == 404
    assert (await client.get(f"/api/v1/files/{file['id']}/versions/not-an-id/download")).status_code in (404, 422)
    # Another user's file is as absent as a missing one.
    assert (await drive.client.get(f"/api/v1/files/{file['id']}/versions", headers=drive.bob)).status_code == 404
