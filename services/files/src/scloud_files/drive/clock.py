"""The time the use cases read, injected so tests can move it."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC to the second, as every stored time is written."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")
