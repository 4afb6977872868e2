"""The files app on the in-memory fakes, served through httpx's ASGI transport, with its storage
at hand so a test can put there what the routes would refuse to write."""

from dataclasses import dataclass

import httpx
import pytest

from scloud_common.internal_tls import tls_settings
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_activity import InMemoryActivityLog
from scloud_files.adapters.in_memory_copy_job import InMemoryCopyJobs
from scloud_files.adapters.in_memory_share import InMemoryUserDirectory
from scloud_files.adapters.in_memory_star import InMemoryStars
from scloud_files.bootstrap import bootstrap
from scloud_files.config import FilesSettings
from scloud_files.http.app import create_app
from scloud_files.ports import AccountProfile
from tests.fake_auth import FakeAuth

# The accounts' emails, as the users service would tell them (WebDAV's sign-in names).
EMAILS = {"alice": "alice@example.com", "bob": "bob@example.com"}


@dataclass
class DriveApp:
    client: httpx.AsyncClient
    repository: InMemoryFileRepository
    blobs: InMemoryBlobStore
    bob: dict[str, str]
    # For a client of a test's own making (WebDAV's Basic credentials in place of the bearer).
    transport: httpx.ASGITransport


@pytest.fixture
def drive_settings(internal_certificates) -> FilesSettings:
    return FilesSettings(
        **tls_settings(internal_certificates, "files"),
        environment="test",
        object_key_secret="a-test-object-key-secret-of-40-characters",
        http_port=0,
        grpc_port=0,
        aws_endpoint_url="http://127.0.0.1:9",
        auth_grpc_addr="127.0.0.1:9",
        users_grpc_addr="127.0.0.1:9",
        s3_bucket="unused",
        max_upload_bytes=1000,
    )


@pytest.fixture
def drive_repository() -> InMemoryFileRepository:
    """The store the app runs on; a test may override it with a subclass that counts or fails."""
    return InMemoryFileRepository()


@pytest.fixture
async def drive(drive_settings, drive_repository, no_outside_clients):
    auth, repository, blobs = FakeAuth(), drive_repository, InMemoryBlobStore()
    auth.active_sessions.update({("s1", "alice"), ("s2", "bob")})
    users = InMemoryUserDirectory(
        {user: AccountProfile(email_verified=True, display_name=user, email=email) for user, email in EMAILS.items()}
    )

    async def build(settings):
        return await bootstrap(
            settings,
            repository=repository,
            blob_store=blobs,
            key_source=auth,
            session_source=auth,
            users=users,
            stars=InMemoryStars(),
            activity=InMemoryActivityLog(),
            copy_jobs=InMemoryCopyJobs(),
        )

    app = create_app(drive_settings, build_container=build)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {auth.token('alice', 's1')}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as client:
            bob = {"Authorization": f"Bearer {auth.token('bob', 's2')}"}
            yield DriveApp(client, repository, blobs, bob, transport)
