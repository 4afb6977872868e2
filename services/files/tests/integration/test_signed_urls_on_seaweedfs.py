"""Every kind of URL the files service signs for the browser, made by the product's own adapters
(S3BlobStore.presign_download, S3MultipartStore.presign_part and presign_put, the last for the
files of a batch) and used over plain HTTP on SeaweedFS, which checks signatures as S3 does (moto
does not): a tampered URL, an expired one, one used for another key, and for an upload a body of
another size or other bytes or another content type, are all refused, while the same request as
signed succeeds. (A download is a GET: it sends no body, so
it has no size or bytes to refuse; its signature binds the key, disposition and type.)"""

import base64
import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx
import pytest

from scloud_common.aws import create_aws_client
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.adapters.s3_multipart import S3MultipartStore

pytestmark = pytest.mark.integration

# A bound on waiting for the server's clock to pass a 1-second expiry, not a sleep.
EXPIRY_WAIT_SECONDS = 15.0
BODY = b"the bytes that were signed for"


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def error_code(response: httpx.Response) -> str:
    return response.text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in response.text else ""


@dataclass(frozen=True)
class SignedRequest:
    """What the browser sends with a signed URL: the method, the URL, the headers it was told to
    send and the body."""

    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None = None

    def send(self) -> httpx.Response:
        return httpx.request(self.method, self.url, headers=self.headers, content=self.content, timeout=30)


@dataclass(frozen=True)
class SignedUrlKind:
    """One kind of signed URL: `sign(key, ttl)` prepares `key` and signs a request for it."""

    sign: Callable[[str, int], SignedRequest]
    # How the request's success shows: the body it reads, or the part it stored.
    succeeded: Callable[[str, httpx.Response], bool]


@pytest.fixture
def s3(seaweed_s3, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweed_s3.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweed_s3.secret_access_key)
    return create_aws_client("s3", region=seaweed_s3.region, endpoint_url=seaweed_s3.url)


def download_kind(s3, bucket: str) -> SignedUrlKind:
    blobs = S3BlobStore(s3, bucket, part_bytes=5 * 1024 * 1024)

    def sign(key: str, ttl: int) -> SignedRequest:
        s3.put_object(Bucket=bucket, Key=key, Body=BODY)
        url = blobs.presign_download(
            key, content_disposition="attachment", content_type="application/octet-stream", ttl_seconds=ttl
        )
        return SignedRequest("GET", url, {})

    return SignedUrlKind(sign, lambda key, response: response.status_code == 200 and response.content == BODY)


def upload_part_kind(s3, bucket: str) -> SignedUrlKind:
    multipart = S3MultipartStore(s3, bucket)
    upload_ids: dict[str, str] = {}

    def sign(key: str, ttl: int) -> SignedRequest:
        upload_ids[key] = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256")["UploadId"]
        url, headers = multipart.presign_part(
            key, upload_ids[key], number=1, size=len(BODY), sha256=sha256_b64(BODY), ttl_seconds=ttl
        )
        return SignedRequest("PUT", url, headers, BODY)

    def succeeded(key: str, response: httpx.Response) -> bool:
        parts = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_ids[key]).get("Parts", [])
        return response.status_code == 200 and [(part["PartNumber"], part["Size"]) for part in parts] == [
            (1, len(BODY))
        ]

    return SignedUrlKind(sign, succeeded)


def put_object_kind(s3, bucket: str) -> SignedUrlKind:
    multipart = S3MultipartStore(s3, bucket)

    def sign(key: str, ttl: int) -> SignedRequest:
        url, headers = multipart.presign_put(
            key, size=len(BODY), content_type="application/octet-stream", sha256=sha256_b64(BODY), ttl_seconds=ttl
        )
        return SignedRequest("PUT", url, headers, BODY)

    def succeeded(key: str, response: httpx.Response) -> bool:
        return response.status_code == 200 and s3.get_object(Bucket=bucket, Key=key)["Body"].read() == BODY

    return SignedUrlKind(sign, succeeded)


KINDS = {"download": download_kind, "upload_part": upload_part_kind, "put_object": put_object_kind}
UPLOAD_KINDS = ["upload_part", "put_object"]


@pytest.fixture(params=list(KINDS))
def kind(request, s3, seaweed_s3) -> SignedUrlKind:
    return KINDS[request.param](s3, seaweed_s3.bucket)


@pytest.fixture
def key() -> str:
    return f"users/{uuid.uuid4().hex}/{uuid.uuid4().hex}"


def refused(response: httpx.Response) -> bool:
    return response.status_code in (400, 403) and error_code(response) != ""


def test_a_tampered_signature_is_refused(kind, key):
    signed = kind.sign(key, 60)
    last = signed.url[-1]
    forged = replace(signed, url=signed.url[:-1] + ("0" if last != "0" else "1"))
    response = forged.send()
    assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch")
    assert kind.succeeded(key, signed.send())


def test_a_signed_parameter_changed_is_refused(kind, key):
    """A download's disposition or type, a part's number, a PUT's content type: each is under the
    signature."""
    signed = kind.sign(key, 60)
    changes = [
        ("response-content-disposition=attachment", "response-content-disposition=inline"),
        ("response-content-type=application%2Foctet-stream", "response-content-type=text%2Fhtml"),
        ("partNumber=1", "partNumber=2"),
    ]
    forgeries = [replace(signed, url=signed.url.replace(old, new)) for old, new in changes if old in signed.url]
    if "Content-Type" in signed.headers:
        forgeries.append(replace(signed, headers={**signed.headers, "Content-Type": "text/html"}))
    assert forgeries
    for forged in forgeries:
        response = forged.send()
        assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch"), forged.url
    assert kind.succeeded(key, signed.send())


def test_an_expired_url_is_refused(kind, key):
    signed = kind.sign(key, 1)
    deadline = time.monotonic() + EXPIRY_WAIT_SECONDS
    response = signed.send()
    while not refused(response) and time.monotonic() < deadline:
        time.sleep(0.2)
        response = signed.send()
    assert (response.status_code, error_code(response)) == (403, "AccessDenied")
    assert "expired" in response.text
    # Signed for longer, the same request works: the refusal was the expiry's.
    other = f"{key}-long"
    assert kind.succeeded(other, kind.sign(other, 600).send())


def test_a_url_used_for_another_key_is_refused(kind, key):
    signed = kind.sign(key, 60)
    other = key.rsplit("/", 1)[0] + "/other"
    kind.sign(other, 60)
    forged = replace(signed, url=signed.url.replace(f"/{key}?", f"/{other}?"))
    assert forged.url != signed.url
    response = forged.send()
    assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch")
    assert BODY not in response.content
    assert kind.succeeded(key, signed.send())


@pytest.fixture(params=UPLOAD_KINDS)
def upload(request, s3, seaweed_s3) -> SignedUrlKind:
    return KINDS[request.param](s3, seaweed_s3.bucket)


@pytest.mark.parametrize("body", [BODY + b"!", BODY[:-1], b""], ids=["longer", "shorter", "empty"])
def test_an_upload_of_another_size_is_refused(upload, key, body):
    signed = upload.sign(key, 60)
    response = replace(signed, content=body).send()
    assert response.status_code == 403 and error_code(response) == "SignatureDoesNotMatch"
    assert not upload.succeeded(key, response)
    assert upload.succeeded(key, signed.send())


def test_an_upload_of_other_bytes_is_refused(upload, key):
    signed = upload.sign(key, 60)
    other = bytes([BODY[0] ^ 1]) + BODY[1:]
    # Same size, the signed checksum header: S3 hashes what arrives and refuses it.
    response = replace(signed, content=other).send()
    assert (response.status_code, error_code(response)) == (400, "BadDigest")
    # Without the checksum header the signature no longer matches.
    response = replace(signed, headers={}, content=other).send()
    assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch")
    # Another checksum header than the signed one, even the right digest of the other bytes.
    response = replace(signed, headers={"x-amz-checksum-sha256": sha256_b64(other)}, content=other).send()
    assert response.status_code == 403
    assert upload.succeeded(key, signed.send())
