"""File requests through the real app on SQLite and SeaweedFS (which checks the presigned
signatures): a visitor signed out sends files with the direct protocol into the owner's folder,
never replacing one, never seeing a listing, an id or a download; the limits and the owner's
quota at creation and at completion against what S3 holds; revoked and expired requests; and
the owner's notice, batched, read from the same database as another process would."""

import asyncio
import base64
import hashlib
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from scloud_common.mail import MailLayout, RecordingMailer
from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.in_memory_share import InMemoryUserDirectory
from scloud_files.adapters.sqlite import MIGRATIONS, SqliteFileRepository, SqliteFileRequests
from scloud_files.bootstrap import bootstrap, request_limits
from scloud_files.config import FilesSettings
from scloud_files.drive.request_notice import SendRequestNotices
from scloud_files.http.app import create_app
from scloud_files.ports import AccountProfile
from tests.fake_auth import FakeAuth

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
EXPIRY_WAIT_SECONDS = 15.0
PUBLIC = "/api/files/public/requests"


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture
def settings(settings_on_seaweedfs) -> FilesSettings:
    return settings_on_seaweedfs(
        max_upload_bytes=MIB,
        quota_bytes=2000,
        # Longer than any test: the notices are sent by the test, at a time it chooses.
        request_notice_interval_seconds=3600,
    )


USERS = InMemoryUserDirectory(
    {"alice": AccountProfile(True, "Alice", "alice@example.com"), "bob": AccountProfile(True, "Bob", "bob@x.org")}
)


class Api:
    def __init__(self, client: httpx.AsyncClient, auth: FakeAuth) -> None:
        self.client = client
        self.auth = auth

    def user(self, user_id: str = "alice") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.auth.token(user_id, 's-' + user_id)}"}

    async def folder(self, name: str) -> str:
        response = await self.client.post("/api/folders", json={"name": name, "parentId": "root"}, headers=self.user())
        assert response.status_code == 201, response.text
        return response.json()["id"]

    async def ask(self, folder_id: str, **options) -> dict:
        response = await self.client.post(
            "/api/files/requests", json={"folderId": folder_id, **options}, headers=self.user()
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def start(self, request_id: str, content: bytes, name: str = "scan.pdf") -> httpx.Response:
        return await self.client.post(f"{PUBLIC}/{request_id}/uploads", json={"name": name, "size": len(content)})

    async def put(self, request_id: str, upload_id: str, content: bytes) -> list[dict]:
        """Signs the one part and PUTs it straight to SeaweedFS, as the browser does."""
        signed = await self.client.post(
            f"{PUBLIC}/{request_id}/uploads/{upload_id}/parts",
            json={"parts": [{"number": 1, "size": len(content), "sha256": sha256_b64(content)}]},
        )
        assert signed.status_code == 200, signed.text
        (part,) = signed.json()["parts"]
        async with httpx.AsyncClient(timeout=60) as s3_client:
            sent = await s3_client.put(part["url"], content=content, headers=part["headers"])
        assert sent.status_code == 200
        return [{"number": 1, "etag": sent.headers["etag"], "sha256": sha256_b64(content)}]

    async def finish(self, request_id: str, upload_id: str, parts: list[dict], note: str | None = None):
        return await self.client.post(
            f"{PUBLIC}/{request_id}/uploads/{upload_id}/complete", json={"parts": parts, "note": note}
        )

    async def send(self, request_id: str, content: bytes, name: str = "scan.pdf", note: str | None = None) -> dict:
        started = await self.start(request_id, content, name)
        assert started.status_code == 201, started.text
        upload_id = started.json()["id"]
        done = await self.finish(request_id, upload_id, await self.put(request_id, upload_id, content), note)
        assert done.status_code == 201, done.text
        return done.json()

    async def names_in(self, folder_id: str) -> list[str]:
        listing = await self.client.get(f"/api/folders/{folder_id}/children", headers=self.user())
        return sorted(item["name"] for item in listing.json()["items"])


@pytest.fixture
async def api(settings):
    auth = FakeAuth()
    for user in ("alice", "bob"):
        auth.active_sessions.add(("s-" + user, user))

    async def build(settings):
        return await bootstrap(settings, key_source=auth, session_source=auth, users=USERS, mailer=RecordingMailer())

    app = create_app(settings, build_container=build)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as client:
            yield Api(client, auth)


async def test_a_visitor_sends_files_that_never_replace_one_and_sees_no_id(api):
    folder_id = await api.folder("Tax papers")
    request = await api.ask(folder_id, maxFileBytes=500)
    assert request["url"] == f"/r/{request['requestId']}"
    shown = await api.client.get(f"{PUBLIC}/{request['requestId']}")
    assert shown.status_code == 200
    assert set(shown.json()) == {"folderName", "expiresAt", "maxFileBytes", "bytesLeft", "ownerName"}
    assert shown.json()["folderName"] == "Tax papers"
    first = await api.send(request["requestId"], b"first scan")
    second = await api.send(request["requestId"], b"second scan")
    assert (first, second) == ({"name": "scan.pdf", "size": 10}, {"name": "scan (1).pdf", "size": 11})
    assert await api.names_in(folder_id) == ["scan (1).pdf", "scan.pdf"]
    limits = await api.client.get("/api/files/limits", headers=api.user())
    assert limits.json()["usedBytes"] == 21
    listed = await api.client.get("/api/files/requests", headers=api.user())
    assert [(r["filesReceived"], r["bytesReceived"], r["status"]) for r in listed.json()["items"]] == [
        (2, 21, "active")
    ]


async def test_no_public_route_lists_names_another_item_or_downloads(api):
    folder_id = await api.folder("Inbox")
    await api.client.post(
        f"/api/files/upload?parentId={folder_id}", files={"file": ("secret.txt", b"secret")}, headers=api.user()
    )
    request_id = (await api.ask(folder_id))["requestId"]
    started = await api.start(request_id, b"hello")
    upload_id = started.json()["id"]
    parts = await api.put(request_id, upload_id, b"hello")
    answers = [
        await api.client.get(f"{PUBLIC}/{request_id}"),
        started,
        await api.client.get(f"{PUBLIC}/{request_id}/uploads/{upload_id}"),
        await api.finish(request_id, upload_id, parts),
    ]
    for response in answers:
        assert response.status_code in (200, 201), response.text
        assert folder_id not in response.text and "secret" not in response.text and "alice" not in response.text
        assert "url" not in response.json()
    # The request's id opens nothing as a share link, and nothing else lives under the request.
    for path in (
        f"/api/files/public/links/{request_id}",
        f"/api/files/public/links/{request_id}/folders/root/children",
        f"{PUBLIC}/{request_id}/children",
        f"{PUBLIC}/{request_id}/uploads",
        f"{PUBLIC}/{request_id}/uploads/{upload_id}/download",
    ):
        assert (await api.client.get(path)).status_code in (404, 405), path
    assert (await api.client.get("/api/files/requests")).status_code == 401


async def test_the_limits_and_the_quota_at_creation_and_at_completion(api):
    folder_id = await api.folder("Photos")
    request_id = (await api.ask(folder_id, maxFileBytes=300, maxTotalBytes=500))["requestId"]
    too_big = await api.start(request_id, b"x" * 301)
    assert (too_big.status_code, too_big.json()["error"]["code"]) == (413, "file_too_large")
    # Two files that each fit when they start, but not together.
    first, second = await api.start(request_id, b"a" * 300, "a.bin"), await api.start(request_id, b"b" * 300, "b.bin")
    first_parts = await api.put(request_id, first.json()["id"], b"a" * 300)
    second_parts = await api.put(request_id, second.json()["id"], b"b" * 300)
    assert (await api.finish(request_id, first.json()["id"], first_parts)).status_code == 201
    refused = await api.finish(request_id, second.json()["id"], second_parts)
    assert (refused.status_code, refused.json()["error"]) == (
        413,
        {"code": "request_full", "message": refused.json()["error"]["message"], "details": {"bytesLeft": 200}},
    )
    assert (await api.start(request_id, b"c" * 201)).json()["error"]["code"] == "request_full"
    # The owner's quota (2000 bytes), told without their numbers.
    await api.client.post(
        f"/api/files/upload?parentId={folder_id}", files={"file": ("own.bin", b"z" * 1600)}, headers=api.user()
    )
    full = await api.start(request_id, b"d" * 150)
    assert (full.status_code, full.json()["error"]["code"]) == (507, "quota_exceeded")
    assert "details" not in full.json()["error"]
    assert await api.names_in(folder_id) == ["a.bin", "own.bin"]


async def test_revoked_and_expired_requests_answer_gone_on_every_route(api):
    folder_id = await api.folder("Drop")
    request = await api.ask(folder_id)
    request_id = request["requestId"]
    started = await api.start(request_id, b"late")
    upload_id = started.json()["id"]
    parts = await api.put(request_id, upload_id, b"late")
    assert (await api.client.delete(f"/api/files/requests/{request['id']}", headers=api.user())).status_code == 204
    answers = [
        await api.client.get(f"{PUBLIC}/{request_id}"),
        await api.start(request_id, b"more"),
        await api.client.post(
            f"{PUBLIC}/{request_id}/uploads/{upload_id}/parts",
            json={"parts": [{"number": 1, "size": 4, "sha256": sha256_b64(b"late")}]},
        ),
        await api.client.get(f"{PUBLIC}/{request_id}/uploads/{upload_id}"),
        await api.finish(request_id, upload_id, parts),
        await api.client.delete(f"{PUBLIC}/{request_id}/uploads/{upload_id}"),
    ]
    assert [(r.status_code, r.json()["error"]["code"]) for r in answers] == [(410, "request_revoked")] * 6
    assert await api.names_in(folder_id) == []
    unknown = await api.client.get(f"{PUBLIC}/{'A' * 22}")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "request_not_found")

    soon = datetime.now(UTC) + timedelta(seconds=2)
    expiring_id = (await api.ask(folder_id, expiresAt=soon.isoformat()))["requestId"]
    deadline = time.monotonic() + EXPIRY_WAIT_SECONDS
    expired = await api.client.get(f"{PUBLIC}/{expiring_id}")
    while expired.status_code == 200 and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        expired = await api.client.get(f"{PUBLIC}/{expiring_id}")
    assert (expired.status_code, expired.json()["error"]["code"]) == (410, "request_expired")


async def test_an_upload_answers_only_through_its_own_request(api):
    folder_id = await api.folder("Shared drop")
    request_id, other_id = (await api.ask(folder_id))["requestId"], (await api.ask(folder_id))["requestId"]
    upload_id = (await api.start(request_id, b"mine")).json()["id"]
    own = await api.client.post("/api/uploads", json={"name": "own.bin", "size": 4}, headers=api.user())
    for foreign, upload in ((other_id, upload_id), (request_id, own.json()["id"])):
        answers = [
            await api.client.get(f"{PUBLIC}/{foreign}/uploads/{upload}"),
            await api.client.post(
                f"{PUBLIC}/{foreign}/uploads/{upload}/parts",
                json={"parts": [{"number": 1, "size": 4, "sha256": sha256_b64(b"mine")}]},
            ),
            await api.finish(foreign, upload, [{"number": 1, "etag": "x", "sha256": sha256_b64(b"mine")}]),
            await api.client.delete(f"{PUBLIC}/{foreign}/uploads/{upload}"),
        ]
        assert [(r.status_code, r.json()["error"]["code"]) for r in answers] == [(404, "upload_not_found")] * 4
    # Nor do the owner's own routes reach a visitor's upload.
    owners = await api.client.get(f"/api/uploads/{upload_id}", headers=api.user())
    assert owners.status_code == 404


async def test_two_files_make_one_notice_listing_both_and_the_notes(api, settings):
    folder_id = await api.folder("Receipts")
    request_id = (await api.ask(folder_id))["requestId"]
    await api.send(request_id, b"one", "one.pdf", note="March receipts")
    await api.send(request_id, b"two", "two.pdf", note="March receipts")
    mailer = RecordingMailer()
    store = await SqliteStore.open(settings.sqlite_database(), migrations=MIGRATIONS)
    try:
        limits = request_limits(settings)

        def later() -> datetime:
            return datetime.now(UTC) + limits.notice_interval

        send = SendRequestNotices(
            SqliteFileRequests(store),
            SqliteFileRepository(store),
            USERS,
            mailer,
            MailLayout(public_url="https://scloud.example"),
            limits,
            now=later,
        )
        assert await send() == 1
        assert await send() == 0
    finally:
        await store.close()
    (mail,) = mailer.sent
    assert mail.to == "alice@example.com"
    assert "one.pdf" in mail.text and "two.pdf" in mail.text and mail.text.count("March receipts") == 1
