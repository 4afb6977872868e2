"""Thumbnails through the use cases over in-memory fakes: made after either upload path, off
the request, stored beside the object, linked only when READY, refused for a hostile image,
deleted with the file; and the worker's bounds (queue, time, failures)."""

import asyncio
import io
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from PIL import Image

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.pillow_thumbnail import PillowThumbnailRenderer
from scloud_files.domain import (
    FileNotFound,
    Rendition,
    ThumbnailNotFound,
    ThumbnailState,
    UnusableImage,
    rendition_keys,
)
from scloud_files.drive.thumbnail import MakeThumbnail, ThumbnailWorker
from scloud_files.drive.use_cases import build_drive

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def png(size=(600, 300)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, "blue").save(output, format="PNG")
    return output.getvalue()


class Harness:
    def __init__(self, renderer=None, *, queue_size=16, timeout=10.0, max_source_bytes=10_000_000) -> None:
        self.repository = InMemoryFileRepository()
        self.blobs = InMemoryBlobStore()
        self.pool = ThreadPoolExecutor(max_workers=1)
        make = MakeThumbnail(
            self.repository,
            self.blobs,
            renderer or PillowThumbnailRenderer(max_pixels=40_000_000),
            executor=self.pool,
            max_source_bytes=max_source_bytes,
            timeout_seconds=timeout,
        )
        self.worker = ThumbnailWorker(make, self.repository, queue_size=queue_size, concurrency=1)
        self.drive = build_drive(
            self.repository,
            self.blobs,
            max_upload_bytes=10_000_000,
            download_url_ttl_seconds=300,
            now=lambda: NOW,
            thumbnails=self.worker,
        )

    async def upload(self, name: str, content: bytes):
        async def chunks() -> AsyncIterator[bytes]:
            yield content

        return await self.drive.upload_file("alice", file_name=name, content_type=None, chunks=chunks())

    async def state(self, item):
        return (await self.repository.get(item.user_id, item.item_id)).thumbnail


@pytest.fixture
async def harness():
    made = Harness()
    task = asyncio.create_task(made.worker.run())
    yield made
    task.cancel()
    made.pool.shutdown(wait=False)


async def drained(worker: ThumbnailWorker) -> None:
    await asyncio.wait_for(worker.drained(), 30)


async def test_an_uploaded_image_gets_its_renditions_beside_the_object_and_a_link(harness):
    item = await harness.upload("photo.png", png())
    # Answered before any rendition exists: the work is off the request path.
    assert item.thumbnail is ThumbnailState.PENDING
    await drained(harness.worker)
    assert await harness.state(item) is ThumbnailState.READY
    for key in rendition_keys(item.object_key):
        data, content_type = harness.blobs.objects[key]
        assert (content_type, Image.open(io.BytesIO(data)).format) == ("image/webp", "WEBP")
    url, expires_at = await harness.drive.create_thumbnail_link("alice", item.item_id, Rendition.LARGE)
    assert url.startswith(f"memory://blobs/{item.object_key}.large.webp?")
    assert "type=image%2Fwebp" in url
    assert expires_at > NOW
    with pytest.raises(FileNotFound):
        await harness.drive.create_thumbnail_link("bob", item.item_id, Rendition.SMALL)


async def test_a_heic_photo_gets_both_webp_renditions(harness):
    output = io.BytesIO()
    # Written by pillow-heif, whose opener the renderer's module registers: no fixture file.
    Image.new("RGB", (1600, 1200), "orange").save(output, format="HEIF")
    assert output.getvalue()[4:12] == b"ftypheic"
    item = await harness.upload("IMG_0001.HEIC", output.getvalue())
    assert (item.media_type, item.thumbnail) == ("image/heic", ThumbnailState.PENDING)
    await drained(harness.worker)
    assert await harness.state(item) is ThumbnailState.READY
    sizes = {}
    for rendition in Rendition:
        data, content_type = harness.blobs.objects[f"{item.object_key}.{rendition.value}.webp"]
        image = Image.open(io.BytesIO(data))
        assert (content_type, image.format) == ("image/webp", "WEBP")
        sizes[rendition] = image.size
    assert sizes == {Rendition.SMALL: (256, 192), Rendition.LARGE: (1280, 960)}


async def test_a_file_that_is_no_image_gets_no_thumbnail_and_no_link(harness):
    item = await harness.upload("notes.txt", b"plain words")
    await drained(harness.worker)
    assert await harness.state(item) is None
    assert not set(rendition_keys(item.object_key)) & set(harness.blobs.objects)
    with pytest.raises(ThumbnailNotFound):
        await harness.drive.create_thumbnail_link("alice", item.item_id, Rendition.SMALL)


async def test_a_hostile_image_is_refused_and_stores_nothing(harness):
    from services.files.tests.unit.adapters.test_pillow_thumbnail import png_claiming

    item = await harness.upload("bomb.png", png_claiming(100_000, 100_000))
    await drained(harness.worker)
    assert await harness.state(item) is ThumbnailState.REFUSED
    assert not set(rendition_keys(item.object_key)) & set(harness.blobs.objects)
    with pytest.raises(ThumbnailNotFound):
        await harness.drive.create_thumbnail_link("alice", item.item_id, Rendition.SMALL)
    # The worker goes on with the next image.
    fine = await harness.upload("fine.png", png())
    await drained(harness.worker)
    assert await harness.state(fine) is ThumbnailState.READY


async def test_purging_the_file_deletes_its_renditions(harness):
    item = await harness.upload("photo.png", png())
    await drained(harness.worker)
    await harness.drive.trash_item("alice", item.item_id, kind=None)
    await harness.drive.delete_forever("alice", [item.item_id])
    await harness.drive.purge_due()
    assert harness.blobs.objects == {}


async def test_renditions_made_for_a_file_deleted_meanwhile_are_removed_again():
    harness = Harness()
    item = await harness.upload("photo.png", png())
    await harness.repository.delete(item)
    # Read once more before the renditions were stored: as if the file went meanwhile.
    harness.repository.items[(item.user_id, item.item_id)] = item
    original_set = harness.repository.set_thumbnail

    async def deleted_first(file, state):
        await harness.repository.delete(file)
        return await original_set(file, state)

    harness.repository.set_thumbnail = deleted_first
    assert await harness.worker._make(item) is None
    assert not set(rendition_keys(item.object_key)) & set(harness.blobs.objects)
    harness.pool.shutdown(wait=False)


async def test_an_image_trashed_before_its_turn_is_not_rendered_until_restored():
    harness = Harness()
    item = await harness.upload("photo.png", png())
    # Queued by the upload, trashed before the (not yet started) worker reached it.
    await harness.drive.trash_item("alice", item.item_id, kind=None)
    task = asyncio.create_task(harness.worker.run())
    try:
        await drained(harness.worker)
        assert await harness.state(item) is ThumbnailState.PENDING
        assert not set(rendition_keys(item.object_key)) & set(harness.blobs.objects)
        assert await harness.worker.catch_up(limit=10) == 0
        result = await harness.drive.restore_items("alice", [item.item_id], on_conflict="fail")
        assert [restored.item_id for restored in result.items] == [item.item_id]
        assert await harness.worker.catch_up(limit=10) == 1
        await drained(harness.worker)
        assert await harness.state(item) is ThumbnailState.READY
        assert set(rendition_keys(item.object_key)) <= set(harness.blobs.objects)
    finally:
        task.cancel()
        harness.pool.shutdown(wait=False)


async def test_past_the_queue_bound_images_stay_pending_until_the_catch_up_pass():
    harness = Harness(queue_size=1)
    first = await harness.upload("a.png", png())
    second = await harness.upload("b.png", png())
    # No consumer yet: the queue holds the first, the second was left for the catch-up pass.
    assert await harness.state(second) is ThumbnailState.PENDING
    task = asyncio.create_task(harness.worker.run())
    try:
        await drained(harness.worker)
        assert (await harness.state(first), await harness.state(second)) == (
            ThumbnailState.READY,
            ThumbnailState.PENDING,
        )
        assert await harness.worker.catch_up(limit=10) == 1
        await drained(harness.worker)
        assert await harness.state(second) is ThumbnailState.READY
        assert await harness.worker.catch_up(limit=10) == 0
    finally:
        task.cancel()
        harness.pool.shutdown(wait=False)


class Stuck:
    """A renderer that never finishes until released: what a pathological image would be."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def render_blocking(self, source: bytes) -> dict[Rendition, bytes]:
        self.release.wait(60)
        raise UnusableImage()


async def test_an_image_past_the_time_bound_is_refused_and_the_worker_goes_on():
    stuck = Stuck()
    harness = Harness(stuck, timeout=0.2)
    task = asyncio.create_task(harness.worker.run())
    try:
        item = await harness.upload("slow.png", png())
        await drained(harness.worker)
        assert await harness.state(item) is ThumbnailState.REFUSED
    finally:
        stuck.release.set()
        task.cancel()
        harness.pool.shutdown(wait=False)


class Exploding:
    def __init__(self) -> None:
        self.calls = 0

    def render_blocking(self, source: bytes) -> dict[Rendition, bytes]:
        self.calls += 1
        raise RuntimeError("a bug, not a bad image")


async def test_an_unexpected_failure_leaves_the_image_pending_and_the_worker_alive():
    exploding = Exploding()
    harness = Harness(exploding)
    task = asyncio.create_task(harness.worker.run())
    try:
        first = await harness.upload("a.png", png())
        second = await harness.upload("b.png", png())
        await drained(harness.worker)
        assert exploding.calls == 2
        assert (await harness.state(first), await harness.state(second)) == (
            ThumbnailState.PENDING,
            ThumbnailState.PENDING,
        )
        assert not task.done()
    finally:
        task.cancel()
        harness.pool.shutdown(wait=False)


async def test_an_image_over_the_source_bound_is_refused_without_reading_it():
    harness = Harness(max_source_bytes=1024)
    item = await harness.upload("big.png", png(size=(2000, 2000)))
    assert await harness.worker._make(item) is ThumbnailState.REFUSED
    harness.pool.shutdown(wait=False)
