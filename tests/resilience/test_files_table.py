"""The files table unavailable (DynamoDB answering 503) while an upload is in flight: the upload
answers a JSON 503, other requests fail fast, and all works again after. No listed file is ever
without its bytes; the failed upload's bytes (its row's fate could not be read) are left to the
reconcile pass, which removes them."""

import asyncio
import time
from datetime import timedelta

import httpx

from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.drive.clock import utc_now
from scloud_files.drive.reconcile import ReconcileStore, reconcile_everything

PART = 8 * 1024 * 1024  # the files service's default multipart part size


def reconcile_now(faults) -> list[str]:
    """One full reconcile pass on the stack's storage, without the grace period."""
    reconcile = ReconcileStore(
        DynamoDbFileRepository(faults.aws("dynamodb"), faults.files_table),
        S3BlobStore(faults.aws("s3"), faults.stack.bucket, part_bytes=PART),
        grace=timedelta(0),
        page_size=100,
        now=lambda: utc_now() + timedelta(seconds=5),
    )
    report = asyncio.run(reconcile_everything(reconcile))
    assert report.rows_without_objects == []
    return report.objects_deleted


def test_the_files_table_unavailable_mid_upload(faults):
    account = faults.register()
    body, upload = faults.start_upload(account, 2 * PART)
    try:
        assert body.halfway.wait(timeout=30), "the upload never got half way"
        faults.proxy.unavailable.set()
        failed_at = time.monotonic()
        body.resume.set()
        listed, elapsed = faults.timed(
            lambda: httpx.get(f"{faults.url('files')}/api/files", headers=account.headers, timeout=30)
        )
        faults.assert_json_failure_within(listed, elapsed)
        upload["thread"].join(timeout=faults.upload_bound + 30)
        assert "finished" in upload, "the upload never answered"
        faults.assert_json_failure_within(upload["response"], upload["finished"] - failed_at, faults.upload_bound)
    finally:
        body.resume.set()
        faults.proxy.unavailable.clear()
    listed = httpx.get(f"{faults.url('files')}/api/files", headers=account.headers, timeout=10)
    assert listed.status_code == 200 and listed.json()["items"] == []
    assert faults.upload_small(account).status_code == 201
    assert len(reconcile_now(faults)) == 1
    faults.assert_no_orphans()
