"""File versions on the in-memory fakes: an upload over a file is its new version, versions are
listed, downloaded and restored (a restore is a new version), the retention policy thins them
out with time and caps them, the quota counts them, and the purge and the reconcile pass treat
their bytes right."""

from datetime import timedelta

import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_activity import InMemoryActivityLog
from scloud_files.domain import (
    FileVersion,
    ItemKind,
    NameTaken,
    ObjectKeys,
    OnConflict,
    QuotaExceeded,
    StorageUsage,
    VersionNotFound,
    VersionRetention,
)
from scloud_files.domain.activity import ActivityAction
from scloud_files.drive.reconcile import ReconcileStore, reconcile_everything
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import Clock, chunks_of

KEYS = ObjectKeys.for_development()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def repository():
    return InMemoryFileRepository()


@pytest.fixture
def blobs():
    return InMemoryBlobStore()


def drive_of(repository, blobs, clock, **settings):
    return build_drive(
        repository=repository,
        blob_store=blobs,
        max_upload_bytes=10_000,
        download_url_ttl_seconds=300,
        now=clock,
        **settings,
    )


@pytest.fixture
def drive(repository, blobs, clock):
    return drive_of(repository, blobs, clock)


async def put(drive, content: bytes, name="notes.txt", on_conflict=OnConflict.REPLACE):
    return await drive.upload_file(
        "alice", file_name=name, content_type="text/plain", chunks=chunks_of(content), on_conflict=on_conflict
    )


async def bytes_of(blobs, key: str) -> bytes:
    return b"".join(blobs.read_blocking(key))


async def test_an_upload_over_a_file_is_its_new_version_and_the_old_bytes_stay(drive, blobs):
    first = await put(drive, b"one")
    second = await put(drive, b"two!")
    assert second.item_id == first.item_id and second.size == 4
    file, versions = await drive.versions.list("alice", first.item_id)
    assert file == second
    assert [(v.current, v.size, v.object_key) for v in versions] == [
        (True, 4, second.object_key),
        (False, 3, first.object_key),
    ]
    assert await bytes_of(blobs, versions[1].object_key) == b"one"
    assert await drive.get_storage_usage("alice") == StorageUsage(7, 1)
    # Nothing went to the trash.
    assert (await drive.list_trash("alice", limit=10, cursor=None)).items == []


async def test_a_version_downloads_under_the_files_name_and_an_unknown_one_is_refused(drive):
    first = await put(drive, b"one")
    await put(drive, b"two")
    _, versions = await drive.versions.list("alice", first.item_id)
    url, _ = await drive.versions.create_link("alice", first.item_id, versions[1].version_id)
    assert versions[1].object_key in url and "notes.txt" in url
    with pytest.raises(VersionNotFound):
        await drive.versions.create_link("alice", first.item_id, "01JAAAAAAAAAAAAAAAAAAAAAAA")
    other = await put(drive, b"x", name="other.txt")
    # A version of another file is not this file's.
    with pytest.raises(VersionNotFound):
        await drive.versions.create_link("alice", other.item_id, versions[1].version_id)


async def test_restoring_a_version_makes_a_new_version_and_keeps_the_history(drive, blobs):
    first = await put(drive, b"one")
    await put(drive, b"two")
    _, versions = await drive.versions.list("alice", first.item_id)
    restored = await drive.versions.restore("alice", first.item_id, versions[1].version_id)
    assert restored.item_id == first.item_id and await bytes_of(blobs, restored.object_key) == b"one"
    _, after = await drive.versions.list("alice", first.item_id)
    assert [(v.current, v.size) for v in after] == [(True, 3), (False, 3), (False, 3)]
    assert [v.version_id for v in after[1:]] == [v.version_id for v in versions]
    assert await drive.get_storage_usage("alice") == StorageUsage(9, 1)


async def test_retention_keeps_a_days_last_version_for_months_and_the_others_for_a_month(drive, clock, blobs):
    file = await put(drive, b"a")
    clock.now += timedelta(hours=1)
    await put(drive, b"b")  # replaces "a" the same day: "a" is not its day's last
    clock.now += timedelta(days=1)
    await put(drive, b"c")  # replaces "b" a day later: "b" was its day's last
    _, versions = await drive.versions.list("alice", file.item_id)
    assert [await bytes_of(blobs, v.object_key) for v in versions] == [b"c", b"b", b"a"]
    clock.now += timedelta(days=31)
    await drive.purge_due()
    _, kept = await drive.versions.list("alice", file.item_id)
    assert [await bytes_of(blobs, v.object_key) for v in kept] == [b"c", b"b"]
    assert versions[2].object_key not in blobs.objects
    clock.now += timedelta(days=183)
    await drive.purge_due()
    _, kept = await drive.versions.list("alice", file.item_id)
    assert [v.size for v in kept] == [1] and kept[0].current
    assert await drive.get_storage_usage("alice") == StorageUsage(1, 1)


async def test_past_the_maximum_the_oldest_versions_go_at_once(repository, blobs, clock):
    drive = drive_of(repository, blobs, clock, version_retention=VersionRetention(max_versions=3))
    file = await put(drive, b"1")
    for content in (b"2", b"3", b"4", b"5"):
        await put(drive, content)
    _, versions = await drive.versions.list("alice", file.item_id)
    assert [await bytes_of(blobs, v.object_key) for v in versions] == [b"5", b"4", b"3"]
    assert len(blobs.objects) == 3
    assert await drive.get_storage_usage("alice") == StorageUsage(3, 1)


async def test_a_new_version_needs_room_in_the_quota(repository, blobs, clock):
    drive = drive_of(repository, blobs, clock, quota_bytes=10)
    await put(drive, b"123456")
    with pytest.raises(QuotaExceeded):
        await put(drive, b"abcdef")
    _, versions = await drive.versions.list("alice", (await put(drive, b"1234")).item_id)
    assert [v.size for v in versions] == [4, 6]


async def test_purging_a_file_removes_every_version_and_its_bytes(drive, blobs, clock):
    file = await put(drive, b"one")
    await put(drive, b"two")
    await drive.trash_item("alice", file.item_id, kind=ItemKind.FILE)
    clock.now += timedelta(days=31)
    await drive.purge_due()
    assert blobs.objects == {}
    assert await drive.get_storage_usage("alice") == StorageUsage(0, 0)


async def test_the_reconcile_pass_keeps_the_bytes_versions_name(repository, blobs, clock, drive):
    file = await put(drive, b"one")
    await put(drive, b"two")
    for key in blobs.objects:
        blobs.stored_at[key] = "2026-11-25T09:30:00+00:00"
    clock.now += timedelta(days=1)
    reconcile = ReconcileStore(repository, blobs, keys=KEYS, grace=timedelta(hours=1), page_size=10, now=clock)
    report = await reconcile_everything(reconcile)
    assert report.objects_deleted == [] and len(blobs.objects) == 2
    assert await repository.get("alice", file.item_id) is not None


async def test_a_folder_is_never_replaced_by_a_file_version(drive):
    await drive.create_folder("alice", name="notes.txt", parent_id=None, on_conflict=OnConflict.FAIL)
    with pytest.raises(NameTaken):
        await put(drive, b"x")


def test_a_version_replaced_on_its_own_day_expires_after_a_month_else_after_six():
    retention = VersionRetention()
    version = FileVersion("v", "f", "alice", "k", 1, "text/plain", "2026-11-25T09:30:00+00:00")
    same_day = retention.expiry(version, superseded_at=Clock()() + timedelta(hours=3))
    next_day = retention.expiry(version, superseded_at=Clock()() + timedelta(days=1))
    assert (same_day - Clock()()).days == 30 and (next_day - Clock()()).days == 183


async def test_each_new_version_and_restore_is_one_event_of_the_files_activity(repository, blobs, clock):
    drive = drive_of(repository, blobs, clock, activity=InMemoryActivityLog())
    file = await put(drive, b"one")
    clock.now += timedelta(seconds=1)
    await put(drive, b"two")
    await put(drive, b"three")  # in the same second: a separate event all the same
    clock.now += timedelta(seconds=1)
    _, versions = await drive.versions.list("alice", file.item_id)
    await drive.versions.restore("alice", file.item_id, versions[-1].version_id)
    page = await drive.activity.list("alice", item_id=file.item_id, limit=10, cursor=None)
    assert [event.action for event in page.events] == [
        ActivityAction.NEW_VERSION,
        ActivityAction.NEW_VERSION,
        ActivityAction.NEW_VERSION,
        ActivityAction.UPLOAD,
    ]
