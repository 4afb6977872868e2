"""The files table unavailable (DynamoDB answering 503) while an upload is in flight: the upload
answers a JSON 503 and keeps no bytes, other requests fail fast, and all works again after."""

import time

import httpx

PART = 8 * 1024 * 1024  # the files service's default multipart part size


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
    faults.assert_no_orphans()
