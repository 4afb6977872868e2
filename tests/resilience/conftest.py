"""The whole product as separate processes on free ports (scripts/stack.py's Stack, as `make run`
starts it, less the gateway: SQLite, SeaweedFS as the `s3` process, mail in a folder), so a fault
can be put into one process at a time: frozen (SIGSTOP), killed, restarted. Every wait here has a
bound."""

import asyncio
import os
import select
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import boto3
import httpx
import pytest
from botocore.config import Config

from scloud_common import aws
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.bootstrap import object_keys, open_repository
from scloud_files.config import FilesStorageSettings
from scloud_files.drive.clock import utc_now
from scloud_files.drive.reconcile import ReconcileReport, ReconcileStore, reconcile_everything
from scripts import stack as stack_module

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Every answer to a request other than an upload, whatever has failed.
ANSWER_BOUND_SECONDS = 10.0
# An upload whose storage fails part way: its bounded storage calls, their retries and the clean-up.
UPLOAD_BOUND_SECONDS = 60.0
# From a restarted peer answering its health check to the callers reaching it again.
RECONNECT_BOUND_SECONDS = 2.0
# From a fault's end to the service answering as before, whatever the machine's pace.
RECOVERY_BOUND_SECONDS = 30.0
# The files service's default multipart part size.
PART_BYTES = 8 * 1024 * 1024
PASSWORD = "correct horse battery staple"
# A lock holder that the test forgets still lets go, and exits, after this long.
LOCK_HELD_AT_MOST_SECONDS = 120.0
# Takes an exclusive transaction on the database named by argv[1], says so, and holds it until
# its stdin closes or argv[2] seconds pass.
LOCK_HOLDER = """
import select, sqlite3, sys
connection = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
select.select([sys.stdin], [], [], float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


@dataclass
class Account:
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class SlowFile:
    """An upload body that streams `total` bytes and sets `halfway` once half of them are sent,
    so a fault can strike while the upload is in flight."""

    def __init__(self, total: int, chunk: int = 256 * 1024) -> None:
        self.total = total
        self.chunk = chunk
        self.halfway = threading.Event()
        self.resume = threading.Event()

    def __iter__(self):
        sent = 0
        while sent < self.total:
            size = min(self.chunk, self.total - sent)
            yield os.urandom(size)
            sent += size
            if sent >= self.total // 2 and not self.halfway.is_set():
                self.halfway.set()
                self.resume.wait(timeout=ANSWER_BOUND_SECONDS * 3)


@dataclass
class FaultStack:
    stack: "stack_module.Stack"
    upload_bound = UPLOAD_BOUND_SECONDS
    Account = Account
    reconnect_bound = RECONNECT_BOUND_SECONDS
    recovery_bound = RECOVERY_BOUND_SECONDS
    part_bytes = PART_BYTES
    answer_bound = ANSWER_BOUND_SECONDS

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.stack.ports.http(service)}"

    @staticmethod
    def wait_until_ok(url: str, *, within: float) -> float:
        return wait_until_ok(url, within=within)

    @staticmethod
    def wait_for(check: Callable[[], None], *, within: float) -> None:
        wait_for(check, within=within)

    def pid(self, name: str) -> int:
        return self.stack.processes[name].pid

    def freeze(self, name: str) -> None:
        os.kill(self.pid(name), signal.SIGSTOP)

    def thaw(self, name: str) -> None:
        os.kill(self.pid(name), signal.SIGCONT)

    def kill(self, name: str) -> None:
        process = self.stack.processes[name]
        process.kill()
        process.wait(timeout=10)

    def restart_service(self, service: str) -> float:
        """Starts `service` again; returns the moment its readiness check first answered 200."""
        self.stack._spawn(service, [sys.executable, "-m", f"scloud_{service}.main"], self.stack._service_env(service))
        return wait_until_ok(f"{self.url(service)}/readyz", within=30)

    def restart_storage(self) -> None:
        """Starts SeaweedFS again on the same port and data, and waits for the services."""
        self.stack.processes.pop(stack_module.STORAGE, None)
        self.stack._start_storage()
        for service in stack_module.SERVICES:
            wait_until_ok(f"{self.url(service)}/readyz", within=30)

    def assert_no_orphans(self) -> None:
        """Every object has its row, every row its object, and no multipart upload is left open."""
        s3 = self.stack.storage_endpoint.client()
        objects = {
            item["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.stack.bucket)
            for item in page.get("Contents", [])
        }
        with closing(sqlite3.connect(self.stack.database("files"))) as files:
            rows = {key for (key,) in files.execute("SELECT object_key FROM items WHERE object_key IS NOT NULL")}
        assert objects == rows, f"objects without rows: {objects - rows}; rows without objects: {rows - objects}"
        assert s3.list_multipart_uploads(Bucket=self.stack.bucket).get("Uploads", []) == []

    def end_uploads_left_open(self) -> list[str]:
        """Aborts the multipart uploads still open, as the bucket's lifecycle rule would a day
        later (checked here to be in place), and returns their keys."""
        s3 = self.stack.storage_endpoint.client()
        rules = s3.get_bucket_lifecycle_configuration(Bucket=self.stack.bucket)["Rules"]
        assert any(
            rule["Status"] == "Enabled"
            and rule.get("Filter", {}).get("Prefix", "") == ""
            and "AbortIncompleteMultipartUpload" in rule
            for rule in rules
        ), f"no lifecycle rule ends incomplete uploads: {rules}"
        uploads = s3.list_multipart_uploads(Bucket=self.stack.bucket).get("Uploads", [])
        for upload in uploads:
            s3.abort_multipart_upload(Bucket=self.stack.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        return [upload["Key"] for upload in uploads]

    def storage_client(self) -> "S3Client":
        """A client of SeaweedFS with the files service's own timeouts and retries."""
        endpoint = self.stack.storage_endpoint
        session = boto3.session.Session(
            aws_access_key_id=endpoint.access_key_id, aws_secret_access_key=endpoint.secret_access_key
        )
        config = Config(
            region_name=endpoint.region,
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            connect_timeout=aws.CONNECT_TIMEOUT_SECONDS,
            read_timeout=aws.READ_TIMEOUT_SECONDS,
            retries={"mode": "standard", "max_attempts": aws.MAX_ATTEMPTS},
        )
        return session.client("s3", endpoint_url=endpoint.url, config=config)

    def reconcile_now(self) -> ReconcileReport:
        """One full reconcile pass over the stack's database and bucket, as
        `python -m scloud_files.reconcile` runs it, with every object past its grace period."""
        settings = FilesStorageSettings(
            store="sqlite",
            sqlite_path=self.stack.database("files"),
            s3_bucket=self.stack.bucket,
            object_key_secret=self.stack.object_key_secret(),
        )
        blobs = S3BlobStore(self.storage_client(), self.stack.bucket, part_bytes=PART_BYTES)

        async def reconcile() -> ReconcileReport:
            async with open_repository(settings) as repository:
                store = ReconcileStore(
                    repository,
                    blobs,
                    keys=object_keys(settings),
                    grace=timedelta(0),
                    page_size=100,
                    now=lambda: utc_now() + timedelta(seconds=5),
                )
                return await reconcile_everything(store)

        return asyncio.run(reconcile())

    @contextmanager
    def database_locked(self, service: str) -> Iterator[None]:
        """Another process holds `service`'s database in an exclusive transaction (as a backup
        tool or a stray `sqlite3` shell would) until the block ends."""
        holder = subprocess.Popen(
            [sys.executable, "-c", LOCK_HOLDER, str(self.stack.database(service)), str(LOCK_HELD_AT_MOST_SECONDS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdin is not None
            ready, _, _ = select.select([holder.stdout], [], [], ANSWER_BOUND_SECONDS * 3)
            assert ready and holder.stdout.readline().strip() == "locked", "the lock holder never took the lock"
            yield
        finally:
            if holder.stdin is not None:
                holder.stdin.close()
            try:
                holder.wait(timeout=ANSWER_BOUND_SECONDS)
            except subprocess.TimeoutExpired:
                holder.kill()
                holder.wait(timeout=ANSWER_BOUND_SECONDS)

    def register(self) -> Account:
        email = f"r-{uuid.uuid4().hex[:10]}@example.com"
        response = httpx.post(
            f"{self.url('auth')}/api/auth/register",
            json={"email": email, "username": "Res", "password": PASSWORD},
            timeout=ANSWER_BOUND_SECONDS,
        )
        assert response.status_code == 201, response.text
        return Account(email, response.json()["accessToken"])

    def login(self, account: Account) -> httpx.Response:
        return httpx.post(
            f"{self.url('auth')}/api/auth/login",
            json={"email": account.email, "password": PASSWORD},
            timeout=ANSWER_BOUND_SECONDS + 5,
        )

    @staticmethod
    def assert_json_failure_within(
        response: httpx.Response, elapsed: float, bound: float = ANSWER_BOUND_SECONDS
    ) -> None:
        assert elapsed < bound, f"answered after {elapsed:.1f} s"
        assert response.status_code in (503, 504), f"{response.status_code}: {response.text}"
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["error"]["code"] in ("service_unavailable", "service_timeout")

    @staticmethod
    def timed(call) -> tuple[httpx.Response, float]:
        started = time.monotonic()
        response = call()
        return response, time.monotonic() - started

    def start_upload(self, account: Account, total_bytes: int) -> tuple[SlowFile, dict]:
        """Uploads `total_bytes` in a thread as multipart/form-data and pauses half way until
        `body.resume` is set; the returned dict receives `response` (or `error`) and `finished`."""
        body = SlowFile(total_bytes)
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        def content():
            yield head
            yield from body
            yield tail

        outcome: dict = {}

        def run() -> None:
            try:
                outcome["response"] = httpx.post(
                    f"{self.url('files')}/api/files/upload",
                    content=content(),
                    headers={**account.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
                    timeout=UPLOAD_BOUND_SECONDS + 30,
                )
            except httpx.HTTPError as exc:
                outcome["error"] = exc
            outcome["finished"] = time.monotonic()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        outcome["thread"] = thread
        return body, outcome

    def upload_small(self, account: Account, data: bytes = b"hello") -> httpx.Response:
        """Uploads `data` as small.txt ("keep both": a test may upload it more than once). Uploads
        have no request deadline, only their storage calls' bounds, so the client waits as long
        as an upload may take; a test that holds one to a tighter bound times it."""
        return httpx.post(
            f"{self.url('files')}/api/files/upload?onConflict=rename",
            files={"file": ("small.txt", data, "text/plain")},
            headers=account.headers,
            timeout=UPLOAD_BOUND_SECONDS + 30,
        )


def wait_until_ok(url: str, *, within: float) -> float:
    """Polls `url` until it answers 200; returns that moment (time.monotonic)."""
    deadline = time.monotonic() + within
    last = ""
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return time.monotonic()
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(0.05)
    raise AssertionError(f"{url} did not answer 200 within {within} s: {last}")


def wait_for(check: Callable[[], None], *, within: float, every: float = 0.2) -> None:
    """Runs `check` until it stops raising AssertionError; past `within` seconds, raises its last."""
    deadline = time.monotonic() + within
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(every)


@pytest.fixture(scope="session")
def faults(tmp_path_factory) -> Iterator[FaultStack]:
    stack = stack_module.Stack(
        run_dir=tmp_path_factory.mktemp("resilience"), ports=stack_module.Ports.free(), with_gateway=False
    )
    try:
        stack.start()
    except RuntimeError as exc:
        # The message names the process that is not ready and ends with its log.
        pytest.fail(f"stack did not start: {exc}")
    yield FaultStack(stack)
    for process in stack.processes.values():
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)
    stack.stop()
