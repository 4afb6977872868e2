"""Moving one item to the trash with the time its purge is due: what trashing, and replacing on a
name clash, share."""

from datetime import timedelta

from scloud_files.domain import Item
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.ports import FileRepository


class Trasher:
    def __init__(self, repository: FileRepository, *, retention: timedelta, now: Clock) -> None:
        self._repository = repository
        self._retention = retention
        self._now = now

    async def __call__(self, item: Item) -> Item:
        """The item as trashed; ItemNotFound if it is gone or trashed already."""
        now = self._now()
        return await self._repository.trash(item, trashed_at=timestamp(now), purge_at=timestamp(now + self._retention))
