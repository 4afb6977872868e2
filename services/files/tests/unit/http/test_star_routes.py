"""Starred over HTTP on the fakes: star and unstar (idempotent, 404 for what is not the user's or
is trashed), Starred's page with paths, and the `starred` mark on listings, search and item
reads."""


async def _folder(client, name, parent="root"):
    response = await client.post("/api/v1/folders", json={"name": name, "parentId": parent})
    assert response.status_code == 201
    return response.json()["id"]


async def _file(client, name, parent="root", headers=None):
    response = await client.post(
        "/api/v1/files/upload",
        params={"parentId": parent},
        files={"file": (name, b"hi", "text/plain")},
        headers=headers,
    )
    assert response.status_code == 201
    return response.json()["id"]


async def test_a_starred_folder_is_listed_under_starred_and_marked_everywhere(drive):
    client = drive.client
    folder = await _folder(client, "Holiday")
    photo = await _file(client, "photo.txt", folder)
    assert (await client.put(f"/api/v1/files/starred/{folder}")).status_code == 204
    assert (await client.put(f"/api/v1/files/starred/{photo}")).status_code == 204
    assert (await client.put(f"/api/v1/files/starred/{folder}")).status_code == 204

    page = (await client.get("/api/v1/files/starred")).json()
    assert [(item["name"], item["starred"]) for item in page["items"]] == [("photo.txt", True), ("Holiday", True)]
    assert page["items"][0]["path"] == [{"id": folder, "name": "Holiday"}]
    assert page["nextCursor"] is None

    root = (await client.get("/api/v1/folders/root/children")).json()
    assert [item["starred"] for item in root["items"]] == [True]
    found = (await client.get("/api/v1/search", params={"q": "photo"})).json()
    assert [item["starred"] for item in found["items"]] == [True]
    assert (await client.get(f"/api/v1/folders/{folder}")).json()["starred"] is True
    assert (await client.get(f"/api/v1/files/{photo}")).json()["starred"] is True

    assert (await client.delete(f"/api/v1/files/starred/{folder}")).status_code == 204
    assert (await client.delete(f"/api/v1/files/starred/{folder}")).status_code == 204
    assert [item["name"] for item in (await client.get("/api/v1/files/starred")).json()["items"]] == ["photo.txt"]
    assert (await client.get(f"/api/v1/folders/{folder}")).json()["starred"] is False


async def test_starred_pages_with_a_cursor(drive):
    client = drive.client
    for name in ("a.txt", "b.txt", "c.txt"):
        assert (await client.put(f"/api/v1/files/starred/{await _file(client, name)}")).status_code == 204
    first = (await client.get("/api/v1/files/starred", params={"limit": 2})).json()
    rest = (await client.get("/api/v1/files/starred", params={"limit": 2, "cursor": first["nextCursor"]})).json()
    names = [item["name"] for item in first["items"] + rest["items"]]
    assert sorted(names) == ["a.txt", "b.txt", "c.txt"]
    assert rest["nextCursor"] is None
    refused = await client.get("/api/v1/files/starred", params={"cursor": "nonsense"})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_cursor"


async def test_another_users_or_a_trashed_item_is_not_found(drive):
    client = drive.client
    theirs = await _file(client, "theirs.txt", headers=drive.bob)
    trashed = await _file(client, "old.txt")
    assert (await client.delete(f"/api/v1/files/{trashed}")).status_code == 204
    for item_id in (theirs, trashed):
        for method in (client.put, client.delete):
            response = await method(f"/api/v1/files/starred/{item_id}")
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "item_not_found"
    assert (await client.get("/api/v1/files/starred", headers=drive.bob)).json()["items"] == []
