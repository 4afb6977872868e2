"""The activity feed and Recent over HTTP: camelCase events in pages, filters by item and by
folder, clear refusals, and Recent without the trashed files."""


async def upload(client, name, parent="root"):
    response = await client.post(
        "/api/v1/files/upload", params={"parentId": parent}, files={"file": (name, b"hello", "text/plain")}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def mkdir(client, name, parent="root"):
    response = await client.post("/api/v1/folders", json={"name": name, "parentId": parent})
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_rename_shows_in_the_feed_as_camel_case_json(drive):
    client = drive.client
    docs = await mkdir(client, "Docs")
    file = await upload(client, "a.txt", docs["id"])
    assert (await client.patch(f"/api/v1/files/{file['id']}", json={"name": "b.txt"})).status_code == 200
    response = await client.get("/api/v1/files/activity", params={"itemId": file["id"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["nextCursor"] is None
    renamed = next(event for event in body["events"] if event["action"] == "rename")
    assert renamed["nameBefore"] == "a.txt" and renamed["nameAfter"] == "b.txt"
    assert renamed["pathBefore"] == "/Docs" and renamed["pathAfter"] == "/Docs"
    assert renamed["actorId"] == "alice" and renamed["itemKind"] == "file"


async def test_the_feed_pages_and_filters_by_folder(drive):
    client = drive.client
    folder = await mkdir(client, "Folder")
    for number in range(3):
        await upload(client, f"{number}.txt", folder["id"])
    await upload(client, "outside.txt")
    seen, cursor = [], None
    while True:
        params = {"folderId": folder["id"], "limit": 2} | ({"cursor": cursor} if cursor else {})
        body = (await client.get("/api/v1/files/activity", params=params)).json()
        seen += [event["nameAfter"] for event in body["events"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert sorted(seen) == ["0.txt", "1.txt", "2.txt"]


async def test_bad_filters_and_cursors_are_clear_errors(drive):
    client = drive.client
    file = await upload(client, "a.txt")
    both = await client.get("/api/v1/files/activity", params={"itemId": file["id"], "folderId": file["id"]})
    assert both.status_code == 422 and both.json()["error"]["code"] == "invalid_activity_filter"
    unknown = await client.get("/api/v1/files/activity", params={"itemId": "nope"})
    assert unknown.status_code == 404
    cursor = await client.get("/api/v1/files/activity", params={"cursor": "garbage"})
    assert cursor.status_code == 422 and cursor.json()["error"]["code"] == "invalid_cursor"


async def test_opening_a_file_puts_it_first_in_recent_and_trashing_takes_it_out(drive):
    client = drive.client
    first = await upload(client, "first.txt")
    await upload(client, "second.txt")
    assert (await client.get(f"/api/v1/files/{first['id']}/download")).status_code == 200
    body = (await client.get("/api/v1/files/recent")).json()
    assert [item["name"] for item in body["items"]][:1] == ["first.txt"]
    assert body["items"][0]["touchedAt"]
    assert (await client.delete(f"/api/v1/files/{first['id']}")).status_code == 204
    names = [item["name"] for item in (await client.get("/api/v1/files/recent")).json()["items"]]
    assert names == ["second.txt"]
