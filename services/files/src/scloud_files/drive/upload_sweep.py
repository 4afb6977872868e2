"""The sweeper: direct uploads past their expiry are aborted in S3 (their parts go) and forgotten,
found through the records' expiry order, a bounded batch at a time. Each files process runs
`sweep_periodically`; the bucket's lifecycle rule for incomplete uploads is the backstop."""

import asyncio
import logging

from scloud_common.errors import AppError
from scloud_common.event_metrics import CleanupTask, RunOutcome, current_event_metrics
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.direct_upload import PendingUploads

logger = logging.getLogger(__name__)

SWEEP_BATCH = 100


class SweepUploads:
    def __init__(self, uploads: PendingUploads, *, now: Clock) -> None:
        self._uploads = uploads
        self._now = now
        self._events = current_event_metrics()

    async def __call__(self, *, limit: int = SWEEP_BATCH) -> int:
        """Aborts and forgets up to `limit` expired uploads, earliest expiry first; how many. An
        upload whose abort fails stays for the next pass."""
        try:
            expired = await self._uploads.store.expired(timestamp(self._now()), limit=limit)
        except Exception:
            self._record(RunOutcome.FAILED, 0)
            raise
        swept = 0
        for upload in expired:
            try:
                await self._uploads.discard(upload)
                swept += 1
            except AppError:
                logger.warning("expired upload not aborted yet", extra={"upload_id": upload.upload_id})
        self._record(RunOutcome.OK, swept)
        if swept:
            logger.info("expired uploads aborted", extra={"uploads": swept})
        return swept

    def _record(self, outcome: RunOutcome, swept: int) -> None:
        if self._events is not None:
            self._events.cleanup_ran(CleanupTask.UPLOAD_SWEEP, outcome, removed=swept)


async def sweep_periodically(sweep: SweepUploads, *, interval_seconds: float) -> None:
    """Runs until cancelled: a full batch is followed at once by the next, a failed pass is logged
    and tried again at the next interval."""
    while True:
        try:
            while await sweep() == SWEEP_BATCH:
                pass
        except Exception:
            logger.exception("upload sweep failed")
        await asyncio.sleep(interval_seconds)
