"""The whole product as separate processes on free ports (scripts/stack.py's Stack, as `make run`
starts it, less the gateway), so a fault can be put into one process at a time: frozen
(SIGSTOP), killed, restarted. Every wait here has a bound."""

import json
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import httpx
import pytest
from botocore.config import Config

from scripts import stack as stack_module

# Every answer to a request other than an upload, whatever has failed.
ANSWER_BOUND_SECONDS = 10.0
# An upload whose storage fails part way: its bounded storage calls, their retries and the clean-up.
UPLOAD_BOUND_SECONDS = 60.0
# From a restarted peer answering its health check to the callers reaching it again.
RECONNECT_BOUND_SECONDS = 2.0
PASSWORD = "correct horse battery staple"


class FaultyDynamoDb:
    """An HTTP proxy in front of moto server that, when `unavailable`, answers every DynamoDB call
    with AWS's 503 ServiceUnavailable, as an outage of the table would, and passes S3 through."""

    def __init__(self, upstream_port: int) -> None:
        self.unavailable = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # noqa: A002 - the base class's name
                pass

            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if proxy.unavailable.is_set() and self.headers.get("X-Amz-Target", "").startswith("DynamoDB"):
                    payload = json.dumps(
                        {"__type": "com.amazonaws.dynamodb.v20120810#ServiceUnavailable", "message": "injected"}
                    ).encode()
                    self._answer(503, [("Content-Type", "application/x-amz-json-1.0")], payload)
                    return
                upstream = HTTPConnection("127.0.0.1", upstream_port, timeout=30)
                try:
                    headers = {name: value for name, value in self.headers.items() if name.lower() != "connection"}
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    payload = response.read()
                    kept = [
                        (name, value)
                        for name, value in response.getheaders()
                        if name.lower() not in ("transfer-encoding", "connection", "content-length")
                    ]
                    self._answer(response.status, kept, payload)
                finally:
                    upstream.close()

            def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


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
    files_table: str
    proxy: FaultyDynamoDb
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
        """moto keeps everything in memory: a new one starts empty and is provisioned again."""
        ports = self.stack.ports
        self.stack._spawn("s3", [stack_module._venv_bin("moto_server"), "-H", "127.0.0.1", "-p", str(ports.s3)], {})
        wait_until_ok(f"{self.stack.s3_endpoint}/moto-api/", within=30)
        for service in stack_module.SERVICES:
            self.stack.run_checked(
                [sys.executable, "-m", f"scloud_{service}.provision"], self.stack._service_env(service)
            )
        for service in stack_module.SERVICES:
            wait_until_ok(f"{self.url(service)}/readyz", within=30)

    def aws(self, service: str):
        return boto3.client(
            service,
            endpoint_url=self.stack.s3_endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 2}),
        )

    def assert_no_orphans(self) -> None:
        """Every object has its row, every row its object, and no multipart upload is left open."""
        s3 = self.aws("s3")
        objects = {
            item["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.stack.bucket)
            for item in page.get("Contents", [])
        }
        rows = {
            item["objectKey"]["S"]
            for page in self.aws("dynamodb").get_paginator("scan").paginate(TableName=self.files_table)
            for item in page.get("Items", [])
            # Only file rows name an object: the totals item, name guards and folders share the table.
            if "objectKey" in item
        }
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


class ResilienceStack(stack_module.Stack):
    """Points the files service's AWS calls at the fault-injecting proxy."""

    dynamodb_proxy_port: int = 0

    def _service_env(self, service: str) -> dict[str, str]:
        env = super()._service_env(service)
        if service == "files" and self.dynamodb_proxy_port:
            env["FILES_AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{self.dynamodb_proxy_port}"
        return env


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
    ports = stack_module.Ports.free()
    proxy = FaultyDynamoDb(ports.s3)
    stack = ResilienceStack(
        run_dir=tmp_path_factory.mktemp("resilience"),
        ports=ports,
        table_prefix=f"r{uuid.uuid4().hex[:8]}-",
        with_gateway=False,
    )
    stack.dynamodb_proxy_port = proxy.port
    try:
        stack.start()
    except RuntimeError as exc:
        proxy.close()
        # The message names the process that is not ready and ends with its log.
        pytest.fail(f"stack did not start: {exc}")
    yield FaultStack(stack, files_table=f"{stack.table_prefix}files", proxy=proxy)
    for process in stack.processes.values():
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)
    stack.stop()
    proxy.close()
