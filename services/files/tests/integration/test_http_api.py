"""Every route of the real app, served by uvicorn, against moto server."""

import os

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scloud_files.provision import files_table_name

pytestmark = pytest.mark.integration

MIB = 1024 * 1024


@pytest.fixture
def client(running_service):
    with httpx.Client(base_url=running_service.url, timeout=60) as client:
        yield client


@pytest.fixture
def as_user(make_token):
    def headers(user_id: str) -> dict:
        return {"Authorization": f"Bearer {make_token(user_id)}"}

    return headers


@pytest.fixture
def alice(as_user):
    return as_user("alice")


@pytest.fixture
def bob(as_user):
    return as_user("bob")


def upload(client, headers, name: str, content: bytes, content_type: str = "text/plain") -> httpx.Response:
    return client.post("/api/files/upload", headers=headers, files={"file": (name, content, content_type)})


def stored_nothing(s3, dynamodb, settings) -> bool:
    objects = s3.list_objects_v2(Bucket=settings.s3_bucket).get("KeyCount", 0)
    uploads = s3.list_multipart_uploads(Bucket=settings.s3_bucket).get("Uploads", [])
    items = dynamodb.scan(TableName=files_table_name(settings))["Count"]
    return objects == 0 and uploads == [] and items == 0


def test_limits(client, alice):
    assert client.get("/api/files/limits", headers=alice).json() == {"maxUploadBytes": 12 * MIB}


def test_upload_get_list_download_delete(client, alice, s3, settings):
    content = os.urandom(300_000)
    response = upload(client, alice, "C:\\fakepath\\holiday photo.jpg", content, "image/jpeg")
    assert response.status_code == 201, response.text
    file = response.json()
    assert set(file) == {"fileId", "fileName", "fileSize", "fileType", "uploadDate"}
    assert (file["fileName"], file["fileSize"], file["fileType"]) == ("holiday photo.jpg", 300_000, "image/jpeg")
    head = s3.head_object(Bucket=settings.s3_bucket, Key=f"users/alice/{file['fileId']}")
    assert head["ServerSideEncryption"] == "AES256"
    assert client.get(f"/api/files/{file['fileId']}", headers=alice).json() == file
    assert client.get("/api/files", headers=alice).json() == {"files": [file], "nextCursor": None}
    link = client.get(f"/api/files/{file['fileId']}/download", headers=alice).json()
    assert set(link) == {"url", "expiresAt"}
    downloaded = httpx.get(link["url"])
    assert downloaded.content == content and downloaded.headers["content-type"] == "image/jpeg"
    assert client.delete(f"/api/files/{file['fileId']}", headers=alice).status_code == 204
    assert client.get(f"/api/files/{file['fileId']}", headers=alice).status_code == 404
    assert client.delete(f"/api/files/{file['fileId']}", headers=alice).status_code == 404
    assert s3.list_objects_v2(Bucket=settings.s3_bucket).get("KeyCount", 0) == 0


def test_multipart_upload_of_a_file_larger_than_a_part(client, alice):
    content = os.urandom(11 * MIB)
    response = upload(client, alice, "big.bin", content, "application/octet-stream")
    assert response.status_code == 201, response.text
    file = response.json()
    assert file["fileSize"] == 11 * MIB
    link = client.get(f"/api/files/{file['fileId']}/download", headers=alice).json()
    assert httpx.get(link["url"], timeout=60).content == content


def test_streamed_body_without_content_length(client, alice):
    boundary = "scloud-test-boundary"
    content = os.urandom(6 * MIB)

    def body():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="chunked.bin"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        for start in range(0, len(content), MIB):
            yield content[start : start + MIB]
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        "/api/files/upload",
        headers={**alice, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=body(),
    )
    assert response.status_code == 201, response.text
    assert (response.json()["fileSize"], response.json()["fileType"]) == (6 * MIB, "application/pdf")


def test_download_keeps_a_utf8_file_name(client, alice):
    file = upload(client, alice, "résumé 日本.txt", b"bonjour").json()
    assert file["fileName"] == "résumé 日本.txt"
    link = client.get(f"/api/files/{file['fileId']}/download", headers=alice).json()
    downloaded = httpx.get(link["url"])
    assert downloaded.content == b"bonjour"
    assert downloaded.headers["content-disposition"] == (
        "attachment; filename=\"resume __.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E6%97%A5%E6%9C%AC.txt"
    )


@pytest.mark.parametrize("size", [12 * MIB + 1, 40 * MIB])
def test_upload_over_the_limit_is_413_and_stores_nothing(client, alice, s3, dynamodb, settings, size):
    response = upload(client, alice, "big.bin", b"\0" * size, "application/octet-stream")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert stored_nothing(s3, dynamodb, settings)


def test_list_pages_newest_first(client, alice, bob):
    ids = [upload(client, alice, f"{index}.txt", b"x").json()["fileId"] for index in range(5)]
    upload(client, bob, "bob.txt", b"x")
    pages, cursor = [], None
    for _ in range(4):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/files", headers=alice, params=params).json()
        pages.append([file["fileId"] for file in page["files"]])
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[:1]]


@pytest.mark.parametrize(
    "params, code",
    [
        ({"limit": 0}, "validation_error"),
        ({"limit": 101}, "validation_error"),
        ({"limit": "many"}, "validation_error"),
        ({"cursor": "garbage!"}, "invalid_cursor"),
    ],
)
def test_list_refuses_bad_paging(client, alice, params, code):
    response = client.get("/api/files", headers=alice, params=params)
    assert response.status_code == 422 and response.json()["error"]["code"] == code


def test_another_users_file_answers_404_like_a_missing_one(client, alice, bob):
    file_id = upload(client, alice, "secret.txt", b"alice only").json()["fileId"]
    missing = "01JAAAAAAAAAAAAAAAAAAAAAAA"
    for method, path in (("GET", "/api/files/{}"), ("GET", "/api/files/{}/download"), ("DELETE", "/api/files/{}")):
        theirs = client.request(method, path.format(file_id), headers=bob)
        absent = client.request(method, path.format(missing), headers=bob)
        assert theirs.status_code == absent.status_code == 404
        assert theirs.json() == absent.json() == {"error": {"code": "file_not_found", "message": "File not found."}}
    assert client.get("/api/files", headers=bob).json()["files"] == []
    assert client.get(f"/api/files/{file_id}", headers=alice).status_code == 200


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"files": {"other": ("a.txt", b"x")}},
        {"content": b'{"file": "x"}', "headers": {"Content-Type": "application/json"}},
        {"content": b"garbage", "headers": {"Content-Type": "multipart/form-data; boundary=xyz"}},
    ],
)
def test_upload_without_a_file_field_is_422(client, alice, s3, dynamodb, settings, request_kwargs):
    headers = {**alice, **request_kwargs.pop("headers", {})}
    response = client.post("/api/files/upload", headers=headers, **request_kwargs)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_upload"
    assert stored_nothing(s3, dynamodb, settings)


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/files/limits"),
        ("GET", "/api/files"),
        ("POST", "/api/files/upload"),
        ("GET", "/api/files/01JAAAAAAAAAAAAAAAAAAAAAAA"),
        ("GET", "/api/files/01JAAAAAAAAAAAAAAAAAAAAAAA/download"),
        ("DELETE", "/api/files/01JAAAAAAAAAAAAAAAAAAAAAAA"),
    ],
)
def test_routes_need_a_valid_token(client, make_token, method, path):
    forged = make_token("alice", key=Ed25519PrivateKey.generate())
    expired = make_token("alice", iat=1_000_000_000, exp=1_000_000_300)
    for headers in (
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": f"Bearer {expired}"},
    ):
        response = client.request(method, path, headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"]["code"] in ("unauthenticated", "invalid_token")


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"dynamodb": "ok", "s3": "ok", "auth": "ok"}


def test_openapi_documents_the_upload_body(client):
    upload_operation = client.get("/openapi.json").json()["paths"]["/api/files/upload"]["post"]
    schema = upload_operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"]
    assert {"201", "401", "413", "422"} <= set(upload_operation["responses"])
