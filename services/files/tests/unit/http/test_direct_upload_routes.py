"""The direct-upload routes as the contract has them (CONTRACT11), on the fakes: bodies in
camelCase, each refusal's status and code, and the limits the usage bar reads."""

import base64
import hashlib

import httpx
import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_upload import InMemoryMultipartStore, InMemoryPendingUploads
from scloud_files.bootstrap import bootstrap
from scloud_files.http.app import create_app
from tests.fake_auth import FakeAuth

MIB = 1024 * 1024


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture
async def app(drive_settings, no_outside_clients):
    settings = drive_settings.model_copy(
        update={"quota_bytes": 20 * MIB, "max_file_bytes": 15 * MIB, "max_parts_per_request": 2}
    )
    auth, blobs, repository = FakeAuth(), InMemoryBlobStore(), InMemoryFileRepository()
    multipart = InMemoryMultipartStore(blobs)
    auth.active_sessions.update({("s1", "alice"), ("s2", "bob")})

    async def build(settings):
        return await bootstrap(
            settings,
            repository=repository,
            blob_store=blobs,
            pending_uploads=InMemoryPendingUploads(),
            multipart=multipart,
            key_source=auth,
            session_source=auth,
        )

    application = create_app(settings, build_container=build)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        headers = {"Authorization": f"Bearer {auth.token('alice', 's1')}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as client:
            client.bob = {"Authorization": f"Bearer {auth.token('bob', 's2')}"}
            client.multipart = multipart
            client.repository = repository
            yield client


async def test_an_upload_is_created_signed_listed_completed_and_counted(app):
    created = await app.post("/api/uploads", json={"name": "a.txt", "size": 10, "type": "text/plain"})
    assert created.status_code == 201
    upload = created.json()
    assert set(upload) == {"id", "name", "partSize", "partCount", "expiresAt", "maxPartsPerRequest"}
    assert (upload["partCount"], upload["maxPartsPerRequest"], upload["name"]) == (1, 2, "a.txt")
    body = b"0123456789"
    signed = await app.post(
        f"/api/uploads/{upload['id']}/parts", json={"parts": [{"number": 1, "size": 10, "sha256": sha256_b64(body)}]}
    )
    assert signed.status_code == 200
    (part,) = signed.json()["parts"]
    assert set(part) == {"number", "url", "headers", "expiresAt"}
    assert part["headers"] == {"x-amz-checksum-sha256": sha256_b64(body)}
    status, etag = app.multipart.send_part(part["url"], part["headers"], body)
    assert status == 200
    listed = (await app.get(f"/api/uploads/{upload['id']}")).json()
    assert listed["parts"] == [{"number": 1, "size": 10, "etag": etag}] and listed["parentId"] == "root"
    assert (await app.get("/api/files/limits")).json() == {
        "maxUploadBytes": 1000,
        "maxFileBytes": 15 * MIB,
        "maxBatchFiles": 100,
        "maxBatchFileBytes": 64 * MIB,
        "quotaBytes": 20 * MIB,
        "usedBytes": 10,
        "trashBytes": 0,
        "trashRetentionDays": 30,
    }
    completed = await app.post(
        f"/api/uploads/{upload['id']}/complete",
        json={"parts": [{"number": 1, "etag": etag, "sha256": sha256_b64(body)}]},
    )
    assert completed.status_code == 201
    assert completed.json()["sha256"].endswith("-1") and completed.json()["size"] == 10
    assert completed.json()["checksumPartSize"] is None
    assert (await app.get(f"/api/files/{upload['id']}")).json()["sha256"] == completed.json()["sha256"]
    await app.delete(f"/api/files/{upload['id']}")
    limits = (await app.get("/api/files/limits")).json()
    assert (limits["usedBytes"], limits["trashBytes"]) == (10, 10)


async def test_refusals_have_their_status_code_and_details(app):
    async def refused(response, status, code):
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), response.text
        return response.json()["error"]

    await refused(await app.post("/api/uploads", json={"name": "a", "size": 16 * MIB}), 413, "file_too_large")
    first = await app.post("/api/uploads", json={"name": "a", "size": 15 * MIB})
    assert first.status_code == 201
    error = await refused(await app.post("/api/uploads", json={"name": "b", "size": 6 * MIB}), 507, "quota_exceeded")
    assert error["details"] == {"used": 15 * MIB, "quota": 20 * MIB, "size": 6 * MIB}
    await refused(await app.post("/api/uploads", json={"name": "..", "size": 1}), 422, "invalid_name")
    await refused(
        await app.post("/api/uploads", json={"name": "a", "size": 1, "parentId": "01JDZZZZZZZZZZZZZZZZZZZZZZ"}),
        404,
        "folder_not_found",
    )
    upload_id = first.json()["id"]
    await refused(await app.get(f"/api/uploads/{upload_id}", headers=app.bob), 404, "upload_not_found")
    three = [{"number": n, "size": 5 * MIB, "sha256": sha256_b64(b"")} for n in (1, 2, 3)]
    await refused(await app.post(f"/api/uploads/{upload_id}/parts", json={"parts": three}), 422, "invalid_parts")
    assert (await app.delete(f"/api/uploads/{upload_id}")).status_code == 204
    await refused(await app.delete(f"/api/uploads/{upload_id}"), 404, "upload_not_found")


async def test_the_limits_show_the_quota_the_admin_set_for_the_user(app):
    await app.repository.set_quota("alice", 40 * MIB)
    assert (await app.get("/api/files/limits")).json()["quotaBytes"] == 40 * MIB
    assert (await app.get("/api/files/limits", headers=app.bob)).json()["quotaBytes"] == 20 * MIB
    assert (await app.post("/api/uploads", json={"name": "a", "size": 15 * MIB})).status_code == 201
    assert (await app.post("/api/uploads", json={"name": "b", "size": 15 * MIB})).status_code == 201
    await app.repository.set_quota("alice", 16 * MIB)
    refused = await app.post("/api/uploads", json={"name": "c", "size": 1}, headers=app.bob)
    assert refused.status_code == 201
    refused = await app.post("/api/uploads", json={"name": "c", "size": 1})
    assert refused.status_code == 507
    assert refused.json()["error"]["details"] == {"used": 30 * MIB, "quota": 16 * MIB, "size": 1}
    await app.repository.set_quota("alice", None)
    assert (await app.get("/api/files/limits")).json()["quotaBytes"] == 20 * MIB
