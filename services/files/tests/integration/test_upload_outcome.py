"""An upload whose metadata transaction commits but answers after the client's read timeout, on
a real DynamoDB endpoint behind a proxy that holds that one answer back: botocore gives up and
retries, the retry meets the row the first try wrote. The upload succeeds with its bytes."""

import threading
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from scloud_common.aws import create_aws_client
from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.domain import ItemKind, OnConflict, SortField, StorageUsage
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import chunks_of

pytestmark = pytest.mark.integration

READ_TIMEOUT_SECONDS = 1.0
# Held back longer than the client waits; bounded so the proxy's thread always ends.
HELD_SECONDS = 2.5


class LateAnswers:
    """A proxy to `upstream` that relays every request at once and, while `late` is above zero,
    holds back the answer to a TransactWriteItems (which has committed by then)."""

    def __init__(self, upstream: str) -> None:
        target = urlsplit(upstream)
        self.late = 0
        self.held = 0
        lock = threading.Lock()
        released = threading.Event()
        self.released = released
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # noqa: A002 - the base class's name
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream = HTTPConnection(target.hostname, target.port, timeout=30)
                try:
                    headers = {name: value for name, value in self.headers.items() if name.lower() != "connection"}
                    upstream.request("POST", self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    payload = response.read()
                finally:
                    upstream.close()
                with lock:
                    hold = self.headers.get("X-Amz-Target", "").endswith("TransactWriteItems") and proxy.late > 0
                    if hold:
                        proxy.late -= 1
                        proxy.held += 1
                if hold:
                    released.wait(timeout=HELD_SECONDS)
                try:
                    self.send_response(response.status)
                    for name, value in response.getheaders():
                        if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up on this answer: that is the point

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def late_answers(aws_endpoint_url):
    proxy = LateAnswers(aws_endpoint_url)
    yield proxy
    proxy.close()


@pytest.fixture
def drive(settings, late_answers, s3):
    dynamodb = create_aws_client(
        "dynamodb", region="us-east-1", endpoint_url=late_answers.url, read_timeout=READ_TIMEOUT_SECONDS
    )
    repository = DynamoDbFileRepository(dynamodb, settings.files_table)
    blobs = S3BlobStore(s3, settings.s3_bucket, part_bytes=settings.upload_part_bytes)
    return build_drive(repository, blobs, max_upload_bytes=1000, download_url_ttl_seconds=60)


@pytest.mark.parametrize("on_conflict", [OnConflict.FAIL, OnConflict.RENAME])
async def test_an_upload_committed_after_the_client_timed_out_keeps_its_bytes(
    drive, late_answers, s3, settings, on_conflict
):
    late_answers.late = 1
    stored = await drive.upload_file(
        "alice", file_name="report.pdf", content_type=None, chunks=chunks_of(b"hello"), on_conflict=on_conflict
    )
    assert late_answers.held == 1, "the proxy never held an answer back"
    assert stored.name == "report.pdf"
    assert s3.get_object(Bucket=settings.s3_bucket, Key=stored.object_key)["Body"].read() == b"hello"
    listed = await drive.list_children(
        "alice", None, sort=SortField.NAME, descending=False, kinds=[ItemKind.FILE], limit=10, cursor=None
    )
    assert [item.item_id for item in listed.items] == [stored.item_id]
    assert await drive.get_storage_usage("alice") == StorageUsage(5, 1)
