"""The reconcile pass on the in-memory fakes: bytes without a row go once they are old enough,
rows without bytes are reported and kept, and each step reads a bounded page; a file's
thumbnails stay while its row does and go like any stray once it is gone."""

from datetime import timedelta

from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.domain import ObjectKeys, ThumbnailState, rendition_keys
from scloud_files.drive.reconcile import ReconcileStore, reconcile_everything
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import Clock, chunks_of

KEYS = ObjectKeys.for_development()

STORED = "2026-11-25T09:30:00+00:00"


class Unreadable(InMemoryFileRepository):
    """Its writes land but answer 503, and its reads of a row fail: an upload's outcome is unknown."""

    async def create(self, item):
        await super().create(item)
        raise ServiceUnavailable()

    async def get(self, user_id, item_id):
        raise ServiceUnavailable()


async def stored_file(drive, blobs, name):
    item = await drive.upload_file("alice", file_name=name, content_type=None, chunks=chunks_of(b"kept"))
    blobs.stored_at[item.object_key] = STORED
    return item


async def test_objects_without_rows_go_after_the_grace_period_and_rows_without_objects_are_reported():
    clock, repository, blobs = Clock(), InMemoryFileRepository(), InMemoryBlobStore()
    drive = build_drive(repository, blobs, max_upload_bytes=100, download_url_ttl_seconds=60, now=clock)
    kept = [await stored_file(drive, blobs, f"{index}.txt") for index in range(5)]
    lost_bytes = await stored_file(drive, blobs, "lost.txt")
    del blobs.objects[lost_bytes.object_key]
    stray = KEYS.file("alice", "01JAAAAAAAAAAAAAAAAAAAAAAA")
    await blobs.put(stray, chunks_of(b"stray"), content_type="text/plain")
    blobs.stored_at[stray] = STORED
    reconcile = ReconcileStore(repository, blobs, keys=KEYS, grace=timedelta(hours=1), page_size=2, now=clock)

    clock.now += timedelta(minutes=59)
    young = await reconcile_everything(reconcile)
    assert young.objects_deleted == [] and stray in blobs.objects
    assert young.rows_without_objects == [("alice", lost_bytes.item_id)]
    assert young.objects_checked == 6 and young.rows_checked == 6

    clock.now += timedelta(minutes=2)
    steps = []
    while not steps or not steps[-1].wrapped:
        steps.append(await reconcile())
    assert all(step.objects_checked <= 2 and step.rows_checked <= 2 for step in steps)
    assert [key for step in steps for key in step.objects_deleted] == [stray]
    assert sorted(blobs.objects) == sorted(item.object_key for item in kept)
    assert (await repository.get("alice", lost_bytes.item_id)) is not None


async def test_the_bytes_an_upload_kept_for_an_unknown_outcome_are_deleted_only_if_no_row_appears():
    clock, repository, blobs = Clock(), Unreadable(), InMemoryBlobStore()
    drive = build_drive(repository, blobs, max_upload_bytes=100, download_url_ttl_seconds=60, now=clock)
    for name in ("landed.txt", "lost.txt"):
        try:
            await drive.upload_file("alice", file_name=name, content_type=None, chunks=chunks_of(b"x"))
        except ServiceUnavailable:
            pass
    for key in blobs.objects:
        blobs.stored_at[key] = STORED
    [lost] = [item for item in repository.items.values() if item.name == "lost.txt"]
    del repository.items[("alice", lost.item_id)]
    clock.now += timedelta(hours=2)
    report = await reconcile_everything(
        ReconcileStore(repository, blobs, keys=KEYS, grace=timedelta(hours=1), page_size=10, now=clock)
    )
    assert report.objects_deleted == [lost.object_key]
    assert [item.name for item in repository.items.values()] == ["landed.txt"]
    assert list(blobs.objects) == [next(iter(repository.items.values())).object_key]


async def store_renditions(repository, blobs, item, state=ThumbnailState.READY) -> list[str]:
    if state is not None:
        await repository.set_thumbnail(item, state)
    keys = rendition_keys(item.object_key)
    for key in keys:
        await blobs.put(key, chunks_of(b"webp"), content_type="image/webp")
        blobs.stored_at[key] = STORED
    return keys


async def test_renditions_stay_while_their_file_row_does_and_go_like_any_stray_once_it_is_gone():
    clock, repository, blobs = Clock(), InMemoryFileRepository(), InMemoryBlobStore()
    drive = build_drive(repository, blobs, max_upload_bytes=100, download_url_ttl_seconds=60, now=clock)
    live = await stored_file(drive, blobs, "live.png")
    live_renditions = await store_renditions(repository, blobs, live)
    # Still being made: the row says PENDING, the worker has stored them and not yet said READY.
    making = await stored_file(drive, blobs, "making.png")
    making_renditions = await store_renditions(repository, blobs, making, ThumbnailState.PENDING)
    trashed = await stored_file(drive, blobs, "trashed.png")
    trashed_renditions = await store_renditions(repository, blobs, trashed)
    await drive.trash_item("alice", trashed.item_id, kind=None)
    gone = await stored_file(drive, blobs, "gone.png")
    gone_renditions = await store_renditions(repository, blobs, gone)
    del repository.items[("alice", gone.item_id)]
    del blobs.objects[gone.object_key]
    # Made for a file whose row went meanwhile, their delete failed: renditions alone.
    orphan = KEYS.file("alice", "01JAAAAAAAAAAAAAAAAAAAAAAA")
    orphan_renditions = rendition_keys(orphan)
    for key in orphan_renditions:
        await blobs.put(key, chunks_of(b"webp"), content_type="image/webp")
    reconcile = ReconcileStore(repository, blobs, keys=KEYS, grace=timedelta(hours=1), page_size=3, now=clock)

    # Within the grace period even a stray rendition stays: a worker may be storing it.
    young = await reconcile_everything(reconcile)
    assert young.objects_deleted == []

    clock.now += timedelta(hours=2)
    for key in orphan_renditions:
        blobs.stored_at[key] = STORED
    report = await reconcile_everything(reconcile)
    assert sorted(report.objects_deleted) == sorted(gone_renditions + orphan_renditions)
    kept = [live.object_key, making.object_key, trashed.object_key]
    assert sorted(blobs.objects) == sorted(kept + live_renditions + making_renditions + trashed_renditions)
    assert report.rows_without_objects == []
