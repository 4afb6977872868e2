"""The files service's counters move on their events, on the fakes: uploads by kind and outcome
with the bytes stored, aborted direct uploads, and the purge's and the sweeper's runs."""

import os
from datetime import UTC, datetime, timedelta

import pytest

from scloud_common.errors import ServiceUnavailable
from scloud_common.metrics import ServiceMetrics, building_for
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_upload import InMemoryMultipartStore, InMemoryPendingUploads
from scloud_files.domain import CompletedPart, FileTooLarge, ItemKind, QuotaExceeded, UploadInterrupted, UploadMismatch
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import chunks_of
from services.files.tests.unit.test_direct_upload import LIMITS, MIB, PART, World, create, cut, send

UPLOADS = "scloud_uploads_total"
SIZES = "scloud_upload_size_bytes"
RUNS = "scloud_cleanup_runs_total"
REMOVED = "scloud_cleanup_removed_total"


def value(metrics: ServiceMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


@pytest.fixture
def metrics() -> ServiceMetrics:
    return ServiceMetrics()


@pytest.fixture
def world(metrics) -> World:
    clock = [datetime(2026, 11, 25, 9, 30, tzinfo=UTC)]
    repository, blobs, pending = InMemoryFileRepository(), InMemoryBlobStore(), InMemoryPendingUploads()
    multipart = InMemoryMultipartStore(blobs, clock=lambda: clock[0].timestamp())
    with building_for(metrics):
        drive = build_drive(
            repository,
            blobs,
            max_upload_bytes=MIB,
            download_url_ttl_seconds=60,
            pending_uploads=pending,
            multipart=multipart,
            quota_bytes=30 * MIB,
            direct_limits=LIMITS,
            now=lambda: clock[0],
        )
    return World(drive, repository, blobs, pending, multipart, clock)


async def upload(world: World, content: bytes, name: str = "notes.txt"):
    return await world.drive.upload_file("alice", file_name=name, content_type=None, chunks=chunks_of(content))


async def interrupted_after(content: bytes):
    yield content
    raise UploadInterrupted()


async def test_single_uploads_count_their_outcome_and_the_bytes_stored(world, metrics):
    await upload(world, b"x" * 700)
    await upload(world, b"y" * 300, name="other.txt")
    with pytest.raises(FileTooLarge):
        await upload(world, b"z" * (MIB + 1), name="big.bin")
    with pytest.raises(UploadInterrupted):
        await world.drive.upload_file(
            "alice", file_name="cut.txt", content_type=None, chunks=interrupted_after(b"partial")
        )
    assert value(metrics, UPLOADS, kind="single", outcome="completed") == 2
    assert value(metrics, SIZES + "_sum", kind="single") == 1000
    assert value(metrics, SIZES + "_count", kind="single") == 2
    assert value(metrics, UPLOADS, kind="single", outcome="too_large") == 1
    assert value(metrics, UPLOADS, kind="single", outcome="aborted") == 1


async def test_a_single_upload_past_the_quota_is_counted_as_such(world, metrics):
    await create(world, 30 * MIB - 5)
    with pytest.raises(QuotaExceeded):
        await upload(world, b"x" * 10)
    assert value(metrics, UPLOADS, kind="single", outcome="quota_exceeded") == 1
    assert value(metrics, UPLOADS, kind="single", outcome="completed") == 0


async def test_direct_completions_count_completed_mismatched_and_aborted_uploads(world, metrics):
    content = os.urandom(PART + 3)
    done = await create(world, len(content))
    item = await world.direct.complete("alice", done.upload_id, await send(world, done, cut(content)))
    assert item.kind is ItemKind.FILE
    assert value(metrics, UPLOADS, kind="multipart", outcome="completed") == 1
    assert value(metrics, SIZES + "_sum", kind="multipart") == len(content)

    lying = await create(world, len(content), name="lying.bin")
    parts = await send(world, lying, cut(content))
    # The second part declared with the first one's checksum.
    forged = [parts[0], CompletedPart(2, parts[1].etag, parts[0].sha256)]
    with pytest.raises(UploadMismatch):
        await world.direct.complete("alice", lying.upload_id, forged)
    assert value(metrics, UPLOADS, kind="multipart", outcome="checksum_mismatch") == 1

    dropped = await create(world, 10, name="dropped.bin")
    await world.direct.abort("alice", dropped.upload_id)
    assert value(metrics, UPLOADS, kind="multipart", outcome="aborted") == 1


async def test_sweeper_runs_are_counted_with_the_uploads_they_aborted(world, metrics):
    await create(world, 10)
    await create(world, 10, user="bob")
    assert await world.direct.sweep() == 0
    world.clock[0] += timedelta(hours=2)
    assert await world.direct.sweep() == 2
    assert value(metrics, RUNS, task="upload_sweep", outcome="ok") == 2
    assert value(metrics, REMOVED, task="upload_sweep") == 2


class FailingListing(InMemoryFileRepository):
    async def due_for_purge(self, before, *, limit):
        raise ServiceUnavailable()


async def test_purge_runs_are_counted_by_outcome_with_the_items_purged(world, metrics):
    first = await upload(world, b"a")
    second = await upload(world, b"b", name="b.txt")
    for item in (first, second):
        await world.drive.trash_item("alice", item.item_id, kind=ItemKind.FILE)
    world.clock[0] += timedelta(days=31)
    assert await world.drive.purge_due() == 2
    assert value(metrics, RUNS, task="purge", outcome="ok") == 1
    assert value(metrics, REMOVED, task="purge") == 2

    with building_for(metrics):
        broken = build_drive(FailingListing(), InMemoryBlobStore(), max_upload_bytes=MIB, download_url_ttl_seconds=60)
    with pytest.raises(ServiceUnavailable):
        await broken.purge_due()
    assert value(metrics, RUNS, task="purge", outcome="failed") == 1
