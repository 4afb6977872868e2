"""bootstrap, the files service's composition root: given an in-memory fake for every port, the
container it builds runs on those fakes alone, with no AWS client and no channel to auth."""

import pytest

from scloud_common.internal_tls import tls_settings
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.bootstrap import bootstrap, object_keys, request_limits
from scloud_files.config import FilesSettings
from scloud_files.domain import FileTooLarge, ObjectKeys, StorageUsage
from services.files.tests.doubles import chunks_of
from tests.fake_auth import FakeAuth

LIMIT = 1000
TEST_SECRET = "a-test-object-key-secret-of-40-characters"


def settings_with(internal_certificates, **overrides: object) -> FilesSettings:
    values: dict[str, object] = {
        "environment": "test",
        "object_key_secret": TEST_SECRET,
        "http_port": 0,
        "grpc_port": 0,
        "aws_endpoint_url": "http://127.0.0.1:9",
        "auth_grpc_addr": "127.0.0.1:9",
        "users_grpc_addr": "127.0.0.1:9",
        "s3_bucket": "unused",
        "max_upload_bytes": LIMIT,
    }
    return FilesSettings(**tls_settings(internal_certificates, "files"), **(values | overrides))


@pytest.fixture
def settings(internal_certificates) -> FilesSettings:
    return settings_with(internal_certificates)


async def test_a_container_built_from_fakes_stores_through_them_and_builds_no_client(settings, no_outside_clients):
    repository, blobs, auth = InMemoryFileRepository(), InMemoryBlobStore(), FakeAuth()
    container = await bootstrap(settings, repository=repository, blob_store=blobs, key_source=auth, session_source=auth)

    stored = await container.service.upload_file(
        "alice", file_name="notes.txt", content_type="text/plain", chunks=chunks_of(b"hello")
    )

    assert blobs.objects == {stored.object_key: (b"hello", "text/plain")}
    # Sealed with the settings' secret, not the development value.
    assert stored.object_key == ObjectKeys(TEST_SECRET).file("alice", stored.item_id)
    assert stored.object_key != ObjectKeys.for_development().file("alice", stored.item_id)
    assert await repository.get("alice", stored.item_id) == stored
    assert await repository.usage("alice") == StorageUsage(bytes_used=5, file_count=1)
    assert container.readiness_checks == {}
    # The only thing to stop are the background tasks (trash purge, reconcile), which run on the fakes too.
    assert len(container.closers) == 1
    await container.aclose()


async def test_the_upload_limit_comes_from_the_settings(settings, no_outside_clients):
    blobs = InMemoryBlobStore()
    container = await bootstrap(
        settings,
        repository=InMemoryFileRepository(),
        blob_store=blobs,
        key_source=FakeAuth(),
        session_source=FakeAuth(),
    )
    with pytest.raises(FileTooLarge):
        await container.service.upload_file("alice", file_name="big", content_type=None, chunks=chunks_of(b"x" * 1001))
    assert blobs.objects == {}


async def test_the_token_verifier_asks_the_fake_auth_for_keys_and_sessions(settings, no_outside_clients):
    auth = FakeAuth()
    container = await bootstrap(
        settings,
        repository=InMemoryFileRepository(),
        blob_store=InMemoryBlobStore(),
        key_source=auth,
        session_source=auth,
    )
    auth.active_sessions.add(("session-1", "alice"))

    claims = await container.token_verifier.verify(auth.token("alice", "session-1"))

    assert (claims.user_id, claims.session_id) == ("alice", "session-1")


async def test_without_fakes_it_builds_the_real_adapters_and_checks_their_readiness(settings):
    container = await bootstrap(settings)
    try:
        assert set(container.readiness_checks) == {"dynamodb", "s3", "auth"}
        # The health watchdog probes the pools of both AWS clients and of the archives.
        assert set(container.pools) == {"dynamodb", "s3", "archive"}
    finally:
        await container.aclose()


def test_a_lower_file_limit_alone_lowers_the_default_limit_of_file_requests(internal_certificates) -> None:
    # A deployment that sets only FILES_MAX_FILE_BYTES below the requests' default (1 GiB) used
    # to fail at start: the default now follows the file limit down.
    settings = settings_with(internal_certificates, max_file_bytes=10 * 1024 * 1024)
    assert request_limits(settings).default_file_bytes == 10 * 1024 * 1024


@pytest.mark.parametrize("secret", [None, "changeme", "short"])
def test_outside_development_the_service_refuses_to_start_without_a_real_object_key_secret(
    internal_certificates, secret
) -> None:
    with pytest.raises(ValueError, match="FILES_OBJECT_KEY_SECRET|at least 32"):
        settings_with(internal_certificates, object_key_secret=secret)


def test_in_development_a_missing_object_key_secret_stands_in_with_the_development_value(internal_certificates):
    settings = settings_with(internal_certificates, environment="development", object_key_secret=None)
    assert object_keys(settings).file("alice", "01JAAAAAAAAAAAAAAAAAAAAAAA") == ObjectKeys.for_development().file(
        "alice", "01JAAAAAAAAAAAAAAAAAAAAAAA"
    )
