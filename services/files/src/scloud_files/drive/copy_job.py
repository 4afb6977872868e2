"""Copying a selection into a folder: small ones within the request, like the other bulk actions;
one holding more files than a request should copy as a copy job, run as a task of this process,
its progress saved every few files and its heartbeat renewed while it runs, cancellable between
files."""

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from scloud_common.errors import AppError
from scloud_files.domain import MAX_BULK_ITEMS, BulkResult, Item, OnConflict, TooManyItems
from scloud_files.domain.copy_job import COPY_JOB_RETENTION, CopyJob, CopyJobNotFound, CopyJobState, FailedCopy
from scloud_files.drive.bulk import BulkRunner
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.copy import CopyItem, CopyStopped, TreeSize
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.quota import StorageQuota
from scloud_files.ports import CopyJobStore, FileRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CopyJobSettings:
    # A selection holding more files than this is copied by a job.
    threshold_files: int = 200
    # Progress is saved after this many files, and at every heartbeat.
    progress_every_files: int = 20
    heartbeat_seconds: float = 5.0
    # A running job whose heartbeat is older than this many heartbeats died with its process.
    stale_heartbeats: int = 6
    # How long a cancel waits for a job of this process to stop before answering.
    cancel_wait_seconds: float = 5.0

    @property
    def stale_after(self) -> timedelta:
        return timedelta(seconds=self.heartbeat_seconds * self.stale_heartbeats)


class CopyRun:
    """One job as it runs: its counters, copies and failures, saved under a lock so that the
    heartbeat and the files never write at once; a cancel seen in the store stops it."""

    def __init__(self, job: CopyJob, store: CopyJobStore, settings: CopyJobSettings, now: Clock) -> None:
        self.job = job
        self._store = store
        self._settings = settings
        self._now = now
        self._lock = asyncio.Lock()
        self._saved_files = 0
        self.stopped = asyncio.Event()

    async def copy_made(self, copy: Item) -> None:
        if copy.item_id not in self.job.copy_ids:
            self.job = dataclasses.replace(self.job, copy_ids=[*self.job.copy_ids, copy.item_id])

    async def starting_file(self) -> None:
        if self.stopped.is_set():
            raise CopyStopped()

    async def file_copied(self, size: int) -> None:
        self.job = dataclasses.replace(
            self.job, files_copied=self.job.files_copied + 1, bytes_copied=self.job.bytes_copied + size
        )
        if self.job.files_copied - self._saved_files >= self._settings.progress_every_files:
            await self.save()

    def refused(self, item_id: str, error: AppError) -> None:
        self.job = dataclasses.replace(
            self.job, failed=[*self.job.failed, FailedCopy(item_id, error.code, error.message)]
        )

    async def save(self, **final: object) -> None:
        async with self._lock:
            self.job = dataclasses.replace(self.job, heartbeat_at=timestamp(self._now()), **final)  # type: ignore[arg-type]
            self._saved_files = self.job.files_copied
            if await self._store.save_progress(self.job):
                self.stopped.set()

    async def beat(self) -> None:
        while True:
            await asyncio.sleep(self._settings.heartbeat_seconds)
            try:
                await self.save()
            except AppError:
                # An outage of the store: the next beat tries again, and a reader sees the job
                # as failed only if none lands within the stale bound.
                logger.warning("copy job heartbeat not saved", extra={"job_id": self.job.job_id})


@dataclass(frozen=True)
class CopyJobReport:
    """A job as a reader sees it, with its copies as they are now (those since deleted left out)."""

    job: CopyJob
    copies: list[Item]


class CopyJobs:
    """Starts, reads and cancels copy jobs; the jobs this process runs are its tasks."""

    def __init__(
        self,
        store: CopyJobStore,
        repository: FileRepository,
        copy_item: CopyItem,
        settings: CopyJobSettings,
        *,
        new_id: Callable[[], str],
        now: Clock,
    ) -> None:
        self._store = store
        self._repository = repository
        self._copy_item = copy_item
        self._settings = settings
        self._new_id = new_id
        self._now = now
        self._running: dict[str, tuple[CopyRun, asyncio.Task[None]]] = {}

    async def start(
        self, user_id: str, item_ids: list[str], *, parent_id: str | None, on_conflict: OnConflict, size: TreeSize
    ) -> CopyJob:
        """Records the job and starts it as a task of the running loop."""
        now = self._now()
        job = CopyJob(
            user_id=user_id,
            job_id=self._new_id(),
            item_ids=item_ids,
            parent_id=parent_id,
            on_conflict=on_conflict,
            files_total=size.files,
            bytes_total=size.bytes,
            created_at=timestamp(now),
            heartbeat_at=timestamp(now),
            expires_at=timestamp(now + COPY_JOB_RETENTION),
        )
        await self._store.add(job)
        run = CopyRun(job, self._store, self._settings, self._now)
        task = asyncio.create_task(self._run(run))
        self._running[job.job_id] = (run, task)
        task.add_done_callback(lambda _: self._running.pop(job.job_id, None))
        logger.info("copy job started", extra={"user_id": user_id, "job_id": job.job_id, "files": size.files})
        return job

    async def get(self, user_id: str, job_id: str) -> CopyJobReport:
        """The job as it is now; a running one whose process died is answered as failed."""
        job = await self._store.get(user_id, job_id)
        if job is None:
            raise CopyJobNotFound()
        found = await self._repository.get_many(user_id, job.copy_ids) if job.copy_ids else {}
        copies = [found[copy_id] for copy_id in job.copy_ids if copy_id in found and found[copy_id].trashed_at is None]
        return CopyJobReport(job.as_seen_at(self._now(), stale_after=self._settings.stale_after), copies)

    async def cancel(self, user_id: str, job_id: str) -> CopyJobReport:
        """Asks the job to stop after the files being copied; what was copied stays. A job of this
        process is waited for, a bounded time, so the answer usually says it stopped."""
        if await self._store.request_cancel(user_id, job_id) is None:
            raise CopyJobNotFound()
        running = self._running.get(job_id)
        if running is not None and running[0].job.user_id == user_id:
            running[0].stopped.set()
            await asyncio.wait([running[1]], timeout=self._settings.cancel_wait_seconds)
        return await self.get(user_id, job_id)

    async def close(self) -> None:
        """Stops the jobs at shutdown: their heartbeat stops, so readers see them failed."""
        tasks = [task for _, task in self._running.values()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, run: CopyRun) -> None:
        job = run.job
        heartbeat = asyncio.create_task(run.beat())
        final: dict[str, object] = {"state": CopyJobState.DONE}
        try:
            for item_id in job.item_ids:
                if run.stopped.is_set():
                    break
                try:
                    await self._copy_item(
                        job.user_id,
                        item_id,
                        parent_id=job.parent_id,
                        on_conflict=job.on_conflict,
                        room_checked=True,
                        watch=run,
                    )
                except AppError as error:
                    if error.kind.is_failure_of_ours:
                        raise
                    run.refused(item_id, error)
        except CopyStopped:
            pass
        except Exception as error:  # noqa: BLE001  the job's outcome is its record: every failure lands there
            logger.exception("copy job failed", extra={"job_id": job.job_id})
            final = {"state": CopyJobState.FAILED, "error": getattr(error, "code", "internal")}
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        if run.stopped.is_set() and final["state"] is CopyJobState.DONE:
            final = {"state": CopyJobState.CANCELLED}
        await run.save(**final)
        logger.info("copy job ended", extra={"job_id": job.job_id, "state": str(final["state"])})


class CopyItems:
    def __init__(
        self,
        repository: FileRepository,
        copy_item: CopyItem,
        paths: FolderPaths,
        quota: StorageQuota,
        bulk: BulkRunner,
        jobs: CopyJobs | None,
        *,
        threshold_files: int,
    ) -> None:
        self._repository = repository
        self._copy_item = copy_item
        self._paths = paths
        self._quota = quota
        self._bulk = bulk
        self._jobs = jobs
        self._threshold_files = threshold_files

    async def __call__(
        self, user_id: str, item_ids: Sequence[str], *, parent_id: str | None, on_conflict: OnConflict
    ) -> BulkResult | CopyJob:
        """Copies each item into the folder under its own name. The whole selection must fit in
        the quota (QuotaExceeded before anything is copied). A selection of at most the
        threshold's files is copied now and answered as a bulk action's result; a larger one is
        a copy job, answered as it starts. An id that is not a live item fails on its own."""
        ids = list(dict.fromkeys(item_ids))
        if len(ids) > MAX_BULK_ITEMS:
            raise TooManyItems()
        await self._paths.require_folder(user_id, parent_id)
        found = await self._repository.get_many(user_id, ids)
        size = TreeSize(0, 0)
        for item in found.values():
            if item.trashed_at is None:
                size += await self._copy_item.measure(user_id, item)
        await self._quota.require_room(user_id, size.bytes)
        if self._jobs is not None and size.files > self._threshold_files:
            return await self._jobs.start(user_id, ids, parent_id=parent_id, on_conflict=on_conflict, size=size)
        return await self._bulk(
            ids,
            lambda item_id: self._copy_item(
                user_id, item_id, parent_id=parent_id, on_conflict=on_conflict, room_checked=True
            ),
        )
