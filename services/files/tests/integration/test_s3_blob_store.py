import asyncio
import os

import httpx
import pytest

from scloud_common.aws import AwsFault, create_aws_client
from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters import s3 as s3_module
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.domain import FileTooLarge, content_disposition
from services.files.tests.contracts.file_ports import BlobStoreContract

pytestmark = pytest.mark.integration

MIB = 1024 * 1024


def s3_blob_store(settings, s3) -> S3BlobStore:
    public = create_aws_client("s3", region="us-east-1", endpoint_url=settings.s3_public_endpoint_url)
    return S3BlobStore(s3, settings.s3_bucket, part_bytes=5 * MIB, presign_client=public)


@pytest.fixture
def blob_store(settings, s3):
    return s3_blob_store(settings, s3)


async def chunks_of(content: bytes, size: int = 256 * 1024, fail_after: int | None = None):
    for start in range(0, len(content), size):
        if fail_after is not None and start >= fail_after:
            raise FileTooLarge()
        yield content[start : start + size]


class TestS3BlobStore(BlobStoreContract):
    @pytest.fixture
    def blob_store(self, settings, s3):
        return s3_blob_store(settings, s3)

    @pytest.fixture
    def read_object(self, s3, settings):
        def read(key: str):
            try:
                response = s3.get_object(Bucket=settings.s3_bucket, Key=key)
            except s3.exceptions.NoSuchKey:
                return None
            return response["Body"].read(), response["ContentType"]

        return lambda key: asyncio.to_thread(read, key)


def bucket_is_empty(s3, bucket: str) -> bool:
    return (
        s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
        and s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    )


def test_bucket_is_encrypted_and_private(settings, s3):
    encryption = s3.get_bucket_encryption(Bucket=settings.s3_bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=settings.s3_bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    rules = s3.get_bucket_lifecycle_configuration(Bucket=settings.s3_bucket)["Rules"]
    assert rules[0]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}


@pytest.mark.parametrize("size", [0, 1000, 5 * MIB, 11 * MIB + 3])
async def test_put_stores_the_bytes_encrypted(blob_store, settings, s3, size):
    content = os.urandom(size)
    await blob_store.put("users/u/f", chunks_of(content), content_type="image/png")
    stored = s3.get_object(Bucket=settings.s3_bucket, Key="users/u/f")
    assert stored["Body"].read() == content
    assert (stored["ContentType"], stored["ServerSideEncryption"]) == ("image/png", "AES256")
    assert s3.list_multipart_uploads(Bucket=settings.s3_bucket).get("Uploads", []) == []


@pytest.mark.parametrize("fail_after", [0, 3 * MIB, 12 * MIB])
async def test_failing_stream_leaves_nothing_behind(blob_store, settings, s3, fail_after):
    with pytest.raises(FileTooLarge):
        await blob_store.put("users/u/f", chunks_of(os.urandom(16 * MIB), fail_after=fail_after), content_type="a/b")
    assert bucket_is_empty(s3, settings.s3_bucket)


async def test_copy_of_a_multipart_object_is_byte_identical_typed_and_encrypted(blob_store, settings, s3):
    # A direct upload's object is multipart; the copy is one server-side request for it.
    content = os.urandom(11 * MIB + 3)
    await blob_store.put("users/u/source", chunks_of(content), content_type="video/mp4")
    await blob_store.copy("users/u/source", "users/u/copy")
    copied = s3.get_object(Bucket=settings.s3_bucket, Key="users/u/copy")
    assert copied["Body"].read() == content
    assert (copied["ContentType"], copied["ServerSideEncryption"]) == ("video/mp4", "AES256")
    await blob_store.delete("users/u/source")
    assert s3.get_object(Bucket=settings.s3_bucket, Key="users/u/copy")["ContentLength"] == len(content)


async def test_presigned_link_downloads_as_a_named_attachment(blob_store):
    name = 'résumé 日本 "q";\r\n.txt'
    await blob_store.put("users/u/f", chunks_of(b"bonjour"), content_type="text/plain")
    url = blob_store.presign_download(
        "users/u/f", content_disposition=content_disposition(name), content_type="text/plain", ttl_seconds=60
    )
    assert url.startswith("http://localhost:")
    response = httpx.get(url)
    assert response.status_code == 200 and response.content == b"bonjour"
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["content-disposition"] == content_disposition(name)


async def test_delete_prefix_in_batches_is_idempotent(blob_store, settings, s3, monkeypatch):
    monkeypatch.setattr(s3_module, "DELETE_BATCH_SIZE", 2)
    for index in range(5):
        s3.put_object(Bucket=settings.s3_bucket, Key=f"users/alice/{index}", Body=b"x")
    s3.put_object(Bucket=settings.s3_bucket, Key="users/alice-2/kept", Body=b"x")
    assert await blob_store.delete_prefix("users/alice/") == 5
    assert await blob_store.delete_prefix("users/alice/") == 0
    await blob_store.delete("users/alice/0")
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=settings.s3_bucket)["Contents"]]
    assert keys == ["users/alice-2/kept"]


async def test_a_missing_bucket_is_a_fault_and_an_unreachable_endpoint_an_outage(s3, unique_name):
    missing_bucket = S3BlobStore(s3, f"{unique_name}-absent", part_bytes=5 * MIB)
    with pytest.raises(AwsFault):
        await missing_bucket.put("k", chunks_of(b"x"), content_type="a/b")
    with pytest.raises(AwsFault):
        await missing_bucket.check_ready()
    unreachable = create_aws_client("s3", region="us-east-1", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(ServiceUnavailable):
        await S3BlobStore(unreachable, "bucket", part_bytes=5 * MIB).delete("k")
