"""WebDAV through the gateway, driven by third-party clients: the litmus suite (basic, copymove,
props, locks) and rclone syncing a tree of awkward names up and back. A stack of its own, whose
small quota lets a PUT over it be refused (507) cheaply."""

import hashlib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from scripts.stack import Ports, Stack
from tests.e2e.conftest import Account, register_account

pytestmark = pytest.mark.e2e

UPLOAD_LIMIT = 5 * 1024 * 1024
QUOTA_BYTES = 8 * 1024 * 1024
LITMUS_GROUPS = "basic copymove props locks"
TOOL_TIMEOUT_SECONDS = 300
ODD_NAMES = ["with space", "hash#tag", "per%cent", "ünïcødé ☂", "q?mark", "a" * 200]


@pytest.fixture(scope="module")
def dav_stack(tmp_path_factory) -> Iterator[Stack]:
    if not (shutil.which("litmus") and shutil.which("rclone")):
        pytest.fail("litmus and rclone are needed: make system-deps installs them")
    root = tmp_path_factory.mktemp("dav-stack")
    dist = root / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>SCloud</title>")
    root.chmod(0o700)
    stack = Stack(
        run_dir=root / ".run",
        ports=Ports.free(),
        max_upload_bytes=UPLOAD_LIMIT,
        quota_bytes=QUOTA_BYTES,
        frontend_dist=dist,
    )
    try:
        stack.start()
    except RuntimeError as exc:
        pytest.fail(f"stack did not start: {exc}")
    yield stack
    stack.stop()


@pytest.fixture
def dav_account(dav_stack) -> Account:
    return register_account(dav_stack.url)


def dav_url(stack: Stack) -> str:
    return f"{stack.url}/dav/"


@pytest.fixture
def signing_proxy(dav_account) -> Iterator[str]:
    """An HTTP proxy that adds the account's Basic credentials: litmus refuses a password of 256
    characters or more, and a JWT access token is longer (a personal access token is not)."""
    auth = (dav_account.email, dav_account.access_token)
    dropped = {"proxy-connection", "connection", "keep-alive", "transfer-encoding", "content-length", "host"}

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {name: value for name, value in self.headers.items() if name.lower() not in dropped}
            answer = httpx.request(self.command, self.path, headers=headers, content=body, auth=auth, timeout=60)
            self.send_response(answer.status_code)
            for name, value in answer.headers.multi_items():
                if name.lower() not in dropped | {"content-encoding"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def __getattr__(self, name: str):
            if name.startswith("do_"):
                return self.forward
            raise AttributeError(name)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=10)


def test_litmus_passes_basic_copymove_props_and_locks(dav_stack, signing_proxy, tmp_path):
    run = subprocess.run(
        ["litmus", "--proxy", signing_proxy, dav_url(dav_stack)],
        env={**os.environ, "TESTS": LITMUS_GROUPS, "HOME": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
    )
    summaries = [line for line in run.stdout.splitlines() if "summary for" in line]
    assert len(summaries) == 4, run.stdout + run.stderr
    assert all("100.0%" in line for line in summaries), run.stdout
    assert run.returncode == 0, run.stdout


def rclone(stack: Stack, account: Account, *args: str) -> str:
    obscured = subprocess.run(
        ["rclone", "obscure", account.access_token], capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()
    run = subprocess.run(
        [
            "rclone",
            "--config",
            "/dev/null",
            "--webdav-url",
            dav_url(stack),
            "--webdav-vendor",
            "other",
            "--webdav-user",
            account.email,
            "--webdav-pass",
            obscured,
            "--contimeout",
            "10s",
            "--timeout",
            "60s",
            "--retries",
            "1",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def make_tree(root: Path) -> None:
    for index in range(200):
        folder = root / ODD_NAMES[index % 3] / ODD_NAMES[3 + index % 3]
        if index % 4 == 0:
            folder = folder / "deeper"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{ODD_NAMES[index % len(ODD_NAMES)][:180]} {index}.bin"
        (folder / name).write_bytes(hashlib.sha256(str(index).encode()).digest() * (index % 7 + 1) * 40)


def digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def names_in_root(stack: Stack, account: Account) -> list[str]:
    listing = httpx.get(
        f"{stack.url}/api/folders/root/children", params={"limit": 100}, headers=account.headers, timeout=30
    )
    assert listing.status_code == 200, listing.text
    return [item["name"] for item in listing.json()["items"]]


def test_rclone_syncs_a_tree_up_and_back_byte_identical(dav_stack, dav_account, tmp_path):
    up, down = tmp_path / "up", tmp_path / "down"
    make_tree(up)
    rclone(dav_stack, dav_account, "sync", str(up), ":webdav:tree")
    listed = json.loads(rclone(dav_stack, dav_account, "lsjson", "-R", "--files-only", ":webdav:tree"))
    assert len(listed) == 200
    rclone(dav_stack, dav_account, "sync", ":webdav:tree", str(down))
    assert digests(down) == digests(up)


def test_a_rename_and_a_delete_through_rclone_show_in_the_files_api(dav_stack, dav_account, tmp_path):
    (tmp_path / "first one.txt").write_text("one")
    (tmp_path / "second #2.txt").write_text("two")
    rclone(dav_stack, dav_account, "copy", str(tmp_path), ":webdav:")
    assert {"first one.txt", "second #2.txt"} <= set(names_in_root(dav_stack, dav_account))
    rclone(dav_stack, dav_account, "moveto", ":webdav:first one.txt", ":webdav:renamed ü.txt")
    rclone(dav_stack, dav_account, "deletefile", ":webdav:second #2.txt")
    names = names_in_root(dav_stack, dav_account)
    assert "renamed ü.txt" in names
    assert "first one.txt" not in names and "second #2.txt" not in names


def test_a_put_past_the_quota_is_refused_with_507(dav_stack, dav_account):
    auth = (dav_account.email, dav_account.access_token)
    with httpx.Client(base_url=dav_url(dav_stack), auth=auth, timeout=60) as client:
        assert client.put("fits.bin", content=b"x" * (UPLOAD_LIMIT - 1024)).status_code == 201
        refused = client.put("over.bin", content=b"y" * (QUOTA_BYTES - UPLOAD_LIMIT + 1024 * 1024))
        assert refused.status_code == 507, refused.text
        assert client.request("PROPFIND", "over.bin", headers={"Depth": "0"}).status_code == 404


def test_a_wrong_token_gets_401_with_the_basic_challenge(dav_stack):
    answer = httpx.request("PROPFIND", dav_url(dav_stack), auth=("someone@example.com", "not-a-token"), timeout=30)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Basic realm="SCloud"'


def test_the_right_token_under_another_user_name_gets_401_and_under_the_email_207(dav_stack, dav_account):
    token = dav_account.access_token
    refused = httpx.request(
        "PROPFIND", dav_url(dav_stack), headers={"Depth": "0"}, auth=("someone@example.com", token), timeout=30
    )
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Basic realm="SCloud"'
    accepted = httpx.request(
        "PROPFIND", dav_url(dav_stack), headers={"Depth": "0"}, auth=(dav_account.email, token), timeout=30
    )
    assert accepted.status_code == 207
