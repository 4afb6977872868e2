"""Room for uploads in progress: each holds up to about two parts in memory and a worker for its
storage calls, so they are bounded per user and for the process, and refused beyond, before any
byte of the body is read."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from scloud_files.domain import TooManyUploads, UploadsBusy


class UploadSlots:
    """Counts the uploads in progress. Used on one event loop: taking a slot never waits."""

    def __init__(self, *, per_user: int, overall: int) -> None:
        self.per_user = per_user
        self.overall = overall
        self._by_user: Counter[str] = Counter()
        self._total = 0

    @contextmanager
    def hold(self, user_id: str) -> Iterator[None]:
        """A slot for the user's upload while the block runs: TooManyUploads (429) if the user
        has `per_user` in progress, UploadsBusy (503) if the process has `overall`."""
        if self._by_user[user_id] >= self.per_user:
            raise TooManyUploads()
        if self._total >= self.overall:
            raise UploadsBusy()
        self._by_user[user_id] += 1
        self._total += 1
        try:
            yield
        finally:
            self._total -= 1
            self._by_user[user_id] -= 1
            if not self._by_user[user_id]:
                del self._by_user[user_id]
