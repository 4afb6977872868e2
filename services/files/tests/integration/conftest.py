"""The files service against a real S3/DynamoDB endpoint, with a stand-in for auth's key service."""

import time
import uuid
from collections.abc import Callable, Iterator
from concurrent import futures

import grpc
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from scloud.auth.v1 import auth_pb2, auth_pb2_grpc
from scloud_common.aws import create_aws_client
from scloud_common.internal_tls import tls_settings
from scloud_files.config import FilesSettings
from scloud_files.http.app import create_app
from scloud_files.provision import provision_resources
from tests.harness import RunningServer, loopback_config, serve_in_thread

MIB = 1024 * 1024
KEY_ID = "test-key"


class PublicKeyServicer(auth_pb2_grpc.AuthServiceServicer):
    def __init__(self, public_key_pem: str) -> None:
        self._pem = public_key_pem

    def GetPublicKeys(self, request, context):
        return auth_pb2.GetPublicKeysResponse(
            keys=[auth_pb2.PublicKey(key_id=KEY_ID, algorithm="EdDSA", public_key_pem=self._pem)]
        )

    def CheckSession(self, request, context):
        return auth_pb2.CheckSessionResponse(active=True)


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def auth_address(signing_key, internal_certificates):
    """auth's gRPC service as files sees it: GetPublicKeys, CheckSession (every session active) and
    the standard health service."""
    pem = (
        signing_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    auth_pb2_grpc.add_AuthServiceServicer_to_server(PublicKeyServicer(pem), server)
    # As the real auth answers: its own proto service SERVING, which a peer's readiness asks.
    health_servicer = health.HealthServicer()
    health_servicer.set(
        auth_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name, health_pb2.HealthCheckResponse.SERVING
    )
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_secure_port("127.0.0.1:0", internal_certificates.material("auth").server_credentials())
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(0)


@pytest.fixture
def make_token(signing_key):
    def make(user_id: str, *, key=None, **claims) -> str:
        now = int(time.time())
        payload = {
            "sub": user_id,
            "sid": "session",
            "iss": "scloud-auth",
            "aud": "scloud",
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(payload, key or signing_key, algorithm="EdDSA", headers={"kid": KEY_ID})

    return make


@pytest.fixture
def settings(aws_endpoint_url, unique_name, auth_address, internal_certificates) -> FilesSettings:
    settings = FilesSettings(
        **tls_settings(internal_certificates, "files"),
        environment="test",
        object_key_secret="a-test-object-key-secret-of-40-characters",
        http_port=0,
        grpc_port=0,
        aws_endpoint_url=aws_endpoint_url,
        s3_public_endpoint_url=aws_endpoint_url.replace("127.0.0.1", "localhost"),
        dynamodb_table_prefix=f"{unique_name}-",
        s3_bucket=f"{unique_name}-files",
        auth_grpc_addr=auth_address,
        users_grpc_addr="127.0.0.1:9",
        max_upload_bytes=12 * MIB,
        upload_part_bytes=5 * MIB,
        # moto rolls a cancelled transaction back by restoring a copy of the whole table, which
        # undoes any transaction that committed meanwhile: bulk items go one at a time here.
        bulk_concurrency=1,
    )
    provision_resources(settings)
    return settings


@pytest.fixture
def s3(aws_endpoint_url):
    return create_aws_client("s3", region="us-east-1", endpoint_url=aws_endpoint_url)


@pytest.fixture
def dynamodb(aws_endpoint_url):
    return create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url)


@pytest.fixture
def running_service(settings) -> Iterator[RunningServer]:
    """The real app under uvicorn on a free port, in its own thread and event loop, with its
    gRPC server on another free port."""
    with serve_in_thread(loopback_config(create_app(settings))) as (service,):
        yield service


@pytest.fixture
def client(running_service, make_token) -> Iterator[httpx.Client]:
    """A client of the running service signed in as alice; `client.bob` holds bob's headers."""
    with httpx.Client(
        base_url=running_service.url, timeout=60, headers={"Authorization": f"Bearer {make_token('alice')}"}
    ) as client:
        client.bob = {"Authorization": f"Bearer {make_token('bob')}"}  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def settings_on_seaweedfs(seaweed_s3, monkeypatch, tmp_path, internal_certificates) -> Callable[..., FilesSettings]:
    """Makes the files service's settings for `make run`'s stores: SQLite in this test's folder and
    SeaweedFS's bucket, whose keys go to the environment, where boto3 reads them. Keyword
    arguments are further settings."""

    def settings(**overrides: object) -> FilesSettings:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweed_s3.access_key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweed_s3.secret_access_key)
        values: dict[str, object] = {
            "environment": "test",
            "object_key_secret": "a-test-object-key-secret-of-40-characters",
            "http_port": 0,
            "grpc_port": 0,
            "store": "sqlite",
            "sqlite_path": tmp_path / "files.db",
            "aws_endpoint_url": seaweed_s3.url,
            "aws_region": seaweed_s3.region,
            "s3_bucket": seaweed_s3.bucket,
            "auth_grpc_addr": "127.0.0.1:9",
            "users_grpc_addr": "127.0.0.1:9",
        }
        return FilesSettings(**tls_settings(internal_certificates, "files"), **(values | overrides))

    return settings
