"""The share link routes on the fakes: the owner's, and the public ones used signed out."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_share import FastPasswordHasher, InMemoryShareLinks, InMemoryUserDirectory
from scloud_files.bootstrap import bootstrap
from scloud_files.http.app import create_app
from scloud_files.ports import AccountProfile
from tests.fake_auth import FakeAuth

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
async def app(drive_settings, no_outside_clients):
    auth, links = FakeAuth(), InMemoryShareLinks()
    auth.active_sessions.update({("s1", "alice"), ("s2", "carol")})
    users = InMemoryUserDirectory({"alice": AccountProfile(True, "Alice"), "carol": AccountProfile(False, "Carol")})

    async def build(settings):
        return await bootstrap(
            settings,
            repository=InMemoryFileRepository(),
            blob_store=InMemoryBlobStore(),
            key_source=auth,
            session_source=auth,
            share_links=links,
            users=users,
            password_hasher=FastPasswordHasher(),
        )

    application = create_app(drive_settings, build_container=build)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=("203.0.113.77", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            client.alice = {"Authorization": f"Bearer {auth.token('alice', 's1')}"}
            client.carol = {"Authorization": f"Bearer {auth.token('carol', 's2')}"}
            client.links = links
            yield client


async def _upload(app) -> str:
    response = await app.post(
        "/api/files/upload", files={"file": ("report.pdf", b"%PDF-1.7 hi", "application/pdf")}, headers=app.alice
    )
    assert response.status_code == 201
    return response.json()["id"]


async def test_a_link_is_made_opened_signed_out_and_downloaded(app):
    file_id = await _upload(app)
    made = await app.post("/api/files/links", json={"itemId": file_id, "downloadLimit": 1}, headers=app.alice)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["url"] == f"/s/{body['linkId']}" and body["status"] == "active" and not body["hasPassword"]
    opened = await app.get(f"/api/files/public/links/{body['linkId']}", headers={"User-Agent": FIREFOX})
    assert opened.status_code == 200
    assert opened.json() == {
        "name": "report.pdf",
        "kind": "file",
        "size": 11,
        "type": "application/pdf",
        "modifiedAt": opened.json()["modifiedAt"],
        "expiresAt": body["expiresAt"],
        "downloadsLeft": 1,
        "ownerName": None,
        "preview": "pdf",
    }
    downloaded = await app.post(f"/api/files/public/links/{body['linkId']}/download")
    assert downloaded.status_code == 200 and downloaded.json()["url"].startswith("memory://blobs/users/")
    again = await app.post(f"/api/files/public/links/{body['linkId']}/download")
    assert (again.status_code, again.json()["error"]["code"]) == (410, "link_exhausted")
    log = await app.get(f"/api/files/links/{body['id']}/log", headers=app.alice)
    assert [(entry["event"], entry["reason"]) for entry in log.json()["items"]] == [
        ("refused", "exhausted"),
        ("download", None),
        ("open", None),
    ]
    assert {(entry["browser"], entry["network"]) for entry in log.json()["items"]} == {
        ("Firefox", "203.0.113.0/24"),
        ("bot", "203.0.113.0/24"),  # httpx's own User-Agent
    }
    assert (log.json()["link"]["opens"], log.json()["link"]["downloads"], log.json()["link"]["status"]) == (
        1,
        1,
        "exhausted",
    )
    assert "203.0.113.77" not in repr(app.links.logs)


async def test_refusals_have_their_status_and_code(app):
    file_id = await _upload(app)
    unknown = await app.get("/api/files/public/links/AAAAAAAAAAAAAAAAAAAAAA")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "link_not_found")
    malformed = await app.get("/api/files/public/links/short")
    assert malformed.status_code == 422
    made = (await app.post("/api/files/links", json={"itemId": file_id, "password": "pw"}, headers=app.alice)).json()
    locked = await app.get(f"/api/files/public/links/{made['linkId']}")
    assert (locked.status_code, locked.json()["error"]["code"]) == (401, "password_required")
    wrong = await app.post(f"/api/files/public/links/{made['linkId']}/unlock", json={"password": "no"})
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (403, "wrong_password")
    unlocked = await app.post(f"/api/files/public/links/{made['linkId']}/unlock", json={"password": "pw"})
    token = unlocked.json()["unlockToken"]
    opened = await app.get(f"/api/files/public/links/{made['linkId']}", headers={"X-Share-Unlock": token})
    assert opened.status_code == 200
    assert (await app.delete(f"/api/files/links/{made['id']}", headers=app.alice)).status_code == 204
    revoked = await app.get(f"/api/files/public/links/{made['linkId']}", headers={"X-Share-Unlock": token})
    assert (revoked.status_code, revoked.json()["error"]["code"]) == (410, "link_revoked")


async def test_wrong_passwords_are_throttled_with_retry_after(app):
    file_id = await _upload(app)
    made = (await app.post("/api/files/links", json={"itemId": file_id, "password": "pw"}, headers=app.alice)).json()
    for _ in range(10):
        await app.post(f"/api/files/public/links/{made['linkId']}/unlock", json={"password": "guess"})
    throttled = await app.post(f"/api/files/public/links/{made['linkId']}/unlock", json={"password": "pw"})
    assert (throttled.status_code, throttled.json()["error"]["code"]) == (429, "too_many_attempts")
    assert 1 <= int(throttled.headers["Retry-After"]) <= 900


async def test_the_owner_lists_edits_and_the_rules_of_creation_hold(app):
    file_id = await _upload(app)
    unverified = await app.post("/api/files/links", json={"itemId": file_id}, headers=app.carol)
    assert (unverified.status_code, unverified.json()["error"]["code"]) == (403, "email_not_verified")
    too_late = (datetime.now(UTC) + timedelta(days=8)).isoformat()
    refused = await app.post("/api/files/links", json={"itemId": file_id, "expiresAt": too_late}, headers=app.alice)
    assert (refused.status_code, refused.json()["error"]["details"]) == (422, {"maxDays": 7})
    assert (await app.post("/api/files/links", json={"itemId": file_id})).status_code == 401
    made = (await app.post("/api/files/links", json={"itemId": file_id, "password": "pw"}, headers=app.alice)).json()
    edited = await app.patch(
        f"/api/files/links/{made['id']}", json={"password": None, "showOwnerName": True}, headers=app.alice
    )
    assert (edited.json()["hasPassword"], edited.json()["ownerName"]) == (False, "Alice")
    listed = await app.get("/api/files/links", headers=app.alice)
    assert [link["id"] for link in listed.json()["items"]] == [made["id"]]
    assert "linkId" not in listed.json()["items"][0]
    assert (await app.get(f"/api/files/links/{made['id']}", headers=app.carol)).status_code == 404
    assert (await app.delete(f"/api/files/links/{made['id']}", headers=app.carol)).status_code == 404
    opened = await app.get(f"/api/files/public/links/{made['linkId']}")
    assert opened.json()["ownerName"] == "Alice"
