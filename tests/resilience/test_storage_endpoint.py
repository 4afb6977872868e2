"""SeaweedFS, the store of the bytes, frozen (SIGSTOP) or killed while an upload, a ZIP download
or the reconcile pass's listing of the bucket is in flight. What needs the bytes answers a JSON
503/504 within its bound (a ZIP already streaming is cut off within its bound); what needs only
the records (SQLite) answers as usual; nothing half-stored is ever listed; and once the store is
back (thawed, or restarted on its data) the service works again by itself, with no object
without its row, no row without its object and no multipart upload left open."""

import hashlib
import io
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from scloud_common.errors import ServiceUnavailable

FAULTS = ("frozen", "killed")
# One call to the store that fails: three attempts of up to 5 s each (the read timeout) and the
# backoff between them. Bounds a ZIP download's cut-off and a failed reconcile pass.
STORE_CALL_BOUND_SECONDS = 30.0
# Members of the ZIP (each stored in one PutObject): more than the socket buffers between the
# store, the service and the client hold, so the archive is part way when the fault strikes.
ARCHIVE_MEMBERS = 6
ARCHIVE_MEMBER_BYTES = 6 * 1024 * 1024


def strike(faults, fault: str) -> float:
    """Freezes or kills SeaweedFS; returns that moment."""
    if fault == "frozen":
        faults.freeze("s3")
    else:
        faults.kill("s3")
    return time.monotonic()


def recover(faults, fault: str) -> None:
    """Thaws SeaweedFS, or starts it again on the same port and data (waits for the services)."""
    if fault == "frozen":
        faults.thaw("s3")
    elif faults.stack.processes["s3"].poll() is not None:
        faults.restart_storage()


def listed_names(faults, account) -> list[str]:
    listed = httpx.get(f"{faults.url('files')}/api/files", headers=account.headers, timeout=faults.answer_bound)
    assert listed.status_code == 200, listed.text
    return sorted(item["name"] for item in listed.json()["items"])


def assert_records_still_serve(faults, account, file_id: str) -> None:
    """Requests that need only the records answer as usual, within the bound, while the bytes'
    store is away: signing in, the profile with its usage, a listing, a file's details, a
    download link (only signed, never fetched), a new folder."""
    files, users = faults.url("files"), faults.url("users")
    calls = {
        "login": lambda: faults.login(account),
        "profile": lambda: httpx.get(f"{users}/api/users/me", headers=account.headers, timeout=30),
        "list files": lambda: httpx.get(f"{files}/api/files", headers=account.headers, timeout=30),
        "read file": lambda: httpx.get(f"{files}/api/files/{file_id}", headers=account.headers, timeout=30),
        "download link": lambda: httpx.get(
            f"{files}/api/files/{file_id}/download", headers=account.headers, timeout=30
        ),
        "new folder": lambda: httpx.post(
            f"{files}/api/folders",
            json={"name": "made during the fault", "parentId": "root", "onConflict": "rename"},
            headers=account.headers,
            timeout=30,
        ),
    }
    with ThreadPoolExecutor(len(calls)) as pool:
        answers = dict(zip(calls, pool.map(faults.timed, calls.values()), strict=True))
    for name, (response, elapsed) in answers.items():
        assert response.status_code in (200, 201), f"{name}: {response.status_code} {response.text}"
        assert elapsed < faults.answer_bound, f"{name}: answered after {elapsed:.1f} s"


def assert_bytes_fail_fast(faults, account) -> None:
    """Requests that need the bytes' store answer a JSON 503/504 within their bound: readiness
    (the orchestrator's signal), and a new upload."""
    ready, elapsed = faults.timed(lambda: httpx.get(f"{faults.url('files')}/readyz", timeout=30))
    assert ready.status_code in (503, 504) and elapsed < faults.answer_bound, (ready.status_code, elapsed)
    upload, elapsed = faults.timed(lambda: faults.upload_small(account, b"sent during the fault"))
    faults.assert_json_failure_within(upload, elapsed, faults.upload_bound)


def assert_works_again(faults, account) -> None:
    faults.wait_until_ok(f"{faults.url('files')}/readyz", within=faults.recovery_bound)
    stored = faults.upload_small(account, b"after the fault")
    assert stored.status_code == 201, stored.text
    assert download(faults, account, stored.json()["id"]) == b"after the fault"


def download(faults, account, file_id: str) -> bytes:
    """The file's bytes, through the link the service signs, straight from SeaweedFS."""
    link = httpx.get(
        f"{faults.url('files')}/api/files/{file_id}/download", headers=account.headers, timeout=faults.answer_bound
    )
    assert link.status_code == 200, link.text
    fetched = httpx.get(link.json()["url"], timeout=faults.answer_bound)
    assert fetched.status_code == 200, fetched.text
    return fetched.content


def assert_clean(faults) -> None:
    """No object without its row, no row without its object, no multipart upload left open,
    once what the store took in while frozen has landed and a reconcile pass has run."""

    def clean() -> None:
        report = faults.reconcile_now()
        assert report.rows_without_objects == []
        faults.assert_no_orphans()

    faults.wait_for(clean, within=faults.recovery_bound)


@pytest.mark.parametrize("fault", FAULTS)
def test_the_bytes_store_failing_mid_upload(faults, fault):
    account = faults.register()
    stored = faults.upload_small(account, b"stored before the fault")
    assert stored.status_code == 201, stored.text
    body, upload = faults.start_upload(account, 3 * faults.part_bytes)
    try:
        assert body.halfway.wait(timeout=faults.answer_bound * 3), "the upload never got half way"
        struck_at = strike(faults, fault)
        body.resume.set()
        assert_records_still_serve(faults, account, stored.json()["id"])
        assert_bytes_fail_fast(faults, account)
        upload["thread"].join(timeout=faults.upload_bound + 30)
        assert "finished" in upload, "the upload never answered"
        assert "response" in upload, f"the upload failed without an answer: {upload.get('error')!r}"
        faults.assert_json_failure_within(upload["response"], upload["finished"] - struck_at, faults.upload_bound)
        assert listed_names(faults, account) == ["small.txt"], "a half-stored upload is listed"
    finally:
        body.resume.set()
        recover(faults, fault)
    assert_works_again(faults, account)
    assert download(faults, account, stored.json()["id"]) == b"stored before the fault"
    assert listed_names(faults, account) == ["small (1).txt", "small.txt"]
    if fault == "killed":
        # The service's abort of its multipart upload met a dead store; the bucket's lifecycle
        # rule ends the upload a day later. Its parts are no object: nothing lists them.
        assert len(faults.end_uploads_left_open()) <= 1
    assert_clean(faults)


@pytest.fixture(scope="module")
def archived(faults):
    """An account with ARCHIVE_MEMBERS files of random bytes, and their SHA-256 by name."""
    account = faults.register()
    digests: dict[str, str] = {}
    ids = []
    for number in range(ARCHIVE_MEMBERS):
        data = random_bytes(ARCHIVE_MEMBER_BYTES, seed=number)
        name = f"member-{number}.bin"
        response = httpx.post(
            f"{faults.url('files')}/api/files/upload",
            files={"file": (name, data, "application/octet-stream")},
            headers=account.headers,
            timeout=faults.upload_bound,
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
        digests[name] = hashlib.sha256(data).hexdigest()
    return account, ids, digests


def random_bytes(size: int, *, seed: int) -> bytes:
    """Bytes that do not compress, the same for the same seed."""
    blocks = []
    block = hashlib.sha512(f"seed {seed}".encode()).digest()
    while len(blocks) * len(block) < size:
        block = hashlib.sha512(block).digest()
        blocks.append(block)
    return b"".join(blocks)[:size]


def archive_link(faults, account, ids: list[str]) -> str:
    created = httpx.post(
        f"{faults.url('files')}/api/files/archive",
        json={"ids": ids, "name": "resilience"},
        headers=account.headers,
        timeout=faults.answer_bound,
    )
    assert created.status_code == 200, created.text
    return f"{faults.url('files')}{created.json()['url']}"


def read_until_cut(stream: Iterator[bytes], *, within: float) -> int:
    """Reads the rest of a streamed answer; returns how many bytes came before it ended. Each
    wait for bytes is bounded (the client's read timeout); so is the whole."""
    received = 0
    deadline = time.monotonic() + within
    try:
        for chunk in stream:
            received += len(chunk)
            assert time.monotonic() < deadline, f"still streaming after {within} s"
    except httpx.HTTPError:
        pass
    return received


@pytest.mark.parametrize("fault", FAULTS)
def test_the_bytes_store_failing_mid_download(faults, archived, fault):
    account, ids, digests = archived
    total = ARCHIVE_MEMBERS * ARCHIVE_MEMBER_BYTES
    url = archive_link(faults, account, ids)
    # Each wait for bytes is bounded below the cut-off bound, so a stalled stream fails the test.
    timeout = httpx.Timeout(faults.answer_bound, read=STORE_CALL_BOUND_SECONDS)
    try:
        with httpx.stream("GET", url, timeout=timeout) as response:
            assert response.status_code == 200, response.read()
            stream = response.iter_bytes()
            received = len(next(stream))
            struck_at = strike(faults, fault)
            other = faults.register()
            assert listed_names(faults, other) == []
            received += read_until_cut(stream, within=STORE_CALL_BOUND_SECONDS)
            assert time.monotonic() - struck_at < STORE_CALL_BOUND_SECONDS
        assert received < total, "the whole archive came through: the fault struck too late to test anything"
    finally:
        recover(faults, fault)
    faults.wait_until_ok(f"{faults.url('files')}/readyz", within=faults.recovery_bound)
    whole = httpx.get(archive_link(faults, account, ids), timeout=faults.upload_bound)
    assert whole.status_code == 200, whole.text
    with zipfile.ZipFile(io.BytesIO(whole.content)) as archive:
        assert {info.filename: hashlib.sha256(archive.read(info)).hexdigest() for info in archive.infolist()} == digests
    assert_clean(faults)


@pytest.mark.parametrize("fault", FAULTS)
def test_the_bytes_store_failing_during_the_reconcile_listing(faults, fault):
    """The reconcile pass lists the bucket: with the store away it fails within its bound and
    deletes nothing; the next pass, once the store is back, finds every object with its row."""
    account = faults.register()
    stored = faults.upload_small(account, b"listed by the reconcile pass")
    assert stored.status_code == 201, stored.text
    try:
        strike(faults, fault)
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable):
            faults.reconcile_now()
        assert time.monotonic() - started < STORE_CALL_BOUND_SECONDS
    finally:
        recover(faults, fault)
    report = faults.reconcile_now()
    assert report.objects_deleted == [] and report.rows_without_objects == []
    assert download(faults, account, stored.json()["id"]) == b"listed by the reconcile pass"
    faults.assert_no_orphans()
