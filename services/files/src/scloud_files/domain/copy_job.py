"""A copy job: the copy of a selection too large to finish inside a request, run in the background
by the process that accepted it, with its progress kept where any process can read it.
docs/data-model.md ("Copy jobs") gives the records."""

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from scloud_common.errors import NotFound
from scloud_files.domain.name import OnConflict

# A finished job's record is kept this long for the browser to read its outcome, then forgotten.
COPY_JOB_RETENTION = timedelta(days=7)


class CopyJobState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class CopyJobNotFound(NotFound):
    code = "copy_job_not_found"
    message = "No such copy job, or it finished more than a week ago."


@dataclass(frozen=True)
class FailedCopy:
    """An item of the selection that was not copied, with the code and message of its error."""

    item_id: str
    code: str
    message: str


@dataclass(frozen=True)
class CopyJob:
    """The copy of `item_ids` into `parent_id` (None: the root). `files_total` and `bytes_total`
    are what the selection held when the job was accepted; the copied counters grow as it runs.
    `copy_ids` are the copies of the selected items made so far, `failed` the selected items
    refused (a taken name, say). `heartbeat_at` is renewed while the process runs the job: a
    running job whose heartbeat is older than the bound died with its process."""

    user_id: str
    job_id: str
    item_ids: list[str]
    parent_id: str | None
    on_conflict: OnConflict
    files_total: int
    bytes_total: int
    created_at: str
    heartbeat_at: str
    expires_at: str
    state: CopyJobState = CopyJobState.RUNNING
    files_copied: int = 0
    bytes_copied: int = 0
    copy_ids: list[str] = field(default_factory=list)
    failed: list[FailedCopy] = field(default_factory=list)
    cancel_requested: bool = False
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.state is not CopyJobState.RUNNING

    def as_seen_at(self, now: datetime, *, stale_after: timedelta) -> "CopyJob":
        """The job as a reader should see it: a running job whose process stopped renewing its
        heartbeat for longer than `stale_after` has failed, with what it copied left in place."""
        if self.finished or datetime.fromisoformat(self.heartbeat_at) + stale_after >= now:
            return self
        return dataclasses.replace(self, state=CopyJobState.FAILED, error="interrupted")
