"""Counters of what the services do, beside the call timings of `scloud_common.metrics`: uploads
and their bytes, session checks, revocations, throttled credential checks, mail, and the files
service's clean-up runs (docs/decisions/0007-prometheus-metrics.md lists them).

Recorded where each event happens, domain code included, so this module loads no transport (no
grpc, no starlette). A use case takes the metrics of the service whose bootstrap builds it
(`current_event_metrics()`, bound with `scloud_common.metrics.building_for`), as adapters do; one
built outside a service's lifespan (a command-line tool, a unit test) gets None and records
nothing. Labels take a few fixed values each: never an id, an address or a path."""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Histogram

# Sizes of stored files, 1 KiB to 5 GiB by factors of 4: the distribution of what users keep.
UPLOAD_SIZE_BUCKETS = tuple(float(1024 * 4**power) for power in range(12)) + (5.0 * 1024**3,)


class UploadKind(StrEnum):
    SINGLE = "single"  # one request carries the bytes through the service
    MULTIPART = "multipart"  # the browser sends the parts to S3, the service completes


class UploadOutcome(StrEnum):
    COMPLETED = "completed"
    QUOTA_EXCEEDED = "quota_exceeded"
    TOO_LARGE = "too_large"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    # Any other refusal of the caller's request (name taken, folder gone, parts not the upload's).
    REFUSED = "refused"
    # The client gave up: its connection dropped mid-body, or it aborted a direct upload.
    ABORTED = "aborted"
    # Ours: storage or a peer failed.
    FAILED = "failed"


class SessionCheck(StrEnum):
    ACTIVE = "active"
    # Revoked, expired or unknown to auth.
    INACTIVE = "inactive"
    AUTH_UNREACHABLE = "auth_unreachable"


class SessionCheckSource(StrEnum):
    CACHE = "cache"
    AUTH = "auth"


class RevocationReason(StrEnum):
    SIGN_OUT = "sign_out"
    SESSION_ENDED = "session_ended"  # the user ended one of their sessions from the list
    ALL_SESSIONS = "all_sessions"  # sign out everywhere
    PASSWORD_CHANGE = "password_change"
    PASSWORD_RESET = "password_reset"
    REFRESH_REUSE = "refresh_reuse"  # a stolen refresh token replayed
    ACCOUNT_GONE = "account_gone"  # a refresh for an account that no longer exists
    PEER_REQUEST = "peer_request"  # another service asked over gRPC (users, deleting the account)


class ThrottleReason(StrEnum):
    LOCKED = "locked"  # the account is locked after too many failed checks
    CONTENDED = "contended"  # too many checks at once on one account


class MailOutcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"


class MailDropReason(StrEnum):
    OUTBOX_FULL = "outbox_full"
    STOPPING = "stopping"


class CleanupTask(StrEnum):
    PURGE = "purge"  # trashed items past retention or deleted forever
    UPLOAD_SWEEP = "upload_sweep"  # direct uploads past their expiry


class RunOutcome(StrEnum):
    OK = "ok"
    FAILED = "failed"


class EventMetrics:
    """The counters, in the registry of one service's metrics."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.uploads = Counter(
            "scloud_uploads",
            "Uploads that ended, by kind (single, multipart) and outcome.",
            ["kind", "outcome"],
            registry=registry,
        )
        self.upload_sizes = Histogram(
            "scloud_upload_size_bytes",
            "Sizes of the files uploads stored, by kind; its sum is the bytes stored.",
            ["kind"],
            buckets=UPLOAD_SIZE_BUCKETS,
            registry=registry,
        )
        self.session_checks = Counter(
            "scloud_session_checks",
            "Checks that an access token's session is still active, by answer and where it came from.",
            ["outcome", "source"],
            registry=registry,
        )
        # One per revocation, however many sessions it ended: the stores count sessions revoked
        # before among those they end, so a session count would overstate.
        self.session_revocations = Counter(
            "scloud_session_revocations",
            "Revocations of sessions by reason: a sign-out, one session ended, every session of an account.",
            ["reason"],
            registry=registry,
        )
        self.credential_checks_throttled = Counter(
            "scloud_credential_checks_throttled",
            "Password or code checks (sign-in, second factor, password change, re-authentication) the "
            "per-account lock refused, by reason.",
            ["reason"],
            registry=registry,
        )
        self.mail = Counter(
            "scloud_mail_messages",
            "Messages handed to the mail transport, by kind of mail and outcome.",
            ["kind", "outcome"],
            registry=registry,
        )
        self.mail_dropped = Counter(
            "scloud_mail_dropped",
            "Mail jobs dropped before they ran, by reason.",
            ["reason"],
            registry=registry,
        )
        self.cleanup_runs = Counter(
            "scloud_cleanup_runs",
            "Passes of the files service's clean-up tasks, by task and outcome.",
            ["task", "outcome"],
            registry=registry,
        )
        self.cleanup_removed = Counter(
            "scloud_cleanup_removed",
            "What the clean-up tasks removed: items purged, expired uploads aborted.",
            ["task"],
            registry=registry,
        )

    def upload_ended(self, kind: UploadKind, outcome: UploadOutcome, *, size: int | None = None) -> None:
        """`size`: the bytes stored, for a completed upload."""
        self.uploads.labels(kind.value, outcome.value).inc()
        if outcome is UploadOutcome.COMPLETED and size is not None:
            self.upload_sizes.labels(kind.value).observe(size)

    def session_checked(self, outcome: SessionCheck, source: SessionCheckSource) -> None:
        self.session_checks.labels(outcome.value, source.value).inc()

    def sessions_revoked(self, reason: RevocationReason) -> None:
        self.session_revocations.labels(reason.value).inc()

    def credential_check_throttled(self, reason: ThrottleReason) -> None:
        self.credential_checks_throttled.labels(reason.value).inc()

    def mail_handed_over(self, kind: str, outcome: MailOutcome) -> None:
        self.mail.labels(kind, outcome.value).inc()

    def mail_job_dropped(self, reason: MailDropReason) -> None:
        self.mail_dropped.labels(reason.value).inc()

    def cleanup_ran(self, task: CleanupTask, outcome: RunOutcome, *, removed: int) -> None:
        self.cleanup_runs.labels(task.value, outcome.value).inc()
        if removed > 0:
            self.cleanup_removed.labels(task.value).inc(removed)


# Bound with scloud_common.metrics.building_for while a bootstrap builds the service.
_recording_for: contextvars.ContextVar[EventMetrics | None] = contextvars.ContextVar(
    "scloud_event_metrics", default=None
)


def current_event_metrics() -> EventMetrics | None:
    """The event metrics of the service being built, if any."""
    return _recording_for.get()


@contextmanager
def recording_for(events: EventMetrics) -> Iterator[None]:
    token = _recording_for.set(events)
    try:
        yield
    finally:
        _recording_for.reset(token)
