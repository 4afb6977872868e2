"""The drive's HTTP routes on the in-memory fakes: the wire shapes of the contract the web app
is built against (camelCase items, paths, cursors, bulk results, error details, the archive)."""

import io
import zipfile

import httpx
import pytest

from scloud_common.internal_tls import tls_settings
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.bootstrap import bootstrap
from scloud_files.config import FilesSettings
from scloud_files.http.app import create_app
from tests.fake_auth import FakeAuth


@pytest.fixture
async def client(internal_certificates, no_outside_clients):
    settings = FilesSettings(
        **tls_settings(internal_certificates, "files"),
        environment="test",
        object_key_secret="a-test-object-key-secret-of-40-characters",
        http_port=0,
        grpc_port=0,
        aws_endpoint_url="http://127.0.0.1:9",
        auth_grpc_addr="127.0.0.1:9",
        users_grpc_addr="127.0.0.1:9",
        s3_bucket="unused",
        max_upload_bytes=1000,
    )
    auth, repository, blobs = FakeAuth(), InMemoryFileRepository(), InMemoryBlobStore()
    auth.active_sessions.update({("s1", "alice"), ("s2", "bob")})

    async def build(settings):
        return await bootstrap(settings, repository=repository, blob_store=blobs, key_source=auth, session_source=auth)

    app = create_app(settings, build_container=build)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t", headers={"Authorization": f"Bearer {auth.token('alice', 's1')}"}
        ) as client:
            client.bob = {"Authorization": f"Bearer {auth.token('bob', 's2')}"}
            yield client


async def upload(client, name, parent="root", content=b"hi", on_conflict="fail"):
    return await client.post(
        f"/api/files/upload?parentId={parent}&onConflict={on_conflict}", files={"file": (name, content, "text/plain")}
    )


async def test_folders_items_paths_and_pages(client):
    created = await client.post("/api/folders", json={"name": "Projects", "parentId": None})
    assert created.status_code == 201
    projects = created.json()
    assert set(projects) == {
        "id",
        "kind",
        "name",
        "parentId",
        "size",
        "type",
        "mediaType",
        "createdAt",
        "modifiedAt",
        "trashedAt",
        "sha256",
        "checksumPartSize",
        "thumbnail",
        "path",
        "shared",
        "starred",
    }
    assert (projects["kind"], projects["size"], projects["type"], projects["parentId"]) == (
        "folder",
        None,
        None,
        "root",
    )
    inner = (await client.post("/api/folders", json={"name": "Inner", "parentId": projects["id"]})).json()
    uploaded = await upload(client, "file10.txt", projects["id"])
    assert uploaded.status_code == 201
    assert uploaded.json()["parentId"] == projects["id"] and uploaded.json()["name"] == "file10.txt"
    await upload(client, "file2.txt", projects["id"])
    first = (await client.get(f"/api/folders/{projects['id']}/children?limit=2")).json()
    assert [item["name"] for item in first["items"]] == ["Inner", "file2.txt"]
    rest = (await client.get(f"/api/folders/{projects['id']}/children?limit=2&cursor={first['nextCursor']}")).json()
    assert [item["name"] for item in rest["items"]] == ["file10.txt"] and rest["nextCursor"] is None
    folder = (await client.get(f"/api/folders/{inner['id']}")).json()
    assert folder["path"] == [{"id": projects["id"], "name": "Projects"}]
    assert (await client.get("/api/folders/root")).json() == {
        "id": "root",
        "kind": "folder",
        "name": "",
        "parentId": None,
        "size": None,
        "type": None,
        "mediaType": None,
        "createdAt": "1970-01-01T00:00:00+00:00",
        "modifiedAt": "1970-01-01T00:00:00+00:00",
        "trashedAt": None,
        "sha256": None,
        "checksumPartSize": None,
        "thumbnail": "none",
        "path": [],
        "shared": False,
        "starred": False,
    }
    only_folders = (await client.get(f"/api/folders/{projects['id']}/children?kind=folder")).json()
    assert [item["name"] for item in only_folders["items"]] == ["Inner"]


async def test_refusals_carry_codes_and_details(client):
    folder = (await client.post("/api/folders", json={"name": "A", "parentId": "root"})).json()
    taken = await client.post("/api/folders", json={"name": "a", "parentId": None})
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "name_taken" and taken.json()["error"]["details"] == {
        "existingId": folder["id"]
    }
    merged = await client.post("/api/folders", json={"name": "a", "parentId": None, "onConflict": "merge"})
    assert merged.status_code == 200 and merged.json()["id"] == folder["id"]
    inner = (await client.post("/api/folders", json={"name": "B", "parentId": folder["id"]})).json()
    cycle = await client.patch(f"/api/folders/{folder['id']}", json={"parentId": inner["id"]})
    assert cycle.status_code == 422 and cycle.json()["error"]["code"] == "folder_cycle"
    for path in (f"/api/folders/{folder['id']}", f"/api/folders/{folder['id']}/children"):
        other = await client.get(path, headers=client.bob)
        assert other.status_code == 404 and other.json()["error"]["code"] == "folder_not_found"
    garbage = await client.get("/api/folders/root/children?cursor=garbage")
    assert garbage.status_code == 422 and garbage.json()["error"]["code"] == "invalid_cursor"
    assert (await client.get("/api/search?q=")).status_code == 422
    assert (await client.get("/api/search?q=%20%20")).status_code == 422
    await upload(client, "x.txt")
    clash = await upload(client, "X.TXT")
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "name_taken"
    assert (await upload(client, "X.TXT", on_conflict="rename")).json()["name"] == "X (1).TXT"
    assert (await upload(client, "a.txt", parent="01JAAAAAAAAAAAAAAAAAAAAAAA")).status_code == 404


async def test_rename_move_search_trash_restore_and_delete_forever(client):
    folder = (await client.post("/api/folders", json={"name": "Été", "parentId": None})).json()
    file = (await upload(client, "Notes.md", folder["id"])).json()
    renamed = await client.patch(f"/api/files/{file['id']}", json={"name": "Résumé.md"})
    assert renamed.json()["name"] == "Résumé.md" and renamed.json()["parentId"] == folder["id"]
    found = (await client.get("/api/search?q=RESUME")).json()
    assert [(item["name"], item["path"]) for item in found["items"]] == [
        ("Résumé.md", [{"id": folder["id"], "name": "Été"}])
    ]
    moved = (await client.post("/api/items/move", json={"ids": [file["id"], "nope"], "parentId": None})).json()
    assert [item["parentId"] for item in moved["items"]] == ["root"]
    assert moved["failed"] == [{"id": "nope", "code": "item_not_found", "message": "No such file or folder."}]
    assert (await client.delete(f"/api/folders/{folder['id']}")).status_code == 204
    assert (await client.delete(f"/api/files/{file['id']}")).status_code == 204
    trash = (await client.get("/api/trash")).json()
    assert [(item["name"], item["path"]) for item in trash["items"]] == [("Résumé.md", []), ("Été", [])]
    assert all(item["trashedAt"] for item in trash["items"])
    restored = (await client.post("/api/trash/restore", json={"ids": [folder["id"]]})).json()
    assert [item["name"] for item in restored["items"]] == ["Été"] and restored["failed"] == []
    deleted = (await client.post("/api/trash/delete", json={"ids": [file["id"]]})).json()
    assert deleted == {"items": [], "failed": [], "remaining": []}
    assert (await client.delete("/api/trash")).status_code == 204
    assert (await client.get("/api/trash")).json() == {"items": [], "nextCursor": None}
    bulk = (await client.post("/api/items/trash", json={"ids": [folder["id"]]})).json()
    assert [item["trashedAt"] is not None for item in bulk["items"]] == [True]


async def test_an_archive_downloads_once_without_a_token(client):
    folder = (await client.post("/api/folders", json={"name": "Docs", "parentId": None})).json()
    await upload(client, "a.txt", folder["id"], b"A" * 500)
    link = (await client.post("/api/files/archive", json={"ids": [folder["id"]]})).json()
    assert link["url"].startswith("/api/v1/files/archive/")
    response = await client.get(link["url"], headers={"Authorization": ""})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert 'filename="Docs.zip"' in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["Docs/", "Docs/a.txt"]
        assert archive.read("Docs/a.txt") == b"A" * 500
    again = await client.get(link["url"])
    assert again.status_code == 404 and again.json()["error"]["code"] == "archive_not_found"


async def test_text_preview_links(client):
    file = (await upload(client, "main.py", content=b"print(1)")).json()
    link = await client.get(f"/api/files/{file['id']}/download?disposition=inline&as=text")
    assert link.status_code == 200 and "charset%3Dutf-8" in link.json()["url"]
    image = (await client.post("/api/files/upload", files={"file": ("p.png", b"x", "image/png")})).json()
    refused = await client.get(f"/api/files/{image['id']}/download?disposition=inline&as=text")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "not_previewable"


async def test_the_root_is_root_in_and_out(client):
    created = await client.post("/api/folders", json={"name": "Top"})
    assert created.status_code == 201 and created.json()["parentId"] == "root"
    inside = (await client.post("/api/folders", json={"name": "Inside", "parentId": created.json()["id"]})).json()
    via_null = (await client.post("/api/folders", json={"name": "Legacy", "parentId": None})).json()
    file = (await upload(client, "top.txt")).json()
    assert (via_null["parentId"], file["parentId"], inside["parentId"]) == ("root", "root", created.json()["id"])
    listed = (await client.get("/api/folders/root/children")).json()["items"]
    assert {item["parentId"] for item in listed} == {"root"}
    moved = (await client.post("/api/items/move", json={"ids": [inside["id"]]})).json()
    assert [item["parentId"] for item in moved["items"]] == ["root"]
    assert (await client.get("/api/files")).json()["items"][0]["parentId"] == "root"


@pytest.mark.parametrize("name", [".", "..", "...", ". .", " .. ", ".\u200b."])
async def test_names_of_only_dots_and_spaces_are_refused_everywhere(client, name):
    folder = (await client.post("/api/folders", json={"name": "Docs"})).json()
    refusals = [
        await client.post("/api/folders", json={"name": name}),
        await client.patch(f"/api/folders/{folder['id']}", json={"name": name}),
        await upload(client, name),
    ]
    file = (await upload(client, "a.txt")).json()
    refusals.append(await client.patch(f"/api/files/{file['id']}", json={"name": name}))
    for response in refusals:
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_name", response.text
    listed = (await client.get("/api/folders/root/children")).json()["items"]
    assert sorted(item["name"] for item in listed) == ["Docs", "a.txt"]
