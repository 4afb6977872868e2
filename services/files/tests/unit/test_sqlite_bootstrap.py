"""bootstrap with FILES_STORE=sqlite: the metadata lives in one SQLite file that outlives the
process, readiness checks it as `sqlite`, no DynamoDB client is made, and the bytes stay in S3."""

import boto3.session
import pytest

from scloud_common.internal_tls import tls_settings
from scloud_common.mail import RecordingMailer
from scloud_files.adapters.in_memory import InMemoryBlobStore
from scloud_files.adapters.in_memory_grants import InMemoryPeopleDirectory
from scloud_files.adapters.in_memory_share import InMemoryUserDirectory
from scloud_files.bootstrap import bootstrap
from scloud_files.config import FilesSettings, FilesStorageSettings
from scloud_files.domain import ItemKind, SortField, StorageUsage
from services.files.tests.doubles import chunks_of
from tests.fake_auth import FakeAuth


@pytest.fixture
def settings(internal_certificates, tmp_path) -> FilesSettings:
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
        store="sqlite",
        sqlite_path=tmp_path / "data" / "files.db",
    )


async def test_items_and_usage_live_in_the_file_and_outlive_the_process(settings, no_outside_clients):
    blobs = InMemoryBlobStore()

    async def build():
        auth = FakeAuth()
        return await bootstrap(
            settings,
            blob_store=blobs,
            key_source=auth,
            session_source=auth,
            users=InMemoryUserDirectory(),
            mailer=RecordingMailer(),
            people=InMemoryPeopleDirectory(),
        )

    container = await build()
    assert set(container.readiness_checks) == {"sqlite"}
    await container.readiness_checks["sqlite"]()
    stored = await container.service.upload_file(
        "alice", file_name="notes.txt", content_type="text/plain", chunks=chunks_of(b"hello")
    )
    await container.aclose()

    container = await build()
    try:
        page = await container.service.list_children(
            "alice", None, sort=SortField.NAME, descending=False, kinds=list(ItemKind), limit=10, cursor=None
        )
        assert [item.item_id for item in page.items] == [stored.item_id]
        assert await container.service.get_storage_usage("alice") == StorageUsage(bytes_used=5, file_count=1)
    finally:
        await container.aclose()
    assert (
        settings.sqlite_database().stat().st_mode & 0o777,
        settings.sqlite_database().parent.stat().st_mode & 0o777,
    ) == (
        0o600,
        0o700,
    )


async def test_without_fakes_it_builds_s3_and_auth_but_no_dynamodb_client(settings, monkeypatch):
    services: list[str] = []
    make_client = boto3.session.Session.client

    def recording_client(self, service_name, *args, **kwargs):
        services.append(service_name)
        return make_client(self, service_name, *args, **kwargs)

    monkeypatch.setattr(boto3.session.Session, "client", recording_client)
    container = await bootstrap(settings)
    try:
        assert set(container.readiness_checks) == {"sqlite", "s3", "auth"}
        assert "s3" in services and "dynamodb" not in services
    finally:
        await container.aclose()


def test_the_sqlite_store_needs_a_database_path(settings):
    with pytest.raises(ValueError, match="sqlite_path"):
        FilesSettings(**{**settings.model_dump(), "sqlite_path": None})


def test_the_store_is_read_from_files_store_and_files_sqlite_path(monkeypatch, tmp_path):
    monkeypatch.setenv("FILES_S3_BUCKET", "bucket")
    monkeypatch.setenv("FILES_STORE", "sqlite")
    monkeypatch.setenv("FILES_SQLITE_PATH", str(tmp_path / "files.db"))
    settings = FilesStorageSettings()
    assert (settings.store, settings.sqlite_database()) == ("sqlite", tmp_path / "files.db")
    monkeypatch.delenv("FILES_STORE")
    assert FilesStorageSettings().store == "dynamodb"
