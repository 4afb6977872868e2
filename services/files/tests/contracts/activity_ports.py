"""What every ActivityLog must do, written once: the fake and SQLite in the unit tier, DynamoDB
(moto) in the integration tier."""

import dataclasses

import pytest

from scloud_files.domain import FileIdGenerator, ItemKind
from scloud_files.domain.activity import ActivityAction, ActivityEvent, RecentTouch
from scloud_files.ports import ActivityLog

new_id = FileIdGenerator()
NOW = "2026-11-25T09:30:00+00:00"
KEPT_UNTIL = "2027-11-25T09:30:00+00:00"


def an_event(
    *,
    user_id: str = "alice",
    item_id: str | None = None,
    at: str = NOW,
    action: ActivityAction = ActivityAction.RENAME,
    folder_ids: tuple[str, ...] = (),
    expires_at: str = KEPT_UNTIL,
) -> ActivityEvent:
    return ActivityEvent(
        user_id=user_id,
        at=at,
        item_id=item_id or new_id(),
        item_kind=ItemKind.FILE,
        action=action,
        actor_id=user_id,
        name_before="a.txt",
        name_after="b.txt",
        path_before="/Docs",
        path_after="/Docs",
        expires_at=expires_at,
        folder_ids=folder_ids,
    )


def second(number: int) -> str:
    return f"2026-11-25T09:30:{number:02d}+00:00"


async def read_all(list_page, **arguments) -> list[ActivityEvent]:
    events: list[ActivityEvent] = []
    after = None
    while True:
        page, after = await list_page(**arguments, limit=2, after_key=after, now=NOW)
        events += page
        if after is None:
            return events


class ActivityLogContract:
    @pytest.fixture
    def activity(self) -> ActivityLog:
        raise NotImplementedError

    async def test_an_event_is_listed_in_the_users_feed_with_every_field(self, activity):
        event = an_event(folder_ids=(new_id(),))
        await activity.record(event)
        events, after = await activity.list_for_user("alice", limit=10, after_key=None, now=NOW)
        assert events == [event]
        assert after is None
        assert (await activity.list_for_user("bob", limit=10, after_key=None, now=NOW)) == ([], None)

    async def test_the_same_change_recorded_twice_is_one_event(self, activity):
        folder = new_id()
        event = an_event(folder_ids=(folder,))
        await activity.record(event)
        await activity.record(event)
        assert len(await read_all(activity.list_for_user, user_id="alice")) == 1
        assert len(await read_all(activity.list_for_item, user_id="alice", item_id=event.item_id)) == 1
        assert len(await read_all(activity.list_for_folder, user_id="alice", folder_id=folder)) == 1

    async def test_the_feed_is_newest_first_and_paged(self, activity):
        recorded = [an_event(at=second(number)) for number in range(5)]
        for event in recorded:
            await activity.record(event)
        assert await read_all(activity.list_for_user, user_id="alice") == recorded[::-1]

    async def test_an_items_history_holds_its_own_events_only(self, activity):
        item_id = new_id()
        own = [an_event(item_id=item_id, at=second(n), action=ActivityAction.MOVE) for n in range(3)]
        for event in [*own, an_event(at=second(9))]:
            await activity.record(event)
        assert await read_all(activity.list_for_item, user_id="alice", item_id=item_id) == own[::-1]
        assert await read_all(activity.list_for_item, user_id="bob", item_id=item_id) == []

    async def test_a_folders_activity_includes_what_happened_below_it(self, activity):
        top, inner, elsewhere = new_id(), new_id(), new_id()
        deep = an_event(at=second(1), folder_ids=(top, inner))
        shallow = an_event(at=second(2), folder_ids=(top,))
        other = an_event(at=second(3), folder_ids=(elsewhere,))
        for event in (deep, shallow, other):
            await activity.record(event)
        assert await read_all(activity.list_for_folder, user_id="alice", folder_id=top) == [shallow, deep]
        assert await read_all(activity.list_for_folder, user_id="alice", folder_id=inner) == [deep]

    async def test_an_expired_event_is_not_listed(self, activity):
        await activity.record(an_event(expires_at="2026-11-01T00:00:00+00:00", folder_ids=("F",)))
        assert await read_all(activity.list_for_user, user_id="alice") == []

    async def test_recent_holds_one_entry_per_file_most_recent_first(self, activity):
        first, other = new_id(), new_id()
        await activity.touch(RecentTouch("alice", first, second(1), KEPT_UNTIL))
        await activity.touch(RecentTouch("alice", other, second(2), KEPT_UNTIL))
        await activity.touch(RecentTouch("alice", first, second(3), KEPT_UNTIL))
        entries, after = await activity.list_recent("alice", limit=10, after_key=None, now=NOW)
        assert [(entry.item_id, entry.touched_at) for entry in entries] == [(first, second(3)), (other, second(2))]
        assert after is None

    async def test_an_older_touch_never_replaces_a_newer_one(self, activity):
        item_id = new_id()
        await activity.touch(RecentTouch("alice", item_id, second(5), KEPT_UNTIL))
        await activity.touch(RecentTouch("alice", item_id, second(1), KEPT_UNTIL))
        entries, _ = await activity.list_recent("alice", limit=10, after_key=None, now=NOW)
        assert [entry.touched_at for entry in entries] == [second(5)]

    async def test_recent_is_paged(self, activity):
        ids = [new_id() for _ in range(5)]
        for number, item_id in enumerate(ids):
            await activity.touch(RecentTouch("alice", item_id, second(number), KEPT_UNTIL))
        seen: list[str] = []
        after = None
        while True:
            entries, after = await activity.list_recent("alice", limit=2, after_key=after, now=NOW)
            seen += [entry.item_id for entry in entries]
            if after is None:
                break
        assert seen == ids[::-1]
        assert (await activity.list_recent("bob", limit=2, after_key=None, now=NOW)) == ([], None)

    async def test_delete_all_forgets_the_users_events_and_recent_only(self, activity):
        folder = new_id()
        await activity.record(an_event(folder_ids=(folder,)))
        kept = an_event(user_id="bob")
        await activity.record(kept)
        await activity.touch(RecentTouch("alice", new_id(), NOW, KEPT_UNTIL))
        await activity.delete_all("alice")
        await activity.delete_all("alice")
        assert await read_all(activity.list_for_user, user_id="alice") == []
        assert await read_all(activity.list_for_folder, user_id="alice", folder_id=folder) == []
        assert (await activity.list_recent("alice", limit=5, after_key=None, now=NOW)) == ([], None)
        assert await read_all(activity.list_for_user, user_id="bob") == [kept]

    async def test_a_deep_item_is_found_from_each_of_many_folders(self, activity):
        chain = tuple(new_id() for _ in range(64))
        event = dataclasses.replace(an_event(), folder_ids=chain)
        await activity.record(event)
        for folder_id in (chain[0], chain[31], chain[-1]):
            assert await read_all(activity.list_for_folder, user_id="alice", folder_id=folder_id) == [event]
