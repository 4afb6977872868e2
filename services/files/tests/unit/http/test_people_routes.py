"""Sharing with people over HTTP on the fakes: every route as the owner, an editor, a viewer and
a stranger; JSON errors with their status; no answer holds the owner's id or an object key."""

import httpx
import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_grants import InMemoryGrants, InMemoryPeopleDirectory, RecordingShareNotices
from scloud_files.bootstrap import bootstrap
from scloud_files.http.app import create_app
from tests.fake_auth import FakeAuth

USERS = {"alice": "s1", "bob": "s2", "vera": "s3", "sam": "s4"}


@pytest.fixture
async def app(drive_settings, no_outside_clients):
    auth, repository = FakeAuth(), InMemoryFileRepository()
    auth.active_sessions.update({(session, user) for user, session in USERS.items()})
    people = InMemoryPeopleDirectory()
    for user in USERS:
        people.add(user, f"{user}@example.com", name=user.title())

    async def build(settings):
        return await bootstrap(
            settings,
            repository=repository,
            blob_store=InMemoryBlobStore(),
            key_source=auth,
            session_source=auth,
            grants=InMemoryGrants(),
            people=people,
            share_notices=RecordingShareNotices(),
        )

    application = create_app(drive_settings, build_container=build)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            client.as_ = {user: {"Authorization": f"Bearer {auth.token(user, s)}"} for user, s in USERS.items()}
            client.repository = repository
            yield client


async def _tree(app) -> dict[str, str]:
    alice = app.as_["alice"]

    async def folder(name, parent=None):
        response = await app.post("/api/folders", json={"name": name, "parentId": parent}, headers=alice)
        return response.json()["id"]

    async def upload(name, parent):
        response = await app.post(
            "/api/files/upload",
            params={"parentId": parent},
            files={"file": (name, b"hello", "text/plain")},
            headers=alice,
        )
        return response.json()["id"]

    shared = await folder("Shared")
    private = await folder("Private")
    return {
        "shared": shared,
        "a": await upload("a.txt", shared),
        "private": private,
        "secret": await upload("secret.txt", private),
    }


async def _share(app, item, email, role):
    response = await app.post(
        f"/api/items/{item}/people", json={"email": email, "role": role}, headers=app.as_["alice"]
    )
    assert response.status_code == 202, response.text
    return response.json()


async def test_a_known_and_an_unknown_email_get_the_same_answer_and_list(app):
    tree = await _tree(app)
    known = await _share(app, tree["shared"], "bob@example.com", "viewer")
    unknown = await _share(app, tree["shared"], "stranger@example.com", "viewer")
    assert set(known) == set(unknown) == {"id", "email", "role", "addedAt"}
    listed = await app.get(f"/api/items/{tree['shared']}/people", headers=app.as_["alice"])
    assert {person["email"] for person in listed.json()["items"]} == {"bob@example.com", "stranger@example.com"}
    bad = await app.post(
        f"/api/items/{tree['shared']}/people", json={"email": "nope", "role": "viewer"}, headers=app.as_["alice"]
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_email"
    foreign = await app.post(
        f"/api/items/{tree['shared']}/people",
        json={"email": "sam@example.com", "role": "viewer"},
        headers=app.as_["bob"],
    )
    assert foreign.status_code == 404


async def test_every_route_as_editor_viewer_and_stranger(app):
    tree = await _tree(app)
    await _share(app, tree["shared"], "bob@example.com", "editor")
    await _share(app, tree["shared"], "vera@example.com", "viewer")
    base = f"/api/shared-with-me/{tree['shared']}"
    reads = [
        ("GET", f"{base}/items/root", {}),
        ("GET", f"{base}/items/{tree['a']}", {}),
        ("GET", f"{base}/folders/root/children", {}),
        ("GET", f"{base}/files/{tree['a']}/download", {}),
    ]
    for method, path, kwargs in reads:
        for user, expected in (("bob", 200), ("vera", 200), ("sam", 404)):
            response = await app.request(method, path, headers=app.as_[user], **kwargs)
            assert response.status_code == expected, (user, path, response.text)
            body = response.json()
            if "url" in body:
                # The presigned URL names the object, whose key holds the owner's id only sealed
                # (docs/data-model.md, "Object keys"); the answer holds nothing else.
                assert set(body) == {"url", "expiresAt"} and "alice" not in body["url"]
            else:
                assert "alice" not in response.text and "users/" not in response.text
    writes = [
        ("PATCH", f"{base}/items/{tree['a']}", {"json": {"name": "b.txt"}}, 200),
        (
            "POST",
            f"{base}/upload",
            {"params": {"parentId": "root"}, "files": {"file": ("n.txt", b"x", "text/plain")}},
            201,
        ),
        ("POST", f"{base}/folders", {"json": {"name": "Made by an editor", "parentId": "root"}}, 201),
        ("DELETE", f"{base}/items/{tree['a']}", {}, 204),
    ]
    for method, path, kwargs, ok in writes:
        for user, expected, code in (("sam", 404, "share_not_found"), ("vera", 403, "viewer_only"), ("bob", ok, None)):
            response = await app.request(method, path, headers=app.as_[user], **kwargs)
            assert response.status_code == expected, (user, path, response.text)
            if code:
                assert response.json()["error"]["code"] == code
            else:
                assert "alice" not in response.text and "users/" not in response.text


async def test_ids_outside_the_share_are_not_found(app):
    tree = await _tree(app)
    await _share(app, tree["shared"], "bob@example.com", "editor")
    base = f"/api/shared-with-me/{tree['shared']}"
    bob = app.as_["bob"]
    for path in (f"{base}/items/{tree['secret']}", f"{base}/files/{tree['secret']}/download"):
        assert (await app.get(path, headers=bob)).status_code == 404
    moved = await app.patch(f"{base}/items/{tree['a']}", json={"parentId": tree["private"]}, headers=bob)
    assert moved.status_code == 404
    assert (await app.delete(f"{base}/items/{tree['secret']}", headers=bob)).status_code == 404
    assert (await app.get(f"/api/shared-with-me/{tree['private']}/items/root", headers=bob)).status_code == 404
    root = await app.delete(f"{base}/items/{tree['shared']}", headers=bob)
    assert root.status_code == 403 and root.json()["error"]["code"] == "shared_root_fixed"


async def test_shared_with_me_leave_in_drive_and_removal(app):
    tree = await _tree(app)
    person = await _share(app, tree["shared"], "bob@example.com", "viewer")
    bob = app.as_["bob"]
    listed = (await app.get("/api/shared-with-me", headers=bob)).json()
    assert [(entry["name"], entry["ownerName"], entry["role"]) for entry in listed["items"]] == [
        ("Shared", "Alice", "viewer")
    ]
    assert "alice" not in str(listed)
    put = await app.put(f"/api/shared-with-me/{tree['shared']}/in-drive", json={"inDrive": True}, headers=bob)
    assert put.status_code == 204
    assert (await app.get("/api/shared-with-me", headers=bob)).json()["items"][0]["inDrive"]
    changed = await app.patch(
        f"/api/items/{tree['shared']}/people/{person['id']}", json={"role": "editor"}, headers=app.as_["alice"]
    )
    assert changed.json()["role"] == "editor"
    removed = await app.delete(f"/api/items/{tree['shared']}/people/{person['id']}", headers=app.as_["alice"])
    assert removed.status_code == 204
    gone = await app.get(f"/api/shared-with-me/{tree['shared']}/items/root", headers=bob)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "share_not_found"
    await _share(app, tree["shared"], "bob@example.com", "viewer")
    assert (await app.delete(f"/api/shared-with-me/{tree['shared']}", headers=bob)).status_code == 204
    assert (await app.get("/api/shared-with-me", headers=bob)).json()["items"] == []


async def test_an_editor_makes_folders_inside_the_share_only_owned_by_the_owner(app):
    tree = await _tree(app)
    await _share(app, tree["shared"], "bob@example.com", "editor")
    base = f"/api/shared-with-me/{tree['shared']}"
    bob = app.as_["bob"]
    made = await app.post(f"{base}/folders", json={"name": "Photos", "parentId": "root"}, headers=bob)
    assert made.status_code == 201 and made.json()["parentId"] == tree["shared"]
    inner = await app.post(f"{base}/folders", json={"name": "2026", "parentId": made.json()["id"]}, headers=bob)
    assert inner.status_code == 201
    # In the owner's drive, as the owner's.
    assert await app.repository.get("alice", inner.json()["id"]) is not None
    taken = await app.post(f"{base}/folders", json={"name": "Photos", "parentId": "root"}, headers=bob)
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "name_taken")
    merged = await app.post(
        f"{base}/folders", json={"name": "Photos", "parentId": "root", "onConflict": "merge"}, headers=bob
    )
    assert (merged.status_code, merged.json()["id"]) == (200, made.json()["id"])
    # Nowhere outside the share, whatever id is given.
    outside = await app.post(f"{base}/folders", json={"name": "X", "parentId": tree["private"]}, headers=bob)
    assert outside.status_code == 404
    invalid = await app.post(f"{base}/folders", json={"name": "..", "parentId": "root"}, headers=bob)
    assert (invalid.status_code, invalid.json()["error"]["code"]) == (422, "invalid_name")
    # A folder picker lists folders only, however many files sit beside them.
    folders = await app.get(f"{base}/folders/root/children", params={"kind": "folder"}, headers=bob)
    assert [item["name"] for item in folders.json()["items"]] == ["Photos"]
