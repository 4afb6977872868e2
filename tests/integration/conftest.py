"""The three services, each its real FastAPI app served by uvicorn on a real port with its gRPC
server beside it, talking gRPC to each other and HTTP to moto server (or LocalStack)."""

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scloud_auth.config import AuthSettings
from scloud_auth.http.app import create_app as create_auth_app
from scloud_auth.provision import provision_resources as provision_auth
from scloud_common.internal_tls import IssuedCertificates, tls_settings
from scloud_common.settings import MailingAwsSettings
from scloud_files.bootstrap import object_keys
from scloud_files.config import FilesSettings
from scloud_files.http.app import create_app as create_files_app
from scloud_files.provision import provision_resources as provision_files
from scloud_users.config import UsersSettings
from scloud_users.http.app import create_app as create_users_app
from scloud_users.provision import provision_resources as provision_users
from tests.harness import free_ports, loopback_config, serve_in_thread
from tests.mail_sink import accepted_mail

MAX_UPLOAD_BYTES = 6 * 1024 * 1024
MAIL_SENDER = "SCloud <no-reply@scloud.localhost>"
PUBLIC_URL = "http://app.scloud.test"


@dataclass
class System:
    auth_url: str
    users_url: str
    files_url: str
    settings: dict
    certificates: IssuedCertificates
    grpc_ports: dict[str, int]
    s3_client: object
    dynamodb_client: object
    aws_endpoint_url: str
    # Each service's Prometheus metrics endpoint (GET), which no gateway routes to.
    metrics_urls: dict[str, str]

    def url(self, path: str) -> str:
        """Routes /api/v1/<service>/... and its deprecated alias /api/<service>/... as the gateway does."""
        prefix = path.removeprefix("/api/v1/").removeprefix("/api/").split("/")[0].split("?")[0]
        # The drive's routes all belong to files (gateway/scloud.conf.template).
        service = "files" if prefix in ("folders", "items", "search", "trash", "shared-with-me", "uploads") else prefix
        return {"auth": self.auth_url, "users": self.users_url, "files": self.files_url}[service] + path


@pytest.fixture(scope="session")
def system(aws_endpoint_url, internal_certificates) -> Iterator[System]:
    with running_system(aws_endpoint_url, internal_certificates) as started:
        yield started


@contextmanager
def running_system(
    aws_endpoint_url: str,
    certificates: IssuedCertificates,
    *,
    mail_transport: dict[str, Any] | None = None,
    files_overrides: dict[str, Any] | None = None,
    **users_overrides: Any,
) -> Iterator[System]:
    """The three services on loopback, on fresh tables and bucket. Their mail goes through the
    stand-in's SES, or, with `mail_transport` (the mail_* settings of another transport), there
    in all three. `users_overrides` are UsersSettings fields (the registration door, say), and
    `files_overrides` FilesSettings fields (its stores, the file-request notice interval, say)."""
    import uuid

    from scloud_common.aws import create_aws_client

    prefix = f"sys{uuid.uuid4().hex[:8]}-"
    bucket = f"{prefix}files"
    key_pem = (
        Ed25519PrivateKey.generate()
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    # Each service's settings name its peers' gRPC addresses, so those ports are chosen first.
    auth_grpc, users_grpc, files_grpc = free_ports(3)
    common = dict(
        environment="test",
        aws_endpoint_url=aws_endpoint_url,
        dynamodb_table_prefix=prefix,
        grpc_timeout_seconds=5,
        metrics_port=0,
    )
    mail = dict(mail_sender=MAIL_SENDER, public_url=PUBLIC_URL, **(mail_transport or {}))
    # Files has always sent with its default sender and links through SES here.
    files_mail = mail if mail_transport else {}
    auth_settings = AuthSettings(
        **common,
        **tls_settings(certificates, "auth"),
        http_port=0,
        grpc_port=auth_grpc,
        jwt_private_key=key_pem,
        users_grpc_addr=f"127.0.0.1:{users_grpc}",
        **mail,
        cookie_secure=False,
        bcrypt_rounds=10,
        refresh_reuse_grace_seconds=0,
    )
    users_settings = UsersSettings(
        **common,
        **tls_settings(certificates, "users"),
        http_port=0,
        grpc_port=users_grpc,
        auth_grpc_addr=f"127.0.0.1:{auth_grpc}",
        files_grpc_addr=f"127.0.0.1:{files_grpc}",
        **mail,
        **users_overrides,
    )
    files_values = dict(
        object_key_secret="a-test-object-key-secret-of-40-characters",
        **common,
        **tls_settings(certificates, "files"),
        http_port=0,
        grpc_port=files_grpc,
        auth_grpc_addr=f"127.0.0.1:{auth_grpc}",
        users_grpc_addr=f"127.0.0.1:{users_grpc}",
        s3_bucket=bucket,
        max_upload_bytes=MAX_UPLOAD_BYTES,
        **files_mail,
    )
    files_settings = FilesSettings(**(files_values | (files_overrides or {})))
    provision_auth(MailingAwsSettings(**common, **mail))
    provision_users(MailingAwsSettings(**common, **mail))
    provision_files(files_settings)
    apps = (create_auth_app(auth_settings), create_users_app(users_settings), create_files_app(files_settings))
    with serve_in_thread(*(loopback_config(app) for app in apps)) as (auth, users, files):
        yield System(
            auth_url=auth.url,
            users_url=users.url,
            files_url=files.url,
            settings={
                "bucket": files_settings.s3_bucket,
                "table_prefix": prefix,
                "object_keys": object_keys(files_settings),
            },
            certificates=certificates,
            grpc_ports={"auth": auth.grpc_port, "users": users.grpc_port, "files": files.grpc_port},
            s3_client=create_aws_client("s3", region="us-east-1", endpoint_url=aws_endpoint_url),
            dynamodb_client=create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url),
            aws_endpoint_url=aws_endpoint_url,
            metrics_urls={
                name: server.app.state.metrics_endpoint.url
                for name, server in (("auth", auth), ("users", users), ("files", files))
            },
        )


class Browser:
    """One user's client: keeps the refresh cookie like a browser and sends the access token."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.http = httpx.Client(timeout=30)
        self.access_token: str | None = None

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if self.access_token:
            headers.setdefault("Authorization", f"Bearer {self.access_token}")
        return self.http.request(method, self.system.url(path), headers=headers, **kwargs)

    def register(
        self, email: str, password: str = "Secret pass 1", username: str = "Tester", **extra
    ) -> httpx.Response:
        response = self.request(
            "POST", "/api/auth/register", json={"email": email, "username": username, "password": password, **extra}
        )
        if response.status_code == 201:
            self.access_token = response.json()["accessToken"]
        return response

    def login(self, email: str, password: str = "Secret pass 1") -> httpx.Response:
        response = self.request("POST", "/api/auth/login", json={"email": email, "password": password})
        if response.status_code == 200:
            self.access_token = response.json()["accessToken"]
        return response

    def upload(self, name: str, content: bytes, content_type: str = "text/plain") -> httpx.Response:
        return self.request("POST", "/api/files/upload", files={"file": (name, content, content_type)})


@pytest.fixture
def new_browser(system):
    browsers: list[Browser] = []

    def make() -> Browser:
        browsers.append(Browser(system))
        return browsers[-1]

    yield make
    for browser in browsers:
        browser.http.close()


@pytest.fixture
def email() -> str:
    import uuid

    return f"user-{uuid.uuid4().hex[:10]}@example.com"


ACCESS_CHECK_PATHS = ("/api/auth/sessions", "/api/users/me", "/api/files")


def assert_refused_everywhere_within(browser: Browser, *, seconds: float) -> None:
    """The browser's access token gets 401 from auth, users and files, each within `seconds`."""
    deadline = time.monotonic() + seconds
    for path in ACCESS_CHECK_PATHS:
        while (status := browser.request("GET", path).status_code) != 401:
            # Until the cached session answer expires: 200, or 404 once a deleted account is gone.
            assert status in (200, 404), f"{path} answered {status}"
            assert time.monotonic() < deadline, f"{path} still accepts the token after {seconds} s"
            time.sleep(0.2)


@dataclass(frozen=True)
class SentMail:
    to: list[str]
    subject: str
    body: str

    def link(self, path: str) -> str:
        """The token of the first link to PUBLIC_URL + path in the mail."""
        match = re.search(re.escape(f"{PUBLIC_URL}{path}#token=") + r"([\w-]+)", self.body)
        assert match, f"no {path} link in {self.body!r}"
        return match.group(1)


def sent_mail(aws_endpoint_url: str, to: str) -> list[SentMail]:
    """What the stand-in's SES accepted for `to`, oldest first."""
    return [SentMail(mail.to, mail.subject, mail.body) for mail in accepted_mail(aws_endpoint_url) if to in mail.to]


def wait_for_mail(system: System, to: str, *, count: int = 1, seconds: float = 15) -> list[SentMail]:
    """Waits until `count` mails reached `to` (they leave off the request path) and returns them."""
    deadline = time.monotonic() + seconds
    while len(mails := sent_mail(system.aws_endpoint_url, to)) < count:
        assert time.monotonic() < deadline, f"{len(mails)} of {count} mails reached {to} within {seconds} s"
        time.sleep(0.1)
    return mails
