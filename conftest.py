"""Test fixtures shared by every tier: a real S3/DynamoDB endpoint over HTTP.

LocalStack (through testcontainers) where a Docker daemon answers, otherwise moto server
in this process on 127.0.0.1. Either way the tests talk HTTP to a real endpoint; boto3
is never mocked. A guard refuses any endpoint that is not on this machine, so a stray
setting can never point the tests at real AWS.
"""

import ipaddress
import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

LOCALSTACK_IMAGE = "localstack/localstack:4.14.0"


def assert_local_endpoint(url: str) -> None:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise RuntimeError(f"refusing to run tests against non-local AWS endpoint {url!r}")


def _docker_daemon_answers() -> bool:
    if os.environ.get("SCLOUD_TEST_AWS") == "moto":
        return False
    try:
        import docker

        client = docker.from_env(timeout=2)
        client.ping()
        client.close()
        return True
    except Exception:
        return False


def pytest_configure(config: pytest.Config) -> None:
    # The stand-ins' credentials are set once, before any test: set by the first test that needs
    # the moto endpoint, they were missing whenever that test had already put SeaweedFS's own
    # keys in the environment with monkeypatch, whose undo then removed them for the rest of the
    # session (NoCredentialsError in the next file's tests).
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture(scope="session")
def aws_endpoint_url() -> Iterator[str]:
    if _docker_daemon_answers():
        from testcontainers.community.localstack import LocalStackContainer

        with LocalStackContainer(image=LOCALSTACK_IMAGE).with_services("s3", "dynamodb", "ses") as localstack:
            url = localstack.get_url()
            assert_local_endpoint(url)
            yield url
        return
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    assert_local_endpoint(url)
    try:
        yield url
    finally:
        server.stop()


# The origin the SeaweedFS fixture's bucket allows cross-origin requests from (the gateway's, in
# `make run`).
SEAWEED_TEST_ORIGIN = "http://localhost:8080"


@pytest.fixture(scope="session")
def seaweed_s3(tmp_path_factory):
    """SeaweedFS serving S3 on 127.0.0.1 for the session (a real signature check, unlike moto):
    yields its `SeaweedEndpoint` (url, access_key_id, secret_access_key, bucket, region); the
    bucket has CORS for SEAWEED_TEST_ORIGIN and versioning on."""
    from scripts.seaweed import SeaweedS3

    server = SeaweedS3(tmp_path_factory.mktemp("seaweed"), bucket="scloud-test", cors_origins=[SEAWEED_TEST_ORIGIN])
    endpoint = server.start()
    assert_local_endpoint(endpoint.url)
    try:
        yield endpoint
    finally:
        server.stop()


@pytest.fixture(scope="session")
def internal_certificates():
    """A fresh internal CA and a mutual-TLS certificate per service, for gRPC servers and clients."""
    from scloud_common.internal_tls import issue_certificates

    return issue_certificates()


@pytest.fixture
def unique_name() -> str:
    """A fresh, valid S3/DynamoDB name part, so tests never share buckets or tables."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def no_outside_clients(monkeypatch):
    """Fails the test if it builds an AWS client or opens a gRPC channel: for code given fakes."""
    import boto3.session
    import grpc

    def refuse(*args, **kwargs):
        raise AssertionError(f"a client for the outside world was built: {args[1:] or kwargs}")

    monkeypatch.setattr(boto3.session.Session, "client", refuse)
    monkeypatch.setattr(grpc.aio, "secure_channel", refuse)
    monkeypatch.setattr(grpc.aio, "insecure_channel", refuse)
