"""The S3/DynamoDB endpoint frozen or killed while an upload is in flight: every other request
answers a JSON 503/504 in bounded time, the upload fails cleanly, and all works again after."""

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

PART = 8 * 1024 * 1024  # the files service's default multipart part size


def requests_during_the_fault(faults, account, file_id: str) -> dict:
    files, users = faults.url("files"), faults.url("users")
    return {
        "list files": lambda: httpx.get(f"{files}/api/files", headers=account.headers, timeout=30),
        "read file": lambda: httpx.get(f"{files}/api/files/{file_id}", headers=account.headers, timeout=30),
        "download link": lambda: httpx.get(
            f"{files}/api/files/{file_id}/download", headers=account.headers, timeout=30
        ),
        "profile": lambda: httpx.get(f"{users}/api/users/me", headers=account.headers, timeout=30),
        "login": lambda: faults.login(account),
    }


def assert_every_request_fails_fast(faults, account, file_id: str) -> None:
    calls = requests_during_the_fault(faults, account, file_id)
    with ThreadPoolExecutor(len(calls)) as pool:
        answers = dict(zip(calls, pool.map(lambda call: faults.timed(call), calls.values()), strict=True))
    for name, (response, elapsed) in answers.items():
        try:
            faults.assert_json_failure_within(response, elapsed)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from None


def assert_works_again(faults, account) -> None:
    faults.wait_until_ok(f"{faults.url('files')}/readyz", within=30)
    listed = httpx.get(f"{faults.url('files')}/api/files", headers=account.headers, timeout=10)
    assert listed.status_code == 200, listed.text
    assert faults.upload_small(account).status_code == 201
    assert faults.login(account).status_code == 200


def strike_mid_upload(faults, account, fault) -> None:
    """Runs `fault` half way through a multipart upload, then holds every request to its bound."""
    stored = faults.upload_small(account)
    assert stored.status_code == 201
    body, upload = faults.start_upload(account, 3 * PART)
    try:
        assert body.halfway.wait(timeout=30), "the upload never got half way"
        fault()
        struck_at = time.monotonic()
        body.resume.set()
        assert_every_request_fails_fast(faults, account, stored.json()["id"])
        upload["thread"].join(timeout=faults.upload_bound + 30)
        assert "finished" in upload, "the upload never answered"
        faults.assert_json_failure_within(upload["response"], upload["finished"] - struck_at, faults.upload_bound)
    finally:
        body.resume.set()


def test_a_frozen_endpoint_mid_upload(faults):
    account = faults.register()
    try:
        strike_mid_upload(faults, account, lambda: faults.freeze("s3"))
    finally:
        faults.thaw("s3")
    assert_works_again(faults, account)
    # Requests queued while frozen (the clean-up included) land once it resumes.
    deadline = time.monotonic() + 30
    while True:
        try:
            faults.assert_no_orphans()
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def test_a_killed_endpoint_mid_upload(faults):
    account = faults.register()
    try:
        strike_mid_upload(faults, account, lambda: faults.kill("s3"))
    finally:
        if faults.stack.processes["s3"].poll() is not None:
            faults.restart_storage()
    # moto keeps data in memory only: the restarted endpoint starts empty, so a new account.
    fresh = faults.register()
    assert_works_again(faults, fresh)
    faults.assert_no_orphans()
