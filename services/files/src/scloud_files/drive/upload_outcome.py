"""How an upload ended, for the metrics (scloud_common.event_metrics): recorded by the use cases
that store files, the single request and the direct completion alike."""

import asyncio

from scloud_common.errors import AppError
from scloud_common.event_metrics import UploadKind, UploadOutcome, current_event_metrics
from scloud_files.domain import FileTooLarge, Item, QuotaExceeded, UploadInterrupted, UploadMismatch


def upload_outcome(error: BaseException) -> UploadOutcome:
    """The outcome of an upload that ended with `error`."""
    if isinstance(error, QuotaExceeded):
        return UploadOutcome.QUOTA_EXCEEDED
    if isinstance(error, FileTooLarge):
        return UploadOutcome.TOO_LARGE
    if isinstance(error, UploadMismatch):
        return UploadOutcome.CHECKSUM_MISMATCH
    if isinstance(error, UploadInterrupted | asyncio.CancelledError):
        return UploadOutcome.ABORTED
    if isinstance(error, AppError) and not error.kind.is_failure_of_ours:
        return UploadOutcome.REFUSED
    return UploadOutcome.FAILED


class UploadOutcomes:
    """Counts the uploads of one kind in the metrics of the service being built (nothing outside one)."""

    def __init__(self, kind: UploadKind) -> None:
        self._kind = kind
        self._events = current_event_metrics()

    def completed(self, item: Item) -> None:
        self._record(UploadOutcome.COMPLETED, size=item.size)

    def ended_by(self, error: BaseException) -> None:
        self._record(upload_outcome(error))

    def aborted(self) -> None:
        self._record(UploadOutcome.ABORTED)

    def _record(self, outcome: UploadOutcome, *, size: int | None = None) -> None:
        if self._events is not None:
            self._events.upload_ended(self._kind, outcome, size=size)
