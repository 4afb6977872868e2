"""Uploads in progress are bounded per user and overall, refused before their body is read with
429 `too_many_uploads` / 503 `busy` and a Retry-After header."""

import asyncio
import uuid

import httpx
import pytest

from scloud_common.internal_tls import tls_settings
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.bootstrap import bootstrap
from scloud_files.config import FilesSettings
from scloud_files.http.app import create_app
from tests.fake_auth import FakeAuth

USERS = ("alice", "bob", "carol")


@pytest.fixture
async def clients(internal_certificates, no_outside_clients):
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
        max_uploads_per_user=2,
        max_uploads=3,
    )
    auth = FakeAuth()
    auth.active_sessions.update((f"s-{user}", user) for user in USERS)

    async def build(settings):
        return await bootstrap(
            settings,
            repository=InMemoryFileRepository(),
            blob_store=InMemoryBlobStore(),
            key_source=auth,
            session_source=auth,
        )

    app = create_app(settings, build_container=build)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client, {user: {"Authorization": f"Bearer {auth.token(user, f's-{user}')}"} for user in USERS}


class StalledBody:
    """A multipart body that sends its head, then waits until `release` is set."""

    def __init__(self, name: str) -> None:
        self.boundary = uuid.uuid4().hex
        self.name = name
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def __aiter__(self):
        yield (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="{self.name}"\r\n'
            "Content-Type: text/plain\r\n\r\nhello"
        ).encode()
        self.started.set()
        await asyncio.wait_for(self.release.wait(), timeout=10)
        yield f"\r\n--{self.boundary}--\r\n".encode()


def start(client, headers, body: StalledBody) -> asyncio.Task:
    return asyncio.create_task(
        client.post(
            "/api/files/upload",
            content=body,
            headers={**headers, "Content-Type": f"multipart/form-data; boundary={body.boundary}"},
        )
    )


async def test_uploads_past_the_bounds_are_refused_with_retry_after_and_the_rest_complete(clients):
    client, headers = clients
    stalled = [StalledBody(f"{index}.txt") for index in range(3)]
    tasks = [start(client, headers[user], body) for user, body in zip(("alice", "alice", "bob"), stalled, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(body.started.wait() for body in stalled)), timeout=10)

    third = await client.post("/api/files/upload", files={"file": ("x.txt", b"x")}, headers=headers["alice"])
    assert third.status_code == 429 and third.json()["error"]["code"] == "too_many_uploads"
    assert third.headers["retry-after"] == "2"
    busy = await client.post("/api/files/upload", files={"file": ("y.txt", b"y")}, headers=headers["carol"])
    assert busy.status_code == 503 and busy.json()["error"]["code"] == "busy"
    assert busy.headers["retry-after"] == "2"

    for body in stalled:
        body.release.set()
    assert [(await task).status_code for task in tasks] == [201, 201, 201]
    after = await client.post("/api/files/upload", files={"file": ("x.txt", b"x")}, headers=headers["alice"])
    assert after.status_code == 201
    refused_early = await client.post(
        "/api/files/upload", content=b"not a form", headers={**headers["carol"], "Content-Type": "text/plain"}
    )
    assert refused_early.status_code == 422
    listed = await client.get("/api/folders/root/children", headers=headers["carol"])
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    ("sent", "status", "kept"),
    [
        ("2024-02-29T23:59:59Z", 201, "2024-02-29T23:59:59+00:00"),
        ("2024-03-01T01:00:00+02:00", 201, "2024-02-29T23:00:00+00:00"),
        ("2999-01-01T00:00:00Z", 201, None),
        ("2024-02-29T23:59:59", 422, None),
        ("1709251199", 422, None),
        ("yesterday", 422, None),
    ],
)
async def test_uploads_take_their_own_modified_time_and_answer_their_detected_type(clients, sent, status, kept):
    client, headers = clients
    answer = await client.post(
        "/api/files/upload",
        params={"modifiedAt": sent},
        files={"file": ("notes.md", b"# Title\n", "text/plain")},
        headers=headers["alice"],
    )
    assert answer.status_code == status, answer.text
    if status == 201:
        item = answer.json()
        assert (item["mediaType"], item["type"]) == ("text/markdown", "text/plain")
        assert item["modifiedAt"] == (kept or item["createdAt"])
    else:
        assert answer.json()["error"]["code"] == "validation_error"
