"""In-memory CopyJobStore, for unit tests. Expired jobs are forgotten as the real stores' TTL
forgets them."""

import dataclasses
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scloud_files.domain.copy_job import CopyJob

if TYPE_CHECKING:
    from scloud_files.ports import CopyJobStore


class InMemoryCopyJobs:
    def __init__(self) -> None:
        self.jobs: dict[tuple[str, str], CopyJob] = {}
        self.progress_writes = 0

    async def add(self, job: CopyJob) -> None:
        self.jobs[job.user_id, job.job_id] = job

    async def get(self, user_id: str, job_id: str) -> CopyJob | None:
        job = self.jobs.get((user_id, job_id))
        if job is None or datetime.fromisoformat(job.expires_at) < datetime.now(UTC):
            return None
        return job

    async def save_progress(self, job: CopyJob) -> bool:
        stored = self.jobs.get((job.user_id, job.job_id))
        if stored is None:
            return False
        self.progress_writes += 1
        self.jobs[job.user_id, job.job_id] = dataclasses.replace(job, cancel_requested=stored.cancel_requested)
        return stored.cancel_requested

    async def request_cancel(self, user_id: str, job_id: str) -> CopyJob | None:
        stored = await self.get(user_id, job_id)
        if stored is None:
            return None
        if not stored.finished:
            stored = dataclasses.replace(stored, cancel_requested=True)
            self.jobs[user_id, job_id] = stored
        return stored


if TYPE_CHECKING:
    _: CopyJobStore = InMemoryCopyJobs()
