"""Thumbnails on SeaweedFS (real S3 signatures) with the SQLite repository: an uploaded PNG and
JPEG and a HEIC made in the test get both renditions, served by their signed links; a link
tampered with, expired or moved to another key is refused; a hostile image gets none; the
renditions go with the file (purge) and with the account; the reconcile pass keeps a live file's
renditions and deletes those whose file is gone."""

import asyncio
import io
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PIL import Image

from scloud_common.aws import create_aws_client
from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.pillow_thumbnail import PillowThumbnailRenderer
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.adapters.sqlite import MIGRATIONS, SqliteFileRepository
from scloud_files.domain import ObjectKeys, Rendition, ThumbnailState, rendition_keys
from scloud_files.drive.reconcile import ReconcileStore, reconcile_everything
from scloud_files.drive.thumbnail import MakeThumbnail, ThumbnailWorker
from scloud_files.drive.use_cases import build_drive
from services.files.tests.unit.adapters.test_pillow_thumbnail import png_claiming

KEYS = ObjectKeys.for_development()

pytestmark = pytest.mark.integration

EXPIRY_WAIT_SECONDS = 15.0


def image(format_: str) -> bytes:
    output = io.BytesIO()
    # HEIF is written by pillow-heif (its opener is registered by the renderer's module).
    Image.new("RGB", (1600, 1200), "green").save(output, format=format_)
    return output.getvalue()


def error_code(response: httpx.Response) -> str:
    return response.text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in response.text else ""


@pytest.fixture
def s3(seaweed_s3, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweed_s3.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweed_s3.secret_access_key)
    return create_aws_client("s3", region=seaweed_s3.region, endpoint_url=seaweed_s3.url)


@pytest.fixture
def blobs(seaweed_s3, s3) -> S3BlobStore:
    return S3BlobStore(s3, seaweed_s3.bucket, part_bytes=5 * 1024 * 1024)


@pytest.fixture
async def repository(tmp_path):
    store = await SqliteStore.open(tmp_path / "files.db", migrations=MIGRATIONS)
    yield SqliteFileRepository(store)
    await store.close()


class Service:
    def __init__(self, repository, blobs, *, link_ttl_seconds: int = 300) -> None:
        self.repository = repository
        self.blobs = blobs
        self.pool = ThreadPoolExecutor(max_workers=1)
        make = MakeThumbnail(
            repository,
            blobs,
            PillowThumbnailRenderer(max_pixels=40_000_000),
            executor=self.pool,
            max_source_bytes=50_000_000,
            timeout_seconds=60,
        )
        self.worker = ThumbnailWorker(make, repository, queue_size=16, concurrency=1)
        self.drive = build_drive(
            repository,
            blobs,
            max_upload_bytes=50_000_000,
            download_url_ttl_seconds=link_ttl_seconds,
            thumbnails=self.worker,
        )
        self.user = f"u{uuid.uuid4().hex[:12]}"

    async def upload(self, name: str, content: bytes):
        async def chunks():
            yield content

        item = await self.drive.upload_file(self.user, file_name=name, content_type=None, chunks=chunks())
        await asyncio.wait_for(self.worker.drained(), 60)
        return await self.repository.get(self.user, item.item_id)

    async def keys(self) -> list[str]:
        return [
            stored.key for stored in await self.blobs.list_objects(KEYS.user_prefix(self.user), after=None, limit=100)
        ]


@pytest.fixture
async def service(repository, blobs):
    made = Service(repository, blobs)
    task = asyncio.create_task(made.worker.run())
    yield made
    task.cancel()
    made.pool.shutdown(wait=False)


@pytest.mark.parametrize(("name", "format_"), [("photo.png", "PNG"), ("photo.jpg", "JPEG"), ("photo.heic", "HEIF")])
async def test_an_uploaded_image_gets_renditions_served_by_their_signed_links(service, name, format_):
    item = await service.upload(name, image(format_))
    assert item.thumbnail is ThumbnailState.READY
    assert sorted(await service.keys()) == sorted([item.object_key, *rendition_keys(item.object_key)])
    for rendition, size in ((Rendition.SMALL, (256, 192)), (Rendition.LARGE, (1280, 960))):
        url, _ = await service.drive.create_thumbnail_link(service.user, item.item_id, rendition)
        response = httpx.get(url, timeout=30)
        assert (response.status_code, response.headers["content-type"]) == (200, "image/webp")
        assert Image.open(io.BytesIO(response.content)).size == size


async def test_a_thumbnail_link_tampered_with_or_used_for_another_key_is_refused(service):
    item = await service.upload("photo.png", image("PNG"))
    url, _ = await service.drive.create_thumbnail_link(service.user, item.item_id, Rendition.SMALL)
    forgeries = [
        url[:-1] + ("0" if url[-1] != "0" else "1"),
        url.replace(".small.webp?", ".large.webp?"),
        url.replace(f"{item.object_key}.small.webp?", f"{item.object_key}?"),
        url.replace("response-content-type=image%2Fwebp", "response-content-type=text%2Fhtml"),
    ]
    assert all(forged != url for forged in forgeries)
    for forged in forgeries:
        response = httpx.get(forged, timeout=30)
        assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch"), forged
    assert httpx.get(url, timeout=30).status_code == 200


async def test_an_expired_thumbnail_link_is_refused(repository, blobs):
    service = Service(repository, blobs, link_ttl_seconds=1)
    task = asyncio.create_task(service.worker.run())
    try:
        item = await service.upload("photo.png", image("PNG"))
        url, _ = await service.drive.create_thumbnail_link(service.user, item.item_id, Rendition.SMALL)
        deadline = time.monotonic() + EXPIRY_WAIT_SECONDS
        response = httpx.get(url, timeout=30)
        while response.status_code == 200 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            response = httpx.get(url, timeout=30)
        assert (response.status_code, error_code(response)) == (403, "AccessDenied")
    finally:
        task.cancel()
        service.pool.shutdown(wait=False)


async def test_a_hostile_image_gets_no_thumbnail(service):
    item = await service.upload("bomb.png", png_claiming(100_000, 100_000))
    assert item.thumbnail is ThumbnailState.REFUSED
    assert await service.keys() == [item.object_key]


async def test_the_renditions_go_with_the_file_and_with_the_account(service):
    purged = await service.upload("purged.png", image("PNG"))
    kept = await service.upload("kept.jpg", image("JPEG"))
    await service.drive.trash_item(service.user, purged.item_id, kind=None)
    await service.drive.delete_forever(service.user, [purged.item_id])
    await service.drive.purge_due()
    assert sorted(await service.keys()) == sorted([kept.object_key, *rendition_keys(kept.object_key)])
    await service.drive.delete_user_files(service.user)
    assert await service.keys() == []


@pytest.fixture
def own_bucket(s3, unique_name) -> S3BlobStore:
    """A bucket of the test's own: the reconcile pass reads every user's objects, and the
    session's bucket holds other tests' files, whose rows are in other databases."""
    s3.create_bucket(Bucket=unique_name)
    return S3BlobStore(s3, unique_name, part_bytes=5 * 1024 * 1024)


async def test_reconcile_keeps_a_live_files_renditions_and_deletes_those_of_a_file_gone(repository, own_bucket):
    service = Service(repository, own_bucket)
    task = asyncio.create_task(service.worker.run())
    try:
        live = await service.upload("live.png", image("PNG"))
        gone = await service.upload("gone.jpg", image("JPEG"))
        assert (live.thumbnail, gone.thumbnail) == (ThumbnailState.READY, ThumbnailState.READY)
        # The file went but its renditions stayed (their delete failed, or the worker stored them
        # after the purge had read the file).
        await repository.delete(gone)
        await own_bucket.delete(gone.object_key)
        reconcile = ReconcileStore(
            repository,
            own_bucket,
            keys=KEYS,
            grace=timedelta(0),
            page_size=2,
            # Ahead of SeaweedFS's clock, so what the test stored is past the (empty) grace period.
            now=lambda: datetime.now(UTC) + timedelta(minutes=1),
        )
        report = await reconcile_everything(reconcile)
        assert sorted(report.objects_deleted) == sorted(rendition_keys(gone.object_key))
        assert sorted(await service.keys()) == sorted([live.object_key, *rendition_keys(live.object_key)])
        url, _ = await service.drive.create_thumbnail_link(service.user, live.item_id, Rendition.SMALL)
        assert httpx.get(url, timeout=30).status_code == 200
    finally:
        task.cancel()
        service.pool.shutdown(wait=False)
