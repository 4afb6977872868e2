"""Small stand-ins the files service's tests share: a clock that moves only when a test says so,
and an upload's bytes as the async chunks the upload use case reads."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime


class Clock:
    """Now is 2026-11-25 09:30 UTC until a test sets `now`."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def chunks_of(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
