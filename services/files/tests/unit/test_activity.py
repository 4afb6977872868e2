"""The activity feed and Recent on the in-memory fakes: each change recorded once (retries and
bulk actions too), a folder's activity holding what happened below it, Recent one entry per
file, newest first, without the trashed ones, and recording that never fails the user's action."""

from datetime import timedelta

import pytest

from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_activity import InMemoryActivityLog
from scloud_files.domain import FileIdGenerator, InvalidCursor, ItemNotFound, OnConflict, PendingUpload
from scloud_files.domain.activity import ActivityAction, ActivityFilterConflict
from scloud_files.drive.activity import OWNER
from scloud_files.drive.upload_completion import upload_activity
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import Clock, chunks_of
from services.files.tests.unit.test_upload import CommitsThenTimesOut


class FailingActivityLog(InMemoryActivityLog):
    async def record(self, event):
        raise ServiceUnavailable()

    async def touch(self, touch):
        raise ServiceUnavailable()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def log():
    return InMemoryActivityLog()


def drive_over(log, clock, repository=None):
    return build_drive(
        repository or InMemoryFileRepository(),
        InMemoryBlobStore(),
        max_upload_bytes=10_000,
        download_url_ttl_seconds=300,
        now=clock,
        activity=log,
    )


@pytest.fixture
def drive(log, clock):
    return drive_over(log, clock)


async def upload(drive, name, parent=None):
    return await drive.upload_file(
        "alice", file_name=name, content_type=None, chunks=chunks_of(b"hello"), parent_id=parent
    )


async def mkdir(drive, name, parent=None):
    folder, _ = await drive.create_folder("alice", name=name, parent_id=parent, on_conflict=OnConflict.FAIL)
    return folder


async def feed(drive, **filters):
    events, cursor = [], None
    while True:
        page = await drive.activity.list("alice", limit=2, cursor=cursor, **filters)
        events += page.events
        cursor = page.next_cursor
        if cursor is None:
            return events


async def recent_names(drive, limit=2):
    names, cursor = [], None
    while True:
        page = await drive.activity.recent("alice", limit=limit, cursor=cursor)
        names += [item.name for item in page.page.items]
        cursor = page.page.next_cursor
        if cursor is None:
            return names


async def test_a_rename_is_one_event_with_the_names_and_paths_before_and_after(drive, clock):
    docs = await mkdir(drive, "Docs")
    file = await upload(drive, "a.txt", docs.item_id)
    clock.now += timedelta(seconds=5)
    await drive.update_item("alice", file.item_id, kind=None, name="b.txt")
    events = await feed(drive, item_id=file.item_id)
    assert [event.action for event in events] == [ActivityAction.RENAME, ActivityAction.UPLOAD]
    renamed = events[0]
    assert (renamed.name_before, renamed.name_after) == ("a.txt", "b.txt")
    assert (renamed.path_before, renamed.path_after) == ("/Docs", "/Docs")
    assert renamed.actor_id == "alice"
    assert events[1].name_before is None and events[1].path_after == "/Docs"


async def test_a_move_names_both_folders_and_shows_in_each_folders_activity(drive, clock):
    source, target = await mkdir(drive, "From"), await mkdir(drive, "To")
    file = await upload(drive, "a.txt", source.item_id)
    clock.now += timedelta(seconds=1)
    await drive.update_item("alice", file.item_id, kind=None, parent_id=target.item_id)
    [moved] = [event for event in await feed(drive) if event.action is ActivityAction.MOVE]
    assert (moved.path_before, moved.path_after) == ("/From", "/To")
    assert moved in await feed(drive, folder_id=source.item_id)
    assert moved in await feed(drive, folder_id=target.item_id)


async def test_a_folders_activity_includes_what_happened_deep_inside_it(drive):
    top = await mkdir(drive, "Top")
    inner = await mkdir(drive, "Inner", top.item_id)
    deep = await upload(drive, "deep.txt", inner.item_id)
    await upload(drive, "outside.txt")
    top_feed = await feed(drive, folder_id=top.item_id)
    assert deep.item_id in [event.item_id for event in top_feed]
    assert "outside.txt" not in [event.name_after for event in top_feed]
    assert [event.item_id for event in await feed(drive, folder_id=inner.item_id)] == [deep.item_id]


async def test_a_bulk_move_records_each_item_once_and_a_repeat_records_nothing(drive, log, clock):
    target = await mkdir(drive, "Target")
    files = [await upload(drive, f"{number}.txt") for number in range(3)]
    clock.now += timedelta(seconds=1)
    ids = [file.item_id for file in files]
    result = await drive.move_items("alice", ids, parent_id=target.item_id, on_conflict=OnConflict.FAIL)
    assert len(result.items) == 3
    await drive.move_items("alice", ids, parent_id=target.item_id, on_conflict=OnConflict.FAIL)
    moves = [event for event in await feed(drive) if event.action is ActivityAction.MOVE]
    assert sorted(event.item_id for event in moves) == sorted(ids)
    assert len(await feed(drive, folder_id=target.item_id)) == 3


async def test_the_same_change_told_twice_is_one_event(drive, log, clock):
    file = await upload(drive, "a.txt")
    clock.now += timedelta(seconds=1)
    renamed = await drive.update_item("alice", file.item_id, kind=None, name="b.txt")
    # A retry of the recording (say after a timeout whose write landed) tells the same change.
    recorder = drive.update_item._activity
    await recorder.changed(ActivityAction.RENAME, before=file, after=renamed, at=renamed.modified_at)
    assert [event.action for event in await feed(drive)] == [ActivityAction.RENAME, ActivityAction.UPLOAD]
    assert log.record_calls == 3


async def test_an_upload_whose_write_landed_unseen_is_recorded_once(log, clock):
    drive = drive_over(log, clock, CommitsThenTimesOut())
    file = await upload(drive, "report.pdf")
    events = await feed(drive)
    assert [(event.action, event.item_id) for event in events] == [(ActivityAction.UPLOAD, file.item_id)]


async def test_trash_restore_and_delete_forever_are_each_recorded(drive, clock):
    file = await upload(drive, "a.txt")
    clock.now += timedelta(seconds=1)
    await drive.trash_item("alice", file.item_id, kind=None)
    clock.now += timedelta(seconds=1)
    await drive.restore_items("alice", [file.item_id], on_conflict=OnConflict.FAIL)
    clock.now += timedelta(seconds=1)
    await drive.trash_item("alice", file.item_id, kind=None)
    clock.now += timedelta(seconds=1)
    await drive.delete_forever("alice", [file.item_id])
    assert [event.action for event in await feed(drive, item_id=file.item_id)] == [
        ActivityAction.DELETE_FOREVER,
        ActivityAction.TRASH,
        ActivityAction.RESTORE,
        ActivityAction.TRASH,
        ActivityAction.UPLOAD,
    ]


async def test_a_failure_to_record_never_fails_the_users_action(clock):
    drive = drive_over(FailingActivityLog(), clock)
    file = await upload(drive, "a.txt")
    renamed = await drive.update_item("alice", file.item_id, kind=None, name="b.txt")
    assert renamed.name == "b.txt"
    await drive.create_download_link("alice", file.item_id)


async def test_filtering_by_an_item_and_a_folder_at_once_is_refused(drive):
    with pytest.raises(ActivityFilterConflict):
        await drive.activity.list(
            "alice", item_id=FileIdGenerator()(), folder_id=FileIdGenerator()(), limit=5, cursor=None
        )
    with pytest.raises(ItemNotFound):
        await drive.activity.list("alice", item_id="not-an-id", limit=5, cursor=None)


async def test_a_cursor_continues_only_its_own_feed(drive, clock):
    for number in range(3):
        clock.now += timedelta(seconds=1)
        await upload(drive, f"{number}.txt")
    page = await drive.activity.list("alice", limit=1, cursor=None)
    with pytest.raises(InvalidCursor):
        await drive.activity.list("alice", folder_id=FileIdGenerator()(), limit=1, cursor=page.next_cursor)


async def test_recent_lists_opened_and_changed_files_newest_first_once_each(drive, clock):
    first = await upload(drive, "first.txt")
    clock.now += timedelta(seconds=1)
    second = await upload(drive, "second.txt")
    clock.now += timedelta(seconds=1)
    third = await upload(drive, "third.txt")
    clock.now += timedelta(seconds=1)
    await drive.create_download_link("alice", first.item_id)
    clock.now += timedelta(seconds=1)
    await drive.update_item("alice", second.item_id, kind=None, name="second, renamed.txt")
    assert await recent_names(drive) == ["second, renamed.txt", "first.txt", "third.txt"]
    clock.now += timedelta(seconds=1)
    await drive.trash_item("alice", third.item_id, kind=None)
    assert await recent_names(drive) == ["second, renamed.txt", "first.txt"]


async def test_a_file_in_a_trashed_folder_leaves_recent(drive, clock):
    folder = await mkdir(drive, "Folder")
    await upload(drive, "inside.txt", folder.item_id)
    await drive.trash_item("alice", folder.item_id, kind=None)
    assert await recent_names(drive) == []


async def test_events_past_the_retention_are_no_longer_listed(log, clock):
    drive = build_drive(
        InMemoryFileRepository(),
        InMemoryBlobStore(),
        max_upload_bytes=10_000,
        download_url_ttl_seconds=300,
        now=clock,
        activity=log,
        activity_retention=timedelta(days=1),
    )
    await upload(drive, "old.txt")
    clock.now += timedelta(days=2)
    assert await feed(drive) == []
    assert await recent_names(drive) == []


def test_an_upload_through_a_request_is_a_visitors_and_through_a_share_an_editors():
    upload = PendingUpload.__new__(PendingUpload)
    object.__setattr__(upload, "request_ref", "R")
    object.__setattr__(upload, "share_ref", None)
    assert upload_activity(upload) == (ActivityAction.REQUEST_UPLOAD, None)
    object.__setattr__(upload, "request_ref", None)
    object.__setattr__(upload, "share_ref", "01ITEM:bob")
    assert upload_activity(upload) == (ActivityAction.UPLOAD, "bob")
    object.__setattr__(upload, "share_ref", None)
    assert upload_activity(upload) == (ActivityAction.UPLOAD, OWNER)


async def test_a_copy_is_one_event_of_the_copy_in_both_folders_whatever_a_folder_holds(drive, clock):
    source, target = await mkdir(drive, "From"), await mkdir(drive, "To")
    album = await mkdir(drive, "Album", source.item_id)
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        await upload(drive, name, album.item_id)
    clock.now += timedelta(seconds=1)
    copied = await drive.copy_item("alice", album.item_id, parent_id=target.item_id)
    copies = [event for event in await feed(drive) if event.action is ActivityAction.COPY]
    assert [(event.item_id, event.name_before, event.path_before, event.path_after) for event in copies] == [
        (copied.item_id, "Album", "/From", "/To")
    ]
    assert copies[0] in await feed(drive, folder_id=source.item_id)
    assert copies[0] in await feed(drive, folder_id=target.item_id)
