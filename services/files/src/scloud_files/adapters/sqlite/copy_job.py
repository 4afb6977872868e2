"""CopyJobStore on SQLite: one `copy_jobs` row per job. Jobs long expired are deleted by later
jobs, at most FORGET_BATCH per add, so the work per write is bounded."""

import sqlite3
from datetime import UTC, datetime

from scloud_files.adapters.copy_job_document import job_document, job_of
from scloud_files.adapters.sqlite.access import Database
from scloud_files.domain.copy_job import CopyJob

FORGET_BATCH = 100


def _job_of(row: sqlite3.Row | None, now: str) -> CopyJob | None:
    if row is None or row["expires_at"] < now:
        return None
    return job_of(row["user_id"], row["job_id"], row["document"], cancel_requested=bool(row["cancel_requested"]))


class SqliteCopyJobs(Database):
    async def add(self, job: CopyJob) -> None:
        row = {
            "user_id": job.user_id,
            "job_id": job.job_id,
            "document": job_document(job),
            "expires_at": job.expires_at,
            "forget_after": int(datetime.fromisoformat(job.expires_at).timestamp()),
        }
        created = int(datetime.fromisoformat(job.created_at).timestamp())

        def add_copy_job(connection: sqlite3.Connection) -> None:
            connection.execute(
                "DELETE FROM copy_jobs WHERE (user_id, job_id) IN (SELECT user_id, job_id FROM copy_jobs "
                "WHERE forget_after < ? ORDER BY forget_after LIMIT ?)",
                (created, FORGET_BATCH),
            )
            connection.execute(
                "INSERT INTO copy_jobs (user_id, job_id, document, expires_at, forget_after) "
                "VALUES (:user_id, :job_id, :document, :expires_at, :forget_after)",
                row,
            )

        await self._store.write(add_copy_job)

    async def get(self, user_id: str, job_id: str) -> CopyJob | None:
        now = _now()

        def get_copy_job(connection: sqlite3.Connection) -> CopyJob | None:
            row = connection.execute(
                "SELECT * FROM copy_jobs WHERE user_id = ? AND job_id = ?", (user_id, job_id)
            ).fetchone()
            return _job_of(row, now)

        return await self._store.read(get_copy_job)

    async def save_progress(self, job: CopyJob) -> bool:
        def save_copy_progress(connection: sqlite3.Connection) -> bool:
            row = connection.execute(
                "UPDATE copy_jobs SET document = ? WHERE user_id = ? AND job_id = ? RETURNING cancel_requested",
                (job_document(job), job.user_id, job.job_id),
            ).fetchone()
            return row is not None and bool(row["cancel_requested"])

        return await self._store.write(save_copy_progress)

    async def request_cancel(self, user_id: str, job_id: str) -> CopyJob | None:
        now = _now()

        def request_copy_cancel(connection: sqlite3.Connection) -> CopyJob | None:
            row = connection.execute(
                "UPDATE copy_jobs SET cancel_requested = 1 WHERE user_id = ? AND job_id = ? RETURNING *",
                (user_id, job_id),
            ).fetchone()
            return _job_of(row, now)

        return await self._store.write(request_copy_cancel)


def _now() -> str:
    """Now as the stored times are written (RFC 3339 in UTC to the second), so they compare as text."""
    return datetime.now(UTC).isoformat(timespec="seconds")
