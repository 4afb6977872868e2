"""The S3 blob store's contract and integration tests (test_s3_blob_store.py) run again on
SeaweedFS, which checks the presigned link's signature where moto does not.

Not run here: test_bucket_is_encrypted_and_private, because SeaweedFS answers 501 NotImplemented
to the public access block (GetPublicAccessBlock and PutPublicAccessBlock)."""

from types import SimpleNamespace

import pytest

from scloud_common.aws import create_aws_client
from services.files.tests.integration.test_s3_blob_store import (
    TestS3BlobStore,
    s3_blob_store,
    test_a_missing_bucket_is_a_fault_and_an_unreachable_endpoint_an_outage,
    test_copy_of_a_multipart_object_is_byte_identical_typed_and_encrypted,
    test_delete_prefix_in_batches_is_idempotent,
    test_failing_stream_leaves_nothing_behind,
    test_presigned_link_downloads_as_a_named_attachment,
    test_put_stores_the_bytes_encrypted,
)

pytestmark = pytest.mark.integration

__all__ = [
    "TestS3BlobStore",
    "test_a_missing_bucket_is_a_fault_and_an_unreachable_endpoint_an_outage",
    "test_copy_of_a_multipart_object_is_byte_identical_typed_and_encrypted",
    "test_delete_prefix_in_batches_is_idempotent",
    "test_failing_stream_leaves_nothing_behind",
    "test_presigned_link_downloads_as_a_named_attachment",
    "test_put_stores_the_bytes_encrypted",
]


@pytest.fixture
def s3(seaweed_s3, monkeypatch):
    """The product's S3 client with the SeaweedFS identity, taken from the environment as the
    services take theirs (the blob store's presigning client is built the same way)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweed_s3.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweed_s3.secret_access_key)
    return create_aws_client("s3", region=seaweed_s3.region, endpoint_url=seaweed_s3.url)


@pytest.fixture
def settings(seaweed_s3, s3, unique_name):
    """The two settings the blob store tests read, for a bucket of their own made as
    provisioning makes it (less the public access block SeaweedFS lacks)."""
    bucket = f"{unique_name}-files"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    return SimpleNamespace(s3_bucket=bucket, s3_public_endpoint_url=seaweed_s3.url.replace("127.0.0.1", "localhost"))


@pytest.fixture
def blob_store(settings, s3):
    return s3_blob_store(settings, s3)
