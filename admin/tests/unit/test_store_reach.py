"""A command waits, within a bound, for a store's endpoint to answer (SeaweedFS that restore.sh
has just restarted, a name a container network's DNS has not settled yet), then says in one line
which endpoint did not answer: never a traceback. The bucket and table checks are given stand-ins
for the boto3 clients; the command line is run against a port nothing listens on."""

import socket
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from scloud_admin.__main__ import REFUSED, main
from scloud_admin.adapters import aws_client
from scloud_admin.adapters.aws_client import StoreMissing, StoreUnreachable, require_bucket, require_table

ENDPOINT = "http://s3:8333"


class Clock:
    """Time that passes only when slept."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Unanswered:
    """A client whose endpoint cannot be connected to for the first `failures` calls (urllib3's `error`
    underneath), then answers as `answer` says."""

    def __init__(self, failures: int, answer: Exception | None = None, error: Exception | None = None) -> None:
        self.meta = SimpleNamespace(endpoint_url=ENDPOINT)
        self.failures = failures
        self.answer = answer
        self.error = error
        self.calls = 0

    def _call(self, **_: object) -> dict:
        self.calls += 1
        if self.calls <= self.failures:
            raise EndpointConnectionError(endpoint_url=ENDPOINT, error=self.error)
        if self.answer is not None:
            raise self.answer
        return {}

    head_bucket = describe_table = _call


def test_a_bucket_whose_endpoint_answers_after_a_while_is_found():
    clock = Clock()
    client = Unanswered(failures=3)
    require_bucket(client, "scloud-files", within=60, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
    assert client.calls == 4
    assert clock.slept == [aws_client.REACH_RETRY_SECONDS] * 3


def test_an_endpoint_that_never_answers_is_reported_once_the_bound_is_up():
    clock = Clock()
    client = Unanswered(failures=10_000)
    with pytest.raises(StoreUnreachable, match=r"^S3 at http://s3:8333 did not answer within 10 s"):
        require_bucket(client, "scloud-files", within=10, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
    assert 10 <= clock.now < 10 + 2 * aws_client.REACH_RETRY_SECONDS


def test_a_missing_table_is_still_reported_as_missing_once_dynamodb_answers():
    clock = Clock()
    missing = ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no"}}, "DescribeTable")
    client = Unanswered(failures=1, answer=missing)
    with pytest.raises(StoreMissing, match="the DynamoDB table scloud-users does not exist"):
        require_table(client, "scloud-users", within=60, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


def test_a_backup_whose_s3_does_not_answer_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    for service in ("AUTH", "USERS", "FILES"):
        monkeypatch.setenv(f"{service}_STORE", "sqlite")
        monkeypatch.setenv(f"{service}_SQLITE_PATH", str(tmp_path / f"{service.lower()}.db"))
    endpoint = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("FILES_AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("FILES_S3_BUCKET", "scloud-files")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setattr(aws_client, "REACH_SECONDS", 0.0)
    archive = tmp_path / "backup.tar"

    assert main(["backup", "create", str(archive)]) == REFUSED

    err = capsys.readouterr().err
    assert err.startswith(f"refused: S3 at {endpoint} did not answer within 0 s: "), err
    assert err.rstrip().endswith("(connection refused)"), err
    assert "Traceback" not in err
    assert not archive.exists()


def test_an_endpoint_whose_name_does_not_resolve_is_said_to_be_a_name_problem():
    """In CI a restore's admin tool could not reach `s3` on podman's network; the line now says
    whether the name or the port was the trouble. urllib3 raises its resolution error from the
    socket's, and botocore keeps it as `error`."""
    resolution = OSError("Failed to resolve 's3'")
    resolution.__cause__ = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    clock = Clock()
    client = Unanswered(failures=10_000, error=resolution)
    with pytest.raises(
        StoreUnreachable,
        match=r"did not answer within 4 s: .+ \(its name did not resolve: Name or service not known\)$",
    ):
        require_bucket(client, "scloud-files", within=4, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
