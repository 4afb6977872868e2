"""`python -m scloud_files.provision` and the purge tool on the embedded stores, as `make run`
has them: FILES_STORE=sqlite and SeaweedFS reached through boto3's own AWS_ENDPOINT_URL_S3. The
bucket is set up idempotently (SeaweedFS has no public access block: tolerated with a log line),
no DynamoDB endpoint is ever called, and trashed items are purged from the database and the
bucket."""

import asyncio
import os
import subprocess
import sys

import pytest

from scloud_files.bootstrap import build_blob_store, open_repository
from scloud_files.config import FilesStorageSettings
from scloud_files.drive.use_cases import build_drive
from scloud_files.purge_trash import purge_store
from services.files.tests.doubles import chunks_of

pytestmark = pytest.mark.integration

# Nothing listens there: a DynamoDB or SES call would fail the command.
UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture
def environment(seaweed_s3, unique_name, tmp_path) -> dict[str, str]:
    """What `make run` gives the files tools: no FILES_AWS_ENDPOINT_URL, per-service endpoints."""
    return {
        **seaweed_s3.client_env(),
        "AWS_ENDPOINT_URL_DYNAMODB": UNREACHABLE,
        "AWS_ENDPOINT_URL_SESV2": UNREACHABLE,
        "FILES_STORE": "sqlite",
        "FILES_SQLITE_PATH": str(tmp_path / "data" / "files.db"),
        "FILES_S3_BUCKET": f"{unique_name}-files",
    }


def provision(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scloud_files.provision"],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_provisioning_sets_up_the_bucket_on_seaweedfs_and_makes_no_table(environment, seaweed_s3):
    bucket = environment["FILES_S3_BUCKET"]
    for _ in range(2):
        result = provision(environment)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no public access block" in result.stderr
        assert "store is sqlite: no DynamoDB table" in result.stderr
    s3 = seaweed_s3.client()
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert encryption[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] for rule in rules] == [1]
    # The database was made, empty, by the migration that follows provisioning.
    assert os.path.getsize(environment["FILES_SQLITE_PATH"]) > 0


def test_the_purge_tool_removes_emptied_trash_from_sqlite_and_seaweedfs(environment, seaweed_s3, monkeypatch):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert provision(environment).returncode == 0
    settings = FilesStorageSettings()
    s3 = seaweed_s3.client()

    async def upload_and_empty_the_trash() -> str:
        async with open_repository(settings) as repository:
            drive = build_drive(
                repository, build_blob_store(settings), max_upload_bytes=1000, download_url_ttl_seconds=60
            )
            stored = await drive.upload_file(
                "alice", file_name="gone.txt", content_type="text/plain", chunks=chunks_of(b"bytes")
            )
            await drive.trash_item("alice", stored.item_id, kind=None)
            assert await drive.empty_trash("alice") == 1
            return stored.object_key

    key = asyncio.run(upload_and_empty_the_trash())
    assert s3.list_objects_v2(Bucket=settings.s3_bucket, Prefix=key)["KeyCount"] == 1

    assert asyncio.run(purge_store(settings)) == 1
    assert s3.list_objects_v2(Bucket=settings.s3_bucket, Prefix=key)["KeyCount"] == 0
    assert asyncio.run(purge_store(settings)) == 0
