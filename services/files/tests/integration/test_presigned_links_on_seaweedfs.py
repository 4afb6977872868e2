"""What the links SCloud signs are bound to, shown on SeaweedFS (moto accepts any presigned URL):
the S3 client is the product's own (`create_aws_client`: SigV4, path-style) with the
SeaweedFS identity, and the links are used over plain HTTP as a browser would."""

import base64
import hashlib
import os
import time
import uuid

import httpx
import pytest

from scloud_common.aws import create_aws_client

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
# Bounds for waiting on the server's clock, not sleeps: a 1-second link has expired well before.
EXPIRY_WAIT_SECONDS = 15.0


@pytest.fixture
def s3(seaweed_s3, monkeypatch):
    """The product's S3 client for SeaweedFS: it takes its identity from the environment, as the
    services do."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweed_s3.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweed_s3.secret_access_key)
    return create_aws_client("s3", region=seaweed_s3.region, endpoint_url=seaweed_s3.url)


@pytest.fixture
def bucket(seaweed_s3) -> str:
    return seaweed_s3.bucket


@pytest.fixture
def key() -> str:
    return f"users/{uuid.uuid4().hex}/file"


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def error_code(response: httpx.Response) -> str:
    return response.text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in response.text else ""


def presign_get(s3, bucket: str, key: str, ttl: int = 60, **params: str) -> str:
    return s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key, **params}, ExpiresIn=ttl)


def test_a_presigned_get_serves_the_bytes_with_the_signed_disposition_and_type(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"bonjour", ContentType="text/plain")
    disposition = "attachment; filename=\"r.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt"
    url = presign_get(
        s3, bucket, key, ResponseContentDisposition=disposition, ResponseContentType="application/x-scloud"
    )
    response = httpx.get(url)
    assert response.status_code == 200 and response.content == b"bonjour"
    assert response.headers["content-disposition"] == disposition
    assert response.headers["content-type"] == "application/x-scloud"


def test_a_tampered_link_is_refused(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"secret")
    url = presign_get(s3, bucket, key, ResponseContentDisposition="attachment")
    last = url[-1]
    forged_signature = url[:-1] + ("0" if last != "0" else "1")
    forged_disposition = url.replace("response-content-disposition=attachment", "response-content-disposition=inline")
    assert forged_disposition != url
    for forged in (forged_signature, forged_disposition):
        response = httpx.get(forged)
        assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch")
    assert httpx.get(url).status_code == 200


def test_an_expired_link_is_refused(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"secret")
    short = presign_get(s3, bucket, key, ttl=1)
    long = presign_get(s3, bucket, key, ttl=600)
    deadline = time.monotonic() + EXPIRY_WAIT_SECONDS
    response = httpx.get(short)
    while response.status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
        response = httpx.get(short)
    assert (response.status_code, error_code(response)) == (403, "AccessDenied")
    assert "expired" in response.text
    # The same request signed for longer still works: the refusal is the expiry's.
    assert httpx.get(long).content == b"secret"


def test_a_link_used_for_another_key_is_refused(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"mine")
    other = key.replace("/file", "/other")
    s3.put_object(Bucket=bucket, Key=other, Body=b"not yours")
    url = presign_get(s3, bucket, key)
    response = httpx.get(url.replace(f"/{key}?", f"/{other}?"))
    assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch")
    assert "not yours" not in response.text


def test_a_presigned_put_refuses_another_type_or_length_than_signed(s3, bucket, key):
    url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": bucket, "Key": key, "ContentType": "image/png", "ContentLength": 5}
    )
    for content_type, body in [("text/html", b"12345"), ("image/png", b"123456"), ("image/png", b"1234")]:
        response = httpx.put(url, content=body, headers={"Content-Type": content_type})
        assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch"), (content_type, body)
    assert s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount") == 0
    assert httpx.put(url, content=b"12345", headers={"Content-Type": "image/png"}).status_code == 200
    stored = s3.get_object(Bucket=bucket, Key=key)
    assert (stored["Body"].read(), stored["ContentType"]) == (b"12345", "image/png")


def presign_part(s3, bucket: str, key: str, upload_id: str, number: int, body: bytes) -> str:
    params = {
        "Bucket": bucket,
        "Key": key,
        "UploadId": upload_id,
        "PartNumber": number,
        "ContentLength": len(body),
        "ChecksumSHA256": sha256_b64(body),
    }
    return s3.generate_presigned_url("upload_part", Params=params, ExpiresIn=60)


def test_a_presigned_part_refuses_bytes_that_do_not_match_its_signed_checksum(s3, bucket, key):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256")["UploadId"]
    body = os.urandom(1000)
    url = presign_part(s3, bucket, key, upload_id, 1, body)
    other = bytes([body[0] ^ 1]) + body[1:]
    checksum = {"x-amz-checksum-sha256": sha256_b64(body)}
    # Same length, same signed checksum header, other bytes: S3 computes the digest and refuses.
    response = httpx.put(url, content=other, headers=checksum)
    assert (response.status_code, error_code(response)) == (400, "BadDigest")
    # Leaving the signed header out breaks the signature instead.
    assert httpx.put(url, content=other).status_code == 403
    assert s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id).get("Parts", []) == []
    assert httpx.put(url, content=body, headers=checksum).status_code == 200
    s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)


def test_a_multipart_upload_through_presigned_parts_lists_and_completes(s3, bucket, key):
    upload_id = s3.create_multipart_upload(
        Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256", ContentType="application/octet-stream"
    )["UploadId"]
    parts = [os.urandom(5 * MIB), os.urandom(1234)]
    stored = []
    for number, body in enumerate(parts, start=1):
        checksum = sha256_b64(body)
        url = presign_part(s3, bucket, key, upload_id, number, body)
        response = httpx.put(url, content=body, headers={"x-amz-checksum-sha256": checksum}, timeout=30)
        assert response.status_code == 200
        assert response.headers["x-amz-checksum-sha256"] == checksum
        stored.append({"PartNumber": number, "ETag": response.headers["etag"], "ChecksumSHA256": checksum})
    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)["Parts"]
    assert [(part["PartNumber"], part["Size"], part["ETag"]) for part in listed] == [
        (number, len(body), entry["ETag"]) for number, body, entry in zip((1, 2), parts, stored, strict=True)
    ]
    completed = s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": stored}
    )
    # The composite checksum: SHA-256 of the parts' digests, then "-<number of parts>".
    composite = sha256_b64(b"".join(hashlib.sha256(body).digest() for body in parts)) + f"-{len(parts)}"
    assert completed["ChecksumSHA256"] == composite
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert (head["ContentLength"], head["ChecksumSHA256"]) == (sum(map(len, parts)), composite)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"".join(parts)


def test_the_bucket_allows_cross_origin_get_and_put_from_its_origin_only(s3, bucket, key):
    (rule,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    (origin,) = rule["AllowedOrigins"]
    url = presign_get(s3, bucket, key)
    for method in ("GET", "PUT", "HEAD"):
        preflight = httpx.options(url, headers={"Origin": origin, "Access-Control-Request-Method": method})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == origin
        assert method in preflight.headers["access-control-allow-methods"]
        assert "ETag" in preflight.headers["access-control-expose-headers"]
    foreign = httpx.options(url, headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
    assert foreign.status_code == 403 and "access-control-allow-origin" not in foreign.headers


def test_the_bucket_keeps_earlier_versions(s3, bucket, key):
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_object(Bucket=bucket, Key=key, Body=b"first")
    s3.put_object(Bucket=bucket, Key=key, Body=b"second")
    versions = s3.list_object_versions(Bucket=bucket, Prefix=key)["Versions"]
    older = [version for version in versions if not version["IsLatest"]]
    assert len(versions) == 2 and len(older) == 1
    assert s3.get_object(Bucket=bucket, Key=key, VersionId=older[0]["VersionId"])["Body"].read() == b"first"
