"""What every CopyJobStore must do, written once: the fake and SQLite in the unit tier, DynamoDB
(moto) in the integration tier. A job reads back whole, progress never undoes a cancel, and jobs
past their expiry are forgotten."""

import dataclasses
from datetime import UTC, datetime, timedelta

from scloud_files.domain import OnConflict
from scloud_files.domain.copy_job import CopyJob, CopyJobState, FailedCopy


def a_job(job_id: str = "job1", *, expires_in: timedelta = timedelta(days=7)) -> CopyJob:
    now = datetime.now(UTC).replace(microsecond=0)
    return CopyJob(
        user_id="alice",
        job_id=job_id,
        item_ids=["a", "b"],
        parent_id=None,
        on_conflict=OnConflict.RENAME,
        files_total=300,
        bytes_total=12_345,
        created_at=now.isoformat(),
        heartbeat_at=now.isoformat(),
        expires_at=(now + expires_in).isoformat(),
    )


class CopyJobStoreContract:
    async def test_a_job_reads_back_whole_and_only_for_its_user(self, jobs):
        job = a_job()
        await jobs.add(job)
        assert await jobs.get("alice", "job1") == job
        assert await jobs.get("bob", "job1") is None
        assert await jobs.get("alice", "other") is None

    async def test_progress_is_saved_and_a_cancel_survives_it(self, jobs):
        job = a_job()
        await jobs.add(job)
        progressed = dataclasses.replace(
            job, files_copied=20, bytes_copied=900, copy_ids=["c"], failed=[FailedCopy("b", "name_taken", "Taken.")]
        )
        assert await jobs.save_progress(progressed) is False
        assert await jobs.get("alice", "job1") == progressed

        cancelled = await jobs.request_cancel("alice", "job1")
        assert cancelled == dataclasses.replace(progressed, cancel_requested=True)
        # The job's own writes carry no cancel mark, and never clear the one stored.
        ended = dataclasses.replace(progressed, state=CopyJobState.CANCELLED, files_copied=22)
        assert await jobs.save_progress(ended) is True
        assert await jobs.get("alice", "job1") == dataclasses.replace(ended, cancel_requested=True)

    async def test_unknown_jobs_are_neither_cancelled_nor_written(self, jobs):
        assert await jobs.request_cancel("alice", "nope") is None
        assert await jobs.save_progress(a_job("nope")) is False
        assert await jobs.get("alice", "nope") is None

    async def test_a_job_past_its_expiry_is_forgotten(self, jobs):
        await jobs.add(a_job("old", expires_in=timedelta(seconds=-1)))
        assert await jobs.get("alice", "old") is None
        assert await jobs.request_cancel("alice", "old") is None
