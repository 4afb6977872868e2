"""An in-memory ActivityLog for unit tests: held to tests/contracts/activity_ports.py."""

from typing import TYPE_CHECKING, TypeVar

from scloud_files.domain.activity import ActivityEvent, RecentTouch

if TYPE_CHECKING:
    from scloud_files.ports import ActivityLog

Entry = TypeVar("Entry")


def _page(entries: list[tuple[str, Entry]], limit: int, after_key: str | None) -> tuple[list[Entry], str | None]:
    ordered = sorted(
        (pair for pair in entries if after_key is None or pair[0] < after_key), key=lambda pair: pair[0], reverse=True
    )
    page = ordered[:limit]
    return [value for _, value in page], page[-1][0] if len(ordered) > limit and page else None


class InMemoryActivityLog:
    def __init__(self) -> None:
        # By (user, event key): a change recorded again replaces itself.
        self.events: dict[tuple[str, str], ActivityEvent] = {}
        self.recent: dict[tuple[str, str], RecentTouch] = {}
        self.record_calls = 0

    async def record(self, event: ActivityEvent) -> None:
        self.record_calls += 1
        self.events[(event.user_id, event.event_key)] = event

    def _listed(self, user_id: str, now: str) -> list[tuple[str, ActivityEvent]]:
        return [
            (key, event) for (owner, key), event in self.events.items() if owner == user_id and event.expires_at > now
        ]

    async def list_for_user(
        self, user_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        return _page(self._listed(user_id, now), limit, after_key)

    async def list_for_item(
        self, user_id: str, item_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        entries = [(key, event) for key, event in self._listed(user_id, now) if event.item_id == item_id]
        return _page(entries, limit, after_key)

    async def list_for_folder(
        self, user_id: str, folder_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        entries = [(key, event) for key, event in self._listed(user_id, now) if folder_id in event.folder_ids]
        return _page(entries, limit, after_key)

    async def touch(self, touch: RecentTouch) -> None:
        earlier = self.recent.get((touch.user_id, touch.item_id))
        if earlier is None or earlier.touched_at < touch.touched_at:
            self.recent[(touch.user_id, touch.item_id)] = touch

    async def list_recent(
        self, user_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[RecentTouch], str | None]:
        entries = [
            (touch.recent_key, touch)
            for (owner, _), touch in self.recent.items()
            if owner == user_id and touch.expires_at > now
        ]
        return _page(entries, limit, after_key)

    async def delete_all(self, user_id: str) -> None:
        self.events = {key: event for key, event in self.events.items() if key[0] != user_id}
        self.recent = {key: touch for key, touch in self.recent.items() if key[0] != user_id}


if TYPE_CHECKING:
    _activity: ActivityLog = InMemoryActivityLog()
