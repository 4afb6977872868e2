"""Direct uploads on SeaweedFS, which checks presigned signatures and part checksums as S3 does:
the MultipartStore contract on the S3 adapter, then the API as the browser uses it (create, sign,
PUT the parts straight to the presigned URLs with httpx, list, complete) on the real app with
SQLite and SeaweedFS, and the sweeper on the S3 adapter with an injected clock, its records on
SQLite and on DynamoDB (moto)."""

import asyncio
import base64
import hashlib
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from ulid import ULID

from scloud_common.aws import create_aws_client
from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.dynamodb import DynamoDbPendingUploads, table_definition
from scloud_files.adapters.in_memory import InMemoryFileRepository
from scloud_files.adapters.in_memory_upload import InMemoryPendingUploads
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.adapters.s3_multipart import S3MultipartStore
from scloud_files.adapters.sqlite import MIGRATIONS, SqlitePendingUploads
from scloud_files.bootstrap import bootstrap, object_keys
from scloud_files.config import FilesSettings
from scloud_files.domain import CompletedPart, OnConflict, QuotaExceeded, StorageUsage
from scloud_files.drive.direct_upload import DirectUploadLimits, PartRequest
from scloud_files.drive.use_cases import DEFAULT_DIRECT_LIMITS, build_drive
from scloud_files.http.app import create_app
from services.files.tests.contracts.upload_ports import MultipartStoreContract
from tests.fake_auth import FakeAuth

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
PART = 5 * MIB
EXPIRY_WAIT_SECONDS = 15.0


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture
def s3(seaweed_s3, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweed_s3.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweed_s3.secret_access_key)
    return create_aws_client("s3", region=seaweed_s3.region, endpoint_url=seaweed_s3.url)


class TestS3MultipartStore(MultipartStoreContract):
    @pytest.fixture
    def multipart(self, s3, seaweed_s3):
        return S3MultipartStore(s3, seaweed_s3.bucket)

    @pytest.fixture
    def send_part(self):
        async def send(url, headers, body):
            async with httpx.AsyncClient(timeout=30) as client:
                response = await client.put(url, content=body, headers=headers)
            return response.status_code, response.headers.get("etag", "")

        return send

    @pytest.fixture
    def send_object(self):
        async def send(url, headers, body):
            async with httpx.AsyncClient(timeout=30) as client:
                return (await client.put(url, content=body, headers=headers)).status_code

        return send

    @pytest.fixture
    def read_object(self, s3, seaweed_s3):
        async def read(key):
            try:
                return s3.get_object(Bucket=seaweed_s3.bucket, Key=key)["Body"].read()
            except s3.exceptions.NoSuchKey:
                return None

        return read


@pytest.fixture
def settings(settings_on_seaweedfs) -> FilesSettings:
    return settings_on_seaweedfs(
        max_upload_bytes=MIB, max_file_bytes=40 * MIB, quota_bytes=30 * MIB, max_pending_uploads_per_user=4
    )


class Api:
    def __init__(self, client: httpx.AsyncClient, auth: FakeAuth) -> None:
        self.client = client
        self._auth = auth

    def as_user(self, user_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._auth.token(user_id, 's-' + user_id)}"}

    async def create(self, name: str, size: int, **fields):
        return await self.client.post("/api/uploads", json={"name": name, "size": size, "partSize": PART, **fields})

    async def sign(self, upload_id: str, bodies: dict[int, bytes], user: str = "alice"):
        parts = [{"number": number, "size": len(body), "sha256": sha256_b64(body)} for number, body in bodies.items()]
        return await self.client.post(
            f"/api/uploads/{upload_id}/parts", json={"parts": parts}, headers=self.as_user(user)
        )

    async def send(self, upload_id: str, bodies: dict[int, bytes]) -> dict[int, str]:
        """Signs the parts and PUTs each straight to S3 as the browser does: their ETags."""
        signed = (await self.sign(upload_id, bodies)).json()["parts"]
        async with httpx.AsyncClient(timeout=60) as s3_client:
            responses = await asyncio.gather(
                *(
                    s3_client.put(part["url"], content=bodies[part["number"]], headers=part["headers"])
                    for part in signed
                )
            )
        assert [response.status_code for response in responses] == [200] * len(signed)
        return {part["number"]: response.headers["etag"] for part, response in zip(signed, responses, strict=True)}

    async def complete(self, upload_id: str, bodies: dict[int, bytes], etags: dict[int, str], user: str = "alice"):
        parts = [{"number": n, "etag": etags[n], "sha256": sha256_b64(bodies[n])} for n in sorted(bodies)]
        return await self.client.post(
            f"/api/uploads/{upload_id}/complete", json={"parts": parts}, headers=self.as_user(user)
        )


@pytest.fixture
async def api(settings):
    auth = FakeAuth()
    for user in ("alice", "bob"):
        auth.active_sessions.add(("s-" + user, user))

    async def build(settings):
        return await bootstrap(settings, key_source=auth, session_source=auth)

    app = create_app(settings, build_container=build)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as client:
            api = Api(client, auth)
            client.headers.update(api.as_user("alice"))
            yield api


def file_of(size: int) -> dict[int, bytes]:
    content = os.urandom(size)
    return {number + 1: content[start : start + PART] for number, start in enumerate(range(0, size, PART))}


async def download(api: Api, file_id: str) -> bytes:
    link = (await api.client.get(f"/api/files/{file_id}/download")).json()["url"]
    async with httpx.AsyncClient(timeout=60) as client:
        return (await client.get(link)).content


def composite(bodies: dict[int, bytes]) -> str:
    digests = b"".join(hashlib.sha256(bodies[n]).digest() for n in sorted(bodies))
    return f"{base64.b64encode(hashlib.sha256(digests).digest()).decode()}-{len(bodies)}"


async def test_a_file_goes_straight_to_s3_in_parts_and_is_recorded_with_its_checksum(api):
    bodies = file_of(2 * PART + 1234)
    created = await api.create("big.bin", sum(map(len, bodies.values())), type="application/zip")
    assert created.status_code == 201, created.text
    upload = created.json()
    assert (upload["partSize"], upload["partCount"], upload["name"]) == (PART, 3, "big.bin")
    etags = await api.send(upload["id"], bodies)
    listed = (await api.client.get(f"/api/uploads/{upload['id']}")).json()
    assert [(part["number"], part["size"], part["etag"]) for part in listed["parts"]] == [
        (number, len(bodies[number]), etags[number]) for number in (1, 2, 3)
    ]
    completed = await api.complete(upload["id"], bodies, etags)
    assert completed.status_code == 201, completed.text
    item = completed.json()
    assert (item["id"], item["size"], item["sha256"]) == (upload["id"], 2 * PART + 1234, composite(bodies))
    content = await download(api, item["id"])
    assert hashlib.sha256(content).digest() == hashlib.sha256(b"".join(bodies[n] for n in (1, 2, 3))).digest()
    assert (await api.client.get(f"/api/uploads/{upload['id']}")).status_code == 404
    limits = (await api.client.get("/api/files/limits")).json()
    assert (limits["usedBytes"], limits["quotaBytes"], limits["trashBytes"]) == (2 * PART + 1234, 30 * MIB, 0)


async def test_a_direct_upload_over_a_file_is_its_new_version_with_its_checksum(api):
    first = file_of(PART + 10)
    upload = (await api.create("plan.bin", PART + 10)).json()
    original = (await api.complete(upload["id"], first, await api.send(upload["id"], first))).json()
    second = file_of(2 * PART + 20)
    again = (await api.create("plan.bin", 2 * PART + 20, onConflict="replace")).json()
    completed = await api.complete(again["id"], second, await api.send(again["id"], second))
    assert completed.status_code == 201, completed.text
    replaced = completed.json()
    # The same file, serving the new bytes; the first ones are its earlier version, on S3 still.
    assert (replaced["id"], replaced["sha256"], replaced["checksumPartSize"]) == (
        original["id"],
        composite(second),
        PART,
    )
    assert await download(api, original["id"]) == b"".join(second[n] for n in sorted(second))
    versions = (await api.client.get(f"/api/v1/files/{original['id']}/versions")).json()["items"]
    assert [(v["current"], v["size"], v["sha256"]) for v in versions] == [
        (True, 2 * PART + 20, composite(second)),
        (False, PART + 10, composite(first)),
    ]
    link = (await api.client.get(f"/api/v1/files/{original['id']}/versions/{versions[1]['id']}/download")).json()
    async with httpx.AsyncClient(timeout=60) as client:
        assert (await client.get(link["url"])).content == b"".join(first[n] for n in sorted(first))
    limits = (await api.client.get("/api/v1/files/limits")).json()
    assert limits["usedBytes"] == 3 * PART + 30


async def test_an_upload_resumes_from_the_parts_s3_holds_and_can_be_aborted(api, s3, seaweed_s3):
    bodies = file_of(2 * PART + 10)
    upload = (await api.create("resume.bin", 2 * PART + 10)).json()
    first = await api.send(upload["id"], {1: bodies[1]})
    # A reload: the client asks what is there and sends only the rest.
    held = (await api.client.get(f"/api/uploads/{upload['id']}")).json()["parts"]
    assert [(part["number"], part["etag"]) for part in held] == [(1, first[1])]
    rest = await api.send(upload["id"], {2: bodies[2], 3: bodies[3]})
    completed = await api.complete(upload["id"], bodies, {**first, **rest})
    assert completed.status_code == 201 and completed.json()["sha256"] == composite(bodies)

    other = (await api.create("aborted.bin", PART + 1)).json()
    await api.send(other["id"], {1: os.urandom(PART)})
    assert (await api.client.delete(f"/api/uploads/{other['id']}")).status_code == 204
    assert (await api.client.get(f"/api/uploads/{other['id']}")).status_code == 404
    in_progress = s3.list_multipart_uploads(Bucket=seaweed_s3.bucket, Prefix="users/alice/").get("Uploads", [])
    assert other["id"] not in [entry["Key"].rsplit("/", 1)[1] for entry in in_progress]
    assert (await api.client.get("/api/files/limits")).json()["usedBytes"] == 2 * PART + 10


async def test_s3_refuses_a_part_of_other_bytes_or_another_size(api):
    upload = (await api.create("part.bin", PART + 100)).json()
    body = os.urandom(100)
    (signed,) = (await api.sign(upload["id"], {2: body})).json()["parts"]
    async with httpx.AsyncClient(timeout=30) as client:
        other = await client.put(signed["url"], content=bytes([body[0] ^ 1]) + body[1:], headers=signed["headers"])
        longer = await client.put(signed["url"], content=body + b"!", headers=signed["headers"])
    assert other.status_code == 400 and "BadDigest" in other.text
    assert longer.status_code == 403
    assert (await api.client.get(f"/api/uploads/{upload['id']}")).json()["parts"] == []
    # Signing a part of another size than its place gives it is refused by the service.
    refused = await api.sign(upload["id"], {2: body + b"!"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_parts"


async def test_an_object_bigger_than_declared_is_refused_at_completion_and_deleted(api, s3, seaweed_s3, settings):
    bodies = file_of(2 * PART)
    upload = (await api.create("liar.bin", 2 * PART)).json()
    etags = await api.send(upload["id"], bodies)
    # A third part the service never signed, sent with the bucket's own credentials.
    key = object_keys(settings).file("alice", upload["id"])
    (entry,) = [u for u in s3.list_multipart_uploads(Bucket=seaweed_s3.bucket, Prefix=key)["Uploads"]]
    extra = os.urandom(50)
    sent = s3.upload_part(
        Bucket=seaweed_s3.bucket,
        Key=key,
        UploadId=entry["UploadId"],
        PartNumber=3,
        Body=extra,
        ChecksumSHA256=sha256_b64(extra),
    )
    parts = [{"number": n, "etag": etags[n], "sha256": sha256_b64(bodies[n])} for n in (1, 2)]
    parts.append({"number": 3, "etag": sent["ETag"], "sha256": sha256_b64(extra)})
    refused = await api.client.post(f"/api/uploads/{upload['id']}/complete", json={"parts": parts})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_parts"
    # Completed straight in S3 with the extra part, the object is checked when the client completes.
    s3.complete_multipart_upload(
        Bucket=seaweed_s3.bucket,
        Key=key,
        UploadId=entry["UploadId"],
        MultipartUpload={
            "Parts": [{"PartNumber": p["number"], "ETag": p["etag"], "ChecksumSHA256": p["sha256"]} for p in parts]
        },
    )
    mismatch = await api.complete(upload["id"], bodies, etags)
    assert mismatch.status_code == 422 and mismatch.json()["error"]["code"] == "upload_mismatch"
    assert s3.list_objects_v2(Bucket=seaweed_s3.bucket, Prefix=key).get("KeyCount") == 0
    assert (await api.client.get(f"/api/uploads/{upload['id']}")).status_code == 404
    assert (await api.client.get(f"/api/files/{upload['id']}")).status_code == 404


async def test_the_quota_counts_uploads_in_progress_and_refuses_up_front(api):
    too_big = await api.create("huge.bin", 31 * MIB)
    assert too_big.status_code == 507
    error = too_big.json()["error"]
    assert (error["code"], error["details"]) == ("quota_exceeded", {"used": 0, "quota": 30 * MIB, "size": 31 * MIB})
    over_limit = await api.create("over.bin", 41 * MIB)
    assert over_limit.status_code == 413 and over_limit.json()["error"]["code"] == "file_too_large"
    # Uploads in progress reserve their declared size.
    bodies = file_of(PART + 1)
    first = (await api.create("first.bin", PART + 1)).json()
    second = await api.create("second.bin", 24 * MIB)
    assert second.status_code == 201
    third = await api.create("third.bin", 5 * MIB)
    assert third.status_code == 507 and third.json()["error"]["details"]["used"] == PART + 1 + 24 * MIB
    assert (await api.client.get("/api/files/limits")).json()["usedBytes"] == PART + 1 + 24 * MIB
    assert (await api.client.delete(f"/api/uploads/{second.json()['id']}")).status_code == 204
    # Completing counts the upload's own reservation once.
    rest = await api.create("rest.bin", 30 * MIB - (PART + 1))
    assert rest.status_code == 201
    completed = await api.complete(first["id"], bodies, await api.send(first["id"], bodies))
    assert completed.status_code == 201, completed.text
    # The upload through the service is held to the same quota.
    refused = await api.client.post("/api/files/upload", files={"file": ("one.bin", b"x")})
    assert refused.status_code == 507 and refused.json()["error"]["code"] == "quota_exceeded"


def direct_drive(s3, bucket, *, pending=None, repository=None, now=None, quota_bytes=30 * MIB, part_url_ttl=600):
    limits = DirectUploadLimits(**{**vars(DEFAULT_DIRECT_LIMITS), "part_url_ttl_seconds": part_url_ttl})
    return build_drive(
        repository or InMemoryFileRepository(),
        S3BlobStore(s3, bucket, part_bytes=PART),
        max_upload_bytes=MIB,
        download_url_ttl_seconds=60,
        pending_uploads=pending or InMemoryPendingUploads(),
        multipart=S3MultipartStore(s3, bucket),
        quota_bytes=quota_bytes,
        direct_limits=limits,
        **({"now": now} if now else {}),
    )


async def create_direct(drive, user_id: str, size: int):
    return await drive.direct.create(
        user_id,
        name="a.bin",
        size=size,
        content_type=None,
        parent_id=None,
        on_conflict=OnConflict.FAIL,
        modified_at=None,
        part_size=PART,
    )


async def put_parts(drive, upload, bodies: dict[int, bytes]) -> list[CompletedPart]:
    requests = [PartRequest(number, len(body), sha256_b64(body)) for number, body in bodies.items()]
    signed = await drive.direct.sign_parts(upload.user_id, upload.upload_id, requests)
    async with httpx.AsyncClient(timeout=60) as client:
        sent = [await client.put(part.url, content=bodies[part.number], headers=part.headers) for part in signed]
    return [
        CompletedPart(part.number, response.headers["etag"], sha256_b64(bodies[part.number]))
        for part, response in zip(signed, sent, strict=True)
    ]


async def test_completion_refuses_what_no_longer_fits_and_deletes_it(s3, seaweed_s3):
    """Files recorded meanwhile (here straight into the totals) leave no room for the upload."""
    repository, pending = InMemoryFileRepository(), InMemoryPendingUploads()
    drive = direct_drive(s3, seaweed_s3.bucket, repository=repository, pending=pending, quota_bytes=PART + 100)
    upload = await create_direct(drive, "carol", PART + 10)
    parts = await put_parts(drive, upload, {1: os.urandom(PART), 2: os.urandom(10)})
    repository.totals["carol"] = StorageUsage(200, 1)
    with pytest.raises(QuotaExceeded) as refused:
        await drive.direct.complete("carol", upload.upload_id, parts)
    assert refused.value.details == {"used": 200, "quota": PART + 100, "size": PART + 10}
    assert s3.list_objects_v2(Bucket=seaweed_s3.bucket, Prefix=upload.object_key).get("KeyCount") == 0
    assert await pending.get("carol", upload.upload_id) is None
    assert await repository.get("carol", upload.upload_id) is None


async def test_another_users_upload_id_is_not_found(api):
    upload = (await api.create("mine.bin", 10)).json()
    bob = api.as_user("bob")
    for response in (
        await api.client.get(f"/api/uploads/{upload['id']}", headers=bob),
        await api.sign(upload["id"], {1: b"0123456789"}, user="bob"),
        await api.complete(upload["id"], {1: b"0123456789"}, {1: '"x"'}, user="bob"),
        await api.client.delete(f"/api/uploads/{upload['id']}", headers=bob),
        await api.client.get(f"/api/uploads/{ULID()}"),
    ):
        assert response.status_code == 404 and response.json()["error"]["code"] == "upload_not_found"
    assert (await api.client.get(f"/api/uploads/{upload['id']}")).status_code == 200
    # What is no item id at all reaches no upload route (the paths' `item_id` convertor).
    unrouted = await api.client.get(f"/api/uploads/{uuid.uuid4().hex}")
    assert unrouted.status_code == 404 and unrouted.json()["error"]["code"] == "not_found"


async def test_an_expired_part_url_is_refused(s3, seaweed_s3):
    drive = direct_drive(s3, seaweed_s3.bucket, part_url_ttl=1)
    upload = await create_direct(drive, "erin", 10)
    body = b"0123456789"
    (part,) = await drive.direct.sign_parts("erin", upload.upload_id, [PartRequest(1, 10, sha256_b64(body))])
    deadline = time.monotonic() + EXPIRY_WAIT_SECONDS
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.put(part.url, content=body, headers=part.headers)
        while response.status_code == 200 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            response = await client.put(part.url, content=body, headers=part.headers)
    assert response.status_code == 403 and "expired" in response.text


@pytest.fixture(params=["sqlite", "dynamodb"])
async def pending_store(request, tmp_path, unique_name):
    """The pending uploads on each real store bootstrap may build: SQLite, and DynamoDB (moto)."""
    if request.param == "sqlite":
        store = await SqliteStore.open(tmp_path / "files.db", migrations=MIGRATIONS)
        yield SqlitePendingUploads(store)
        await store.close()
        return
    dynamodb = request.getfixturevalue("dynamodb")
    dynamodb.create_table(**table_definition(unique_name))
    yield DynamoDbPendingUploads(dynamodb, unique_name)


async def test_the_sweeper_aborts_an_abandoned_upload(s3, seaweed_s3, pending_store):
    now = [datetime(2026, 11, 25, 9, 30, tzinfo=UTC)]
    drive = direct_drive(s3, seaweed_s3.bucket, pending=pending_store, now=lambda: now[0])
    upload = await create_direct(drive, "dave", 10)
    await put_parts(drive, upload, {1: b"0123456789"})
    assert await drive.direct.sweep() == 0
    assert await pending_store.reserved_bytes("dave") == 10
    now[0] += timedelta(days=2)
    assert await drive.direct.sweep() == 1
    assert await pending_store.get("dave", upload.upload_id) is None
    assert await pending_store.reserved_bytes("dave") == 0
    uploads = s3.list_multipart_uploads(Bucket=seaweed_s3.bucket, Prefix=upload.object_key).get("Uploads", [])
    assert uploads == []
    assert await drive.direct.sweep() == 0


async def test_a_batch_of_small_files_goes_straight_to_s3_and_is_listed_once_completed(api):
    bodies = {"notes.txt": os.urandom(3000), "photo.bin": os.urandom(70_000)}
    declared = [
        {"name": name, "size": len(body), "type": "text/plain", "sha256": sha256_b64(body)}
        for name, body in bodies.items()
    ]
    created = await api.client.post("/api/uploads/batches", json={"files": declared})
    assert created.status_code == 201, created.text
    batch = created.json()
    signed = {each["name"]: each for each in batch["files"]}
    assert (await api.client.get("/api/files/limits")).json()["usedBytes"] == 73_000
    async with httpx.AsyncClient(timeout=60) as s3_client:
        notes = signed["notes.txt"]
        body = bodies["notes.txt"]
        other = bytes([body[0] ^ 1]) + body[1:]
        refused = [
            await s3_client.put(notes["url"], content=other, headers=notes["headers"]),
            await s3_client.put(notes["url"], content=body + b"x", headers=notes["headers"]),
            await s3_client.put(notes["url"], content=body[:-1], headers=notes["headers"]),
        ]
        assert [response.status_code >= 400 for response in refused] == [True, True, True]
        for name, body in bodies.items():
            response = await s3_client.put(signed[name]["url"], content=body, headers=signed[name]["headers"])
            assert response.status_code == 200, response.text
    completed = await api.client.post(
        f"/api/uploads/batches/{batch['id']}/complete", json={"sent": [each["id"] for each in batch["files"]]}
    )
    assert completed.status_code == 200, completed.text
    outcomes = completed.json()["files"]
    assert [(o["state"], o["item"]["name"], o["item"]["sha256"]) for o in outcomes] == [
        ("recorded", name, sha256_b64(body)) for name, body in bodies.items()
    ]
    listed = (await api.client.get("/api/folders/root/children")).json()
    assert sorted((item["name"], item["size"]) for item in listed["items"]) == [
        ("notes.txt", 3000),
        ("photo.bin", 70_000),
    ]
    for outcome in outcomes:
        assert await download(api, outcome["id"]) == bodies[outcome["item"]["name"]]
    # A client that lost the answer gets it again.
    again = await api.client.post(f"/api/uploads/batches/{batch['id']}/complete", json={"sent": []})
    assert again.status_code == 200
    assert again.json()["files"] == outcomes
    assert (await api.client.get("/api/files/limits")).json()["usedBytes"] == 73_000


async def test_another_users_batch_is_not_found(api):
    body = b"mine"
    created = await api.client.post(
        "/api/uploads/batches", json={"files": [{"name": "a.txt", "size": 4, "sha256": sha256_b64(body)}]}
    )
    completed = await api.client.post(
        f"/api/uploads/batches/{created.json()['id']}/complete", json={"sent": []}, headers=api.as_user("bob")
    )
    assert (completed.status_code, completed.json()["error"]["code"]) == (404, "upload_not_found")
