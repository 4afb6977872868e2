"""The whole product as separate processes on free ports (scripts/stack.py's Stack, as `make run`
starts it, less the gateway: SQLite, SeaweedFS as the `s3` process, mail in a folder), so a fault
can be put into one process at a time: frozen (SIGSTOP), killed, restarted. Every wait here has a
bound."""

import os
import signal
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass

import httpx
import pytest

from scripts import stack as stack_module

# Every answer to a request other than an upload, whatever has failed.
ANSWER_BOUND_SECONDS = 10.0
# An upload whose storage fails part way: its bounded storage calls, their retries and the clean-up.
UPLOAD_BOUND_SECONDS = 60.0
# From a restarted peer answering its health check to the callers reaching it again.
RECONNECT_BOUND_SECONDS = 2.0
PASSWORD = "correct horse battery staple"


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

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.stack.ports.http(service)}"

    @staticmethod
    def wait_until_ok(url: str, *, within: float) -> float:
        return wait_until_ok(url, within=within)

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
        # "Keep both": a test may upload it more than once for the same account.
        return httpx.post(
            f"{self.url('files')}/api/files/upload?onConflict=rename",
            files={"file": ("small.txt", data, "text/plain")},
            headers=account.headers,
            timeout=ANSWER_BOUND_SECONDS,
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
