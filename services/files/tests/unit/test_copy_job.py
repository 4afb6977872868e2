"""Copying a selection on the in-memory fakes: the move's conflict choices, the quota refused up
front for the whole selection, and a large selection as a copy job with progress, a heartbeat
and a cancel that stops between files."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_copy_job import InMemoryCopyJobs
from scloud_files.domain import BulkResult, OnConflict, QuotaExceeded
from scloud_files.domain.copy_job import CopyJob, CopyJobNotFound, CopyJobState
from scloud_files.drive.copy_job import CopyJobSettings
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import Clock
from services.files.tests.unit.test_copy import mkdir, tree, upload

QUOTA = 10_000
SETTINGS = CopyJobSettings(threshold_files=5, progress_every_files=2, heartbeat_seconds=60, cancel_wait_seconds=5)


class GatedBlobStore(InMemoryBlobStore):
    """Copies wait while `allowed` of them are done, so a test can hold a job between files."""

    def __init__(self) -> None:
        super().__init__()
        self.allowed: int | None = None
        self.waiting = 0
        self.copies = 0
        self._changed = asyncio.Condition()

    async def allow(self, allowed: int | None) -> None:
        async with self._changed:
            self.allowed = allowed
            self._changed.notify_all()

    async def copy(self, source_key: str, target_key: str, *, size: int | None = None) -> None:
        async with self._changed:
            self.waiting += 1
            await self._changed.wait_for(lambda: self.allowed is None or self.copies < self.allowed)
            self.waiting -= 1
            self.copies += 1
            self._changed.notify_all()
        await super().copy(source_key, target_key)

    async def until(self, condition) -> None:
        async with asyncio.timeout(10), self._changed:
            await self._changed.wait_for(condition)


class CancelSeenJobs(InMemoryCopyJobs):
    def __init__(self) -> None:
        super().__init__()
        self.cancel_seen = asyncio.Event()

    async def request_cancel(self, user_id: str, job_id: str) -> CopyJob | None:
        stored = await super().request_cancel(user_id, job_id)
        self.cancel_seen.set()
        return stored


@pytest.fixture
def clock():
    clock = Clock()
    # The stores forget a job by the wall clock after its expiry: the drive's clock is now.
    clock.now = datetime.now(UTC).replace(microsecond=0)
    return clock


@pytest.fixture
def jobs():
    return CancelSeenJobs()


@pytest.fixture
def blobs():
    return GatedBlobStore()


@pytest.fixture
def drive(blobs, jobs, clock):
    return build_drive(
        repository=InMemoryFileRepository(),
        blob_store=blobs,
        max_upload_bytes=10_000,
        download_url_ttl_seconds=300,
        quota_bytes=QUOTA,
        bulk_concurrency=2,
        now=clock,
        copy_job_store=jobs,
        copy_job_settings=SETTINGS,
    )


async def folder_of(drive, name, count, parent=None, size=10):
    folder = await mkdir(drive, name, parent)
    for number in range(count):
        await upload(drive, f"f{number:02}.txt", bytes([number]) * size, folder.item_id)
    return folder


async def finished(drive, job: CopyJob):
    async def poll():
        while True:
            report = await drive.copy_jobs.get("alice", job.job_id)
            if report.job.finished:
                return report
            await asyncio.sleep(0.01)

    return await asyncio.wait_for(poll(), timeout=10)


async def test_a_small_selection_is_copied_now_and_a_taken_name_fails_like_a_move(drive):
    note = await upload(drive, "note.txt", b"hello")
    photos = await folder_of(drive, "Photos", 2)
    target = await mkdir(drive, "Target")
    await upload(drive, "note.txt", b"other", target.item_id)

    result = await drive.copy_items(
        "alice", [note.item_id, photos.item_id], parent_id=target.item_id, on_conflict=OnConflict.FAIL
    )

    assert isinstance(result, BulkResult)
    assert [item.name for item in result.items] == ["Photos"]
    assert [(item_id, error.code) for item_id, error in result.failed] == [(note.item_id, "name_taken")]
    assert (await tree(drive, target.item_id)) == {
        "note.txt": b"other",
        "Photos/": None,
        "Photos/f00.txt": b"\x00" * 10,
        "Photos/f01.txt": b"\x01" * 10,
    }


async def test_rename_keeps_both_and_the_originals_stay(drive):
    note = await upload(drive, "note.txt", b"hello")
    result = await drive.copy_items("alice", [note.item_id], parent_id=None, on_conflict=OnConflict.RENAME)
    assert isinstance(result, BulkResult)
    assert [item.name for item in result.items] == ["note (1).txt"]
    assert (await tree(drive)) == {"note.txt": b"hello", "note (1).txt": b"hello"}


async def test_a_selection_over_the_quota_is_refused_before_anything_is_copied(drive, blobs):
    big = await folder_of(drive, "Big", 3, size=3000)
    small = await upload(drive, "small.txt", b"x" * 500)
    # Stored 9,500 of 10,000: the small file fits alone, the selection does not.
    with pytest.raises(QuotaExceeded) as refused:
        await drive.copy_items("alice", [small.item_id, big.item_id], parent_id=None, on_conflict=OnConflict.RENAME)
    assert refused.value.details == {"used": 9500, "quota": QUOTA, "size": 9500}
    assert blobs.copies == 0
    assert set(await tree(drive)) == {"Big/", "Big/f00.txt", "Big/f01.txt", "Big/f02.txt", "small.txt"}


async def test_a_large_selection_is_a_job_whose_progress_is_saved_as_it_goes(drive, jobs):
    source = await folder_of(drive, "Source", 7)
    target = await mkdir(drive, "Target")

    job = await drive.copy_items("alice", [source.item_id], parent_id=target.item_id, on_conflict=OnConflict.FAIL)

    assert isinstance(job, CopyJob)
    assert (job.state, job.files_total, job.bytes_total) == (CopyJobState.RUNNING, 7, 70)
    report = await finished(drive, job)
    assert (report.job.state, report.job.files_copied, report.job.bytes_copied) == (CopyJobState.DONE, 7, 70)
    assert [copy.name for copy in report.copies] == ["Source"]
    assert (await tree(drive, target.item_id)) == {
        "Source/": None,
        **{f"Source/f{n:02}.txt": bytes([n]) * 10 for n in range(7)},
    }
    # Every second file, and the end.
    assert jobs.progress_writes == 4


async def test_a_cancel_stops_between_files_and_leaves_what_was_copied(drive, blobs, jobs):
    source = await folder_of(drive, "Source", 8)
    await blobs.allow(2)
    job = await drive.copy_items("alice", [source.item_id], parent_id=None, on_conflict=OnConflict.RENAME)
    assert isinstance(job, CopyJob)
    # Two files copied, two more started (two at a time) and held.
    await blobs.until(lambda: blobs.copies == 2 and blobs.waiting == 2)

    cancelling = asyncio.create_task(drive.copy_jobs.cancel("alice", job.job_id))
    await asyncio.wait_for(jobs.cancel_seen.wait(), timeout=10)
    await blobs.allow(None)
    report = await cancelling

    assert report.job.state is CopyJobState.CANCELLED
    assert report.job.cancel_requested
    # The two copies in progress finish; no file is started after the cancel.
    assert report.job.files_copied == blobs.copies == 4
    copied = await tree(drive, report.copies[0].item_id)
    assert len(copied) == report.job.files_copied


async def test_a_job_whose_process_stopped_beating_is_seen_failed(drive, jobs, clock, blobs):
    source = await folder_of(drive, "Source", 6)
    await blobs.allow(0)
    job = await drive.copy_items("alice", [source.item_id], parent_id=None, on_conflict=OnConflict.RENAME)
    assert (await drive.copy_jobs.get("alice", job.job_id)).job.state is CopyJobState.RUNNING

    clock.now += SETTINGS.stale_after + timedelta(seconds=1)

    report = await drive.copy_jobs.get("alice", job.job_id)
    assert (report.job.state, report.job.error) == (CopyJobState.FAILED, "interrupted")
    await drive.copy_jobs.close()


async def test_another_users_job_is_not_found(drive):
    source = await folder_of(drive, "Source", 6)
    job = await drive.copy_items("alice", [source.item_id], parent_id=None, on_conflict=OnConflict.RENAME)
    with pytest.raises(CopyJobNotFound):
        await drive.copy_jobs.get("bob", job.job_id)
    with pytest.raises(CopyJobNotFound):
        await drive.copy_jobs.cancel("bob", job.job_id)
    await finished(drive, job)
