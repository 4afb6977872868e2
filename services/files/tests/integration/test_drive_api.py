"""Every drive route of the real app, served by uvicorn, against moto server: folders, listing
in each order across pages, rename and move, search, trash and restore, deletion forever, ZIP
archives and text previews, with every refusal (conflict, cycle, other users' ids)."""

import io
import time
import zipfile

import httpx
import pytest

from scloud_files.bootstrap import object_keys

pytestmark = pytest.mark.integration

MISSING = "01JAAAAAAAAAAAAAAAAAAAAAAA"


def mkdir(client, name, parent=None, **extra):
    response = client.post("/api/folders", json={"name": name, "parentId": parent, **extra})
    assert response.status_code in (200, 201), response.text
    return response.json()


def upload(client, name, parent="root", content=b"hi", on_conflict="fail", content_type="text/plain"):
    return client.post(
        "/api/files/upload",
        params={"parentId": parent, "onConflict": on_conflict},
        files={"file": (name, content, content_type)},
    )


def names(client, folder, **params):
    listed, cursor = [], None
    while True:
        page = client.get(
            f"/api/folders/{folder}/children", params={**params, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200, page.text
        listed += [item["name"] for item in page.json()["items"]]
        if not (cursor := page.json()["nextCursor"]):
            return listed


def error(response, status, code):
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    return response.json()["error"]


def test_folders_list_folders_first_in_every_order_across_pages(client):
    projects = mkdir(client, "Projects")
    for name in ("beta", "Alpha"):
        mkdir(client, name, projects["id"])
    for name, size in (("file10.txt", 5), ("file2.txt", 50), ("File1.txt", 500)):
        assert upload(client, name, projects["id"], b"x" * size).status_code == 201
    assert names(client, projects["id"], limit=2) == ["Alpha", "beta", "File1.txt", "file2.txt", "file10.txt"]
    assert names(client, projects["id"], limit=1, order="desc") == [
        "beta",
        "Alpha",
        "file10.txt",
        "file2.txt",
        "File1.txt",
    ]
    assert names(client, projects["id"], sort="size", order="desc", limit=2) == [
        "beta",
        "Alpha",
        "File1.txt",
        "file2.txt",
        "file10.txt",
    ]
    assert names(client, projects["id"], sort="modified", limit=3) == [
        "beta",
        "Alpha",
        "file10.txt",
        "file2.txt",
        "File1.txt",
    ]
    assert names(client, projects["id"], kind="folder") == ["Alpha", "beta"]
    assert names(client, "root") == ["Projects"]
    inner = mkdir(client, "Inner", projects["id"])
    read = client.get(f"/api/folders/{inner['id']}").json()
    assert read["path"] == [{"id": projects["id"], "name": "Projects"}] and read["parentId"] == projects["id"]
    assert client.get("/api/folders/root").json()["path"] == []


def test_listing_refusals(client):
    folder = mkdir(client, "Mine")
    first = client.get(f"/api/folders/{folder['id']}/children", params={"limit": 1})
    error(client.get(f"/api/folders/{folder['id']}/children", params={"cursor": "garbage"}), 422, "invalid_cursor")
    error(client.get("/api/folders/root/children", params={"sort": "colour"}), 422, "validation_error")
    error(client.get("/api/folders/root/children", params={"limit": 201}), 422, "validation_error")
    assert first.json()["nextCursor"] is None
    for folder_id in (folder["id"], MISSING, "not-an-id"):
        error(client.get(f"/api/folders/{folder_id}", headers=client.bob), 404, "folder_not_found")
        error(client.get(f"/api/folders/{folder_id}/children", headers=client.bob), 404, "folder_not_found")
    error(
        client.post("/api/folders", headers=client.bob, json={"name": "x", "parentId": folder["id"]}),
        404,
        "folder_not_found",
    )


def test_name_conflicts_on_create_upload_rename_and_move(client):
    folder = mkdir(client, "Photos")
    taken = error(client.post("/api/folders", json={"name": "PHOTOS", "parentId": None}), 409, "name_taken")
    assert taken["details"] == {"existingId": folder["id"]}
    assert mkdir(client, "photos", onConflict="rename")["name"] == "photos (1)"
    merged = client.post("/api/folders", json={"name": "photos", "parentId": "root", "onConflict": "merge"})
    assert merged.status_code == 200 and merged.json()["id"] == folder["id"]
    report = upload(client, "report.pdf", folder["id"]).json()
    error(upload(client, "Report.PDF", folder["id"]), 409, "name_taken")
    assert upload(client, "report.pdf", folder["id"], on_conflict="rename").json()["name"] == "report (1).pdf"
    replaced = upload(client, "report.pdf", folder["id"], b"new", on_conflict="replace").json()
    # A replacement is the same file's new version, not a trashed twin.
    assert replaced["id"] == report["id"] and client.get("/api/trash").json()["items"] == []
    error(client.patch(f"/api/files/{replaced['id']}", json={"name": "REPORT (1).pdf"}), 409, "name_taken")
    other = upload(client, "report.pdf").json()
    error(client.patch(f"/api/files/{other['id']}", json={"parentId": folder["id"]}), 409, "name_taken")
    moved = client.post(
        "/api/items/move", json={"ids": [other["id"]], "parentId": folder["id"], "onConflict": "rename"}
    )
    assert moved.json()["items"][0]["name"] == "report (2).pdf"


def test_versions_are_listed_downloaded_and_restored_on_the_real_stores(client):
    first = upload(client, "plan.txt", content=b"first draft").json()
    upload(client, "plan.txt", content=b"second draft!", on_conflict="replace")
    versions = client.get(f"/api/v1/files/{first['id']}/versions").json()["items"]
    assert [(v["current"], v["size"]) for v in versions] == [(True, 13), (False, 11)]
    earlier = client.get(f"/api/v1/files/{first['id']}/versions/{versions[1]['id']}/download").json()
    assert httpx.get(earlier["url"]).content == b"first draft"
    restored = client.post(f"/api/v1/files/{first['id']}/versions/{versions[1]['id']}/restore")
    assert restored.status_code == 200 and restored.json()["size"] == 11
    current = client.get(f"/api/v1/files/{first['id']}/download").json()
    assert httpx.get(current["url"]).content == b"first draft"
    after = client.get(f"/api/v1/files/{first['id']}/versions").json()["items"]
    assert [v["size"] for v in after] == [11, 13, 11]
    assert client.get("/api/v1/files/limits").json()["usedBytes"] >= 11 + 13 + 11


def test_rename_and_move_keep_the_bytes_and_refuse_cycles_and_other_users(client, s3, settings):
    a = mkdir(client, "A")
    b = mkdir(client, "B", a["id"])
    file = upload(client, "notes.txt", b["id"], b"content").json()
    renamed = client.patch(f"/api/files/{file['id']}", json={"name": "todo.txt", "parentId": None})
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["parentId"]) == ("todo.txt", "root")
    assert renamed.json()["modifiedAt"] >= file["modifiedAt"]
    assert (
        s3.get_object(Bucket=settings.s3_bucket, Key=object_keys(settings).file("alice", file["id"]))["Body"].read()
        == b"content"
    )
    error(client.patch(f"/api/folders/{a['id']}", json={"parentId": b["id"]}), 422, "folder_cycle")
    error(client.patch(f"/api/folders/{a['id']}", json={"parentId": a["id"]}), 422, "folder_cycle")
    moved = client.patch(f"/api/folders/{b['id']}", json={"parentId": None, "name": "B2"})
    assert (moved.json()["parentId"], moved.json()["name"]) == ("root", "B2")
    assert client.get(f"/api/folders/{b['id']}").json()["path"] == []
    error(client.patch(f"/api/files/{file['id']}", headers=client.bob, json={"name": "x"}), 404, "file_not_found")
    error(client.patch(f"/api/folders/{a['id']}", headers=client.bob, json={"name": "x"}), 404, "folder_not_found")
    error(client.patch(f"/api/files/{file['id']}", json={"parentId": MISSING}), 404, "folder_not_found")
    bulk = client.post("/api/items/move", json={"ids": [file["id"], MISSING, a["id"]], "parentId": a["id"]}).json()
    assert [item["id"] for item in bulk["items"]] == [file["id"]]
    assert [(entry["id"], entry["code"]) for entry in bulk["failed"]] == [
        (MISSING, "item_not_found"),
        (a["id"], "folder_cycle"),
    ]
    error(
        client.post("/api/items/move", headers=client.bob, json={"ids": [file["id"]], "parentId": a["id"]}),
        404,
        "folder_not_found",
    )


def test_search_ignores_case_and_accents_gives_paths_and_skips_trash(client):
    work = mkdir(client, "Work")
    old = mkdir(client, "Old", work["id"])
    upload(client, "Résumé 2026.pdf", work["id"])
    upload(client, "resume-draft.txt", old["id"])
    upload(client, "other.txt")
    client.post("/api/files/upload", headers=client.bob, files={"file": ("resume.txt", b"b")})
    found = client.get("/api/search", params={"q": "RESUME"}).json()
    assert [(item["name"], [entry["name"] for entry in item["path"]]) for item in found["items"]] == [
        ("resume-draft.txt", ["Work", "Old"]),
        ("Résumé 2026.pdf", ["Work"]),
    ]
    paged = client.get("/api/search", params={"q": "e", "limit": 1, "sort": "size", "order": "desc"}).json()
    assert len(paged["items"]) == 1 and paged["nextCursor"]
    client.delete(f"/api/folders/{old['id']}")
    assert [item["name"] for item in client.get("/api/search", params={"q": "résumé"}).json()["items"]] == [
        "Résumé 2026.pdf"
    ]
    error(client.get("/api/search", params={"q": ""}), 422, "validation_error")
    error(client.get("/api/search", params={"q": "x" * 101}), 422, "validation_error")


def test_trash_restore_conflicts_delete_forever_and_empty(client, s3, settings):
    folder = mkdir(client, "Folder")
    inside = upload(client, "inside.txt", folder["id"], b"12345").json()
    loose = upload(client, "loose.txt", content=b"123").json()
    assert client.delete(f"/api/folders/{folder['id']}").status_code == 204
    error(client.get(f"/api/folders/{folder['id']}/children"), 404, "folder_not_found")
    error(client.delete(f"/api/folders/{folder['id']}"), 404, "folder_not_found")
    error(client.delete(f"/api/files/{inside['id']}"), 404, "file_not_found")
    bulk = client.post("/api/items/trash", json={"ids": [loose["id"], MISSING]}).json()
    assert [item["id"] for item in bulk["items"]] == [loose["id"]] and bulk["failed"][0]["id"] == MISSING
    trash = client.get("/api/trash").json()
    assert [(item["name"], item["path"]) for item in trash["items"]] == [("loose.txt", []), ("Folder", [])]
    assert all(item["trashedAt"] for item in trash["items"])
    assert client.get("/api/trash", params={"limit": 1}).json()["nextCursor"]
    error(client.get("/api/trash", params={"cursor": "nope"}), 422, "invalid_cursor")
    assert client.get("/api/trash", headers=client.bob).json()["items"] == []
    upload(client, "LOOSE.txt")
    restored = client.post("/api/trash/restore", json={"ids": [loose["id"], folder["id"]]}).json()
    assert [item["name"] for item in restored["items"]] == ["Folder"]
    assert [(entry["id"], entry["code"]) for entry in restored["failed"]] == [(loose["id"], "name_taken")]
    assert names(client, folder["id"]) == ["inside.txt"]
    renamed = client.post("/api/trash/restore", json={"ids": [loose["id"]], "onConflict": "rename"}).json()
    assert renamed["items"][0]["name"] == "loose (1).txt"
    others = client.post("/api/trash/restore", headers=client.bob, json={"ids": [loose["id"]]}).json()
    assert others["failed"][0]["code"] == "item_not_found"
    assert client.delete(f"/api/files/{inside['id']}").status_code == 204
    assert client.delete(f"/api/folders/{folder['id']}").status_code == 204
    assert client.post("/api/trash/delete", json={"ids": [inside["id"], loose["id"]]}).json()["failed"] == [
        {"id": loose["id"], "code": "not_in_trash", "message": "This item is not in the trash."}
    ]
    assert client.delete("/api/trash").status_code == 204
    assert client.get("/api/trash").json() == {"items": [], "nextCursor": None}

    def keys():
        return [item["Key"] for item in s3.list_objects_v2(Bucket=settings.s3_bucket).get("Contents", [])]

    # The service's purge task, woken by the deletion, removes the bytes.
    deadline = time.monotonic() + 60
    while object_keys(settings).file("alice", inside["id"]) in keys() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (
        object_keys(settings).file("alice", inside["id"]) not in keys()
        and object_keys(settings).file("alice", loose["id"]) in keys()
    )
    error(client.get(f"/api/folders/{folder['id']}"), 404, "folder_not_found")


def test_a_zip_archive_streams_folders_and_files_once(client):
    docs = mkdir(client, "Docs")
    sub = mkdir(client, "Sub", docs["id"])
    upload(client, "a.txt", docs["id"], b"A" * 70_000)
    upload(client, "b.bin", sub["id"], bytes(range(256)) * 1000)
    loose = upload(client, "c.txt", content=b"C").json()
    link = client.post("/api/files/archive", json={"ids": [docs["id"], loose["id"]], "name": "mine"})
    assert link.status_code == 200 and link.json()["url"].startswith("/api/v1/files/archive/")
    response = httpx.get(str(client.base_url) + link.json()["url"])
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert 'filename="mine.zip"' in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["Docs/", "Docs/a.txt", "Docs/Sub/", "Docs/Sub/b.bin", "c.txt"]
        assert archive.read("Docs/Sub/b.bin") == bytes(range(256)) * 1000
        assert archive.read("Docs/a.txt") == b"A" * 70_000
    error(httpx.get(str(client.base_url) + link.json()["url"]), 404, "archive_not_found")
    error(httpx.get(str(client.base_url) + "/api/files/archive/made-up"), 404, "archive_not_found")
    error(client.post("/api/files/archive", headers=client.bob, json={"ids": [docs["id"]]}), 404, "item_not_found")
    error(client.post("/api/files/archive", json={"ids": []}), 422, "validation_error")


def test_text_previews_are_plain_text_links(client):
    code = upload(client, "main.py", content=b"print('hi')", content_type="text/x-python").json()
    link = client.get(f"/api/files/{code['id']}/download", params={"disposition": "inline", "as": "text"}).json()
    served = httpx.get(link["url"])
    assert served.content == b"print('hi')" and served.headers["content-type"] == "text/plain; charset=utf-8"
    image = upload(client, "p.png", content=b"x", content_type="image/png").json()
    error(client.get(f"/api/files/{image['id']}/download", params={"as": "text"}), 422, "not_previewable")
