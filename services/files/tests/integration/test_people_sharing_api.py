"""Sharing with people through the real app on the real stores: SQLite with SeaweedFS (which
checks the presigned signatures) and DynamoDB with S3 on moto. Viewer against editor on every
route, no reaching outside the shared folder by id, and access ending at the next request after
a removal or the owner's account deletion."""

import base64
import hashlib

import httpx
import pytest

from scloud_files.adapters.in_memory_grants import InMemoryPeopleDirectory, RecordingShareNotices
from scloud_files.bootstrap import bootstrap
from scloud_files.domain import full_object_sha256
from scloud_files.http.app import create_app
from services.files.tests.integration.test_share_links_api import Api, share_settings, store
from tests.fake_auth import FakeAuth

pytestmark = pytest.mark.integration

__all__ = ["share_settings", "store"]
USERS = ("alice", "bob", "vera", "sam")


@pytest.fixture
async def people_api(share_settings):
    auth = FakeAuth()
    people = InMemoryPeopleDirectory()
    for user in USERS:
        auth.active_sessions.add(("s-" + user, user))
        people.add(user, f"{user}@example.com", name=user.title())

    async def build(settings):
        return await bootstrap(
            settings,
            key_source=auth,
            session_source=auth,
            users=people,
            people=people,
            share_notices=RecordingShareNotices(),
        )

    app = create_app(share_settings, build_container=build)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as client:
            api = Api(client, auth)
            api.drive = app.state.container.service
            yield api


async def _share(api: Api, item: str, user: str, role: str) -> dict:
    response = await api.client.post(
        f"/api/items/{item}/people", json={"email": f"{user}@example.com", "role": role}, headers=api.user("alice")
    )
    assert response.status_code == 202, response.text
    return response.json()


@pytest.fixture
async def shared(people_api):
    api = people_api
    team = await api.folder("team")
    inner = await api.folder("inner", team)
    items = {
        "team": team,
        "inner": inner,
        "a": await api.upload("a.txt", b"alpha", team),
        "outside": await api.upload("outside.txt", b"outside"),
    }
    items["bob_person"] = (await _share(api, team, "bob", "editor"))["id"]
    await _share(api, team, "vera", "viewer")
    return items


async def test_viewer_and_editor_on_every_route(people_api, shared):
    api, base = people_api, f"/api/shared-with-me/{shared['team']}"
    for user in ("bob", "vera"):
        listed = await api.client.get(f"{base}/folders/root/children", headers=api.user(user))
        assert [item["name"] for item in listed.json()["items"]] == ["inner", "a.txt"]
        link = await api.client.get(f"{base}/files/{shared['a']}/download", headers=api.user(user))
        async with httpx.AsyncClient(timeout=30) as storage:
            assert (await storage.get(link.json()["url"])).content == b"alpha"
    for user in ("sam",):
        assert (await api.client.get(f"{base}/items/root", headers=api.user(user))).status_code == 404
    writes = [
        ("POST", f"{base}/upload", {"params": {"parentId": shared["inner"]}, "files": {"file": ("n.txt", b"new")}}),
        ("PATCH", f"{base}/items/{shared['a']}", {"json": {"name": "b.txt", "parentId": shared["inner"]}}),
        ("DELETE", f"{base}/items/{shared['a']}", {}),
    ]
    for method, path, kwargs in writes:
        refused = await api.client.request(method, path, headers=api.user("vera"), **kwargs)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "viewer_only"
        stranger = await api.client.request(method, path, headers=api.user("sam"), **kwargs)
        assert stranger.status_code == 404
        done = await api.client.request(method, path, headers=api.user("bob"), **kwargs)
        assert done.status_code in (200, 201, 204), done.text
    # The editor's upload is the owner's: in their drive and on their totals.
    usage = await api.drive.get_storage_usage("alice")
    assert usage.file_count == 3 and (await api.drive.get_storage_usage("bob")).file_count == 0


async def test_nothing_outside_the_shared_folder_is_reached_by_id(people_api, shared):
    api, base = people_api, f"/api/shared-with-me/{shared['inner']}"
    await _share(api, shared["inner"], "sam", "editor")
    sam = api.user("sam")
    for path in (
        f"/api/shared-with-me/{shared['inner']}/items/{shared['a']}",
        f"{base}/files/{shared['outside']}/download",
    ):
        assert (await api.client.get(path, headers=sam)).status_code == 404
    assert (await api.client.get(f"{base}/folders/{shared['team']}/children", headers=sam)).status_code == 404
    assert (await api.client.delete(f"{base}/items/{shared['a']}", headers=sam)).status_code == 404
    uploaded = await api.client.post(
        f"{base}/upload", params={"parentId": shared["team"]}, files={"file": ("x.txt", b"x")}, headers=sam
    )
    assert uploaded.status_code == 404


async def test_removal_ends_access_at_the_next_request(people_api, shared):
    api, path = people_api, f"/api/shared-with-me/{shared['team']}/items/root"
    assert (await api.client.get(path, headers=api.user("bob"))).status_code == 200
    removed = await api.client.delete(
        f"/api/items/{shared['team']}/people/{shared['bob_person']}", headers=api.user("alice")
    )
    assert removed.status_code == 204
    assert (await api.client.get(path, headers=api.user("bob"))).status_code == 404
    assert (await api.client.get("/api/shared-with-me", headers=api.user("bob"))).json()["items"] == []


async def test_deleting_the_owners_account_ends_access(people_api, shared):
    api, path = people_api, f"/api/shared-with-me/{shared['team']}/items/root"
    assert (await api.client.get(path, headers=api.user("vera"))).status_code == 200
    await api.drive.delete_user_files("alice")
    for user in ("bob", "vera"):
        assert (await api.client.get(path, headers=api.user(user))).status_code == 404
        assert (await api.client.get("/api/shared-with-me", headers=api.user(user))).json()["items"] == []


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
async def test_an_editors_direct_upload_lands_in_the_owners_folder_with_its_checksum(people_api, shared):
    api, base = people_api, f"/api/shared-with-me/{shared['team']}/uploads"
    content = bytes(range(256)) * (24 * 1024)  # 6 MiB: two parts, over the single-request limit
    created = await api.client.post(
        base,
        json={"name": "big.bin", "size": len(content), "parentId": shared["inner"], "type": "application/x-test"},
        headers=api.user("bob"),
    )
    assert created.status_code == 201, created.text
    upload = created.json()
    viewer = await api.client.post(base, json={"name": "v.bin", "size": len(content)}, headers=api.user("vera"))
    assert (viewer.status_code, viewer.json()["error"]["code"]) == (403, "viewer_only")
    stranger = await api.client.get(f"{base}/{upload['id']}", headers=api.user("sam"))
    assert stranger.status_code == 404
    owners_route = await api.client.get(f"/api/uploads/{upload['id']}", headers=api.user("alice"))
    assert owners_route.status_code == 404

    size = upload["partSize"]
    bodies = {n + 1: content[n * size : (n + 1) * size] for n in range(upload["partCount"])}
    checksums = {n: base64.b64encode(hashlib.sha256(body).digest()).decode() for n, body in bodies.items()}
    signed = await api.client.post(
        f"{base}/{upload['id']}/parts",
        json={"parts": [{"number": n, "size": len(b), "sha256": checksums[n]} for n, b in bodies.items()]},
        headers=api.user("bob"),
    )
    assert signed.status_code == 200, signed.text
    etags = {}
    async with httpx.AsyncClient(timeout=60) as storage:
        for part in signed.json()["parts"]:
            sent = await storage.put(part["url"], content=bodies[part["number"]], headers=part["headers"])
            assert sent.status_code == 200, sent.text
            etags[part["number"]] = sent.headers["etag"]
    listed = await api.client.get(f"{base}/{upload['id']}", headers=api.user("bob"))
    assert [part["number"] for part in listed.json()["parts"]] == list(bodies)
    completed = await api.client.post(
        f"{base}/{upload['id']}/complete",
        json={"parts": [{"number": n, "etag": etags[n], "sha256": checksums[n]} for n in bodies]},
        headers=api.user("bob"),
    )
    assert completed.status_code == 201, completed.text
    item = completed.json()
    assert (item["id"], item["name"], item["size"]) == (upload["id"], "big.bin", len(content))

    recorded = await api.drive.get_file("alice", upload["id"])
    assert recorded.parent_id == shared["inner"]
    assert recorded.sha256 in full_object_sha256(list(checksums.values()))
    assert (await api.drive.get_storage_usage("alice")).bytes_used == len(b"alphaoutside") + len(content)
    assert (await api.drive.get_storage_usage("bob")).bytes_used == 0
    link = await api.client.get(
        f"/api/shared-with-me/{shared['team']}/files/{upload['id']}/download", headers=api.user("bob")
    )
    async with httpx.AsyncClient(timeout=60) as storage:
        assert (await storage.get(link.json()["url"])).content == content
