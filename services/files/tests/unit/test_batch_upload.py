"""Batches of small files on the fakes: what is checked for the whole batch before any byte is
sent, what completion records, reports missing or refuses (and deletes), and the sweeper."""

import os
from datetime import timedelta

import pytest

from scloud_files.domain import (
    FileTooLarge,
    InvalidBatch,
    KeyOwner,
    ObjectKeys,
    OnConflict,
    QuotaExceeded,
    UploadNotFound,
)
from scloud_files.drive.batch_upload import BatchFileRequest, BatchFileState, SignedFile, TakenName
from scloud_files.drive.reconcile import ReconcileStore, reconcile_everything

from . import test_direct_upload
from .test_direct_upload import MIB, World, create, sha256_b64

KEYS = ObjectKeys.for_development()

# The direct uploads' drive on the fakes, shared.
world = test_direct_upload.world


def declare(bodies: dict[str, bytes]) -> list[BatchFileRequest]:
    return [BatchFileRequest(name, len(body), "text/plain", sha256_b64(body), None) for name, body in bodies.items()]


async def create_batch(world: World, bodies: dict[str, bytes], *, user="alice", on_conflict=OnConflict.FAIL):
    return await world.direct.create_batch(user, declare(bodies), parent_id=None, on_conflict=on_conflict)


def send_all(world: World, created, bodies: dict[str, bytes]) -> None:
    for signed in created.files:
        if signed.file.name in bodies:
            assert world.multipart.send_object(signed.url, signed.headers, bodies[signed.file.name]) == 200


async def test_a_batch_is_signed_put_and_recorded_with_its_checksums_and_totals(world):
    bodies = {"a.txt": os.urandom(100), "b.txt": os.urandom(2000)}
    created = await create_batch(world, bodies)
    prefix = KEYS.batch("alice", created.batch.upload_id)
    assert [signed.url.startswith(f"memory://blobs/{prefix}") for signed in created.files] == [True, True]
    assert await world.pending.reserved_bytes("alice") == 2100
    send_all(world, created, bodies)
    outcomes = await world.direct.complete_batch(
        "alice", created.batch.upload_id, [signed.file.file_id for signed in created.files]
    )
    assert [(o.state, o.item.name, o.item.size, o.item.sha256) for o in outcomes] == [
        (BatchFileState.RECORDED, name, len(body), sha256_b64(body)) for name, body in bodies.items()
    ]
    assert [world.blobs.objects[o.item.object_key][0] for o in outcomes] == list(bodies.values())
    assert (await world.repository.usage("alice")).bytes_used == 2100
    assert await world.pending.reserved_bytes("alice") == 0


async def test_completing_again_answers_the_same_until_the_batch_expires(world):
    bodies = {"kept.txt": b"kept", "lost.txt": b"lost", "bad.txt": b"bad"}
    created = await create_batch(world, bodies)
    by_name = {signed.file.name: signed for signed in created.files}
    send_all(world, created, {"kept.txt": b"kept"})
    world.blobs.objects[created.batch.object_key + by_name["bad.txt"].file.file_id] = (b"longer", "text/plain")
    sent = [signed.file.file_id for signed in created.files]
    first = await world.direct.complete_batch("alice", created.batch.upload_id, sent)
    # The client lost the answer and asks again, even with another list: the batch is over.
    again = await world.direct.complete_batch("alice", created.batch.upload_id, [])
    assert again == first
    assert [(o.state, o.error) for o in again] == [
        (BatchFileState.RECORDED, None),
        (BatchFileState.MISSING, None),
        (BatchFileState.REFUSED, "upload_mismatch"),
    ]
    assert again[0].item.name == "kept.txt"
    # The kept answer neither reserves quota nor holds a place among the uploads in progress.
    assert await world.pending.reserved_bytes("alice") == 0
    for _ in range(world.direct.create_batch.limits.max_pending_per_user):
        await create_batch(world, {f"{_}.txt": b"x"})
    world.clock[0] += timedelta(hours=1)
    with pytest.raises(UploadNotFound):
        await world.direct.complete_batch("alice", created.batch.upload_id, [])


async def test_the_quota_refuses_the_whole_batch_before_any_byte(world):
    bodies = {f"{n}.bin": b"" for n in range(4)}
    files = [BatchFileRequest(name, 8 * MIB, None, sha256_b64(b""), None) for name in bodies]
    with pytest.raises(QuotaExceeded) as refused:
        await world.direct.create_batch("alice", files, parent_id=None, on_conflict=OnConflict.FAIL)
    assert refused.value.details == {"used": 0, "quota": 30 * MIB, "size": 32 * MIB}
    assert world.pending.uploads == {}


async def test_a_name_taken_leaves_that_file_out_and_the_others_are_signed(world):
    first = await create_batch(world, {"taken.txt": b"x"})
    send_all(world, first, {"taken.txt": b"x"})
    (holder,) = await world.direct.complete_batch("alice", first.batch.upload_id, [first.files[0].file.file_id])
    created = await create_batch(world, {"new.txt": b"y", "Taken.txt": b"z", "other.txt": b"o"})
    assert [
        (a.file.name, a.url is not None) if isinstance(a, SignedFile) else (a.name, a.existing_id)
        for a in created.answers
    ] == [("new.txt", True), ("Taken.txt", holder.item.item_id), ("other.txt", True)]
    assert await world.pending.reserved_bytes("alice") == 2
    send_all(world, created, {"new.txt": b"y", "other.txt": b"o"})
    outcomes = await world.direct.complete_batch(
        "alice", created.batch.upload_id, [f.file.file_id for f in created.files]
    )
    assert [o.item.name for o in outcomes] == ["new.txt", "other.txt"]
    every = await create_batch(world, {"TAKEN.txt": b"z"})
    assert every.batch is None
    assert every.answers == [TakenName("TAKEN.txt", holder.item.item_id)]


async def test_a_batch_is_refused_for_a_name_twice_or_a_file_too_large(world):
    first = await create_batch(world, {"taken.txt": b"x"})
    send_all(world, first, {"taken.txt": b"x"})
    await world.direct.complete_batch("alice", first.batch.upload_id, [first.files[0].file.file_id])
    with pytest.raises(InvalidBatch):
        await create_batch(world, {"one.txt": b"y", "ONE.txt": b"z"})
    with pytest.raises(FileTooLarge):
        await world.direct.create_batch(
            "alice",
            [BatchFileRequest("big.bin", 65 * MIB, None, sha256_b64(b""), None)],
            parent_id=None,
            on_conflict=OnConflict.FAIL,
        )
    renamed = await create_batch(world, {"taken.txt": b"w"}, on_conflict=OnConflict.RENAME)
    send_all(world, renamed, {"taken.txt": b"w"})
    (outcome,) = await world.direct.complete_batch("alice", renamed.batch.upload_id, [renamed.files[0].file.file_id])
    assert outcome.item.name == "taken (1).txt"


async def test_missing_files_are_reported_and_an_object_of_another_size_is_deleted_and_refused(world):
    bodies = {"sent.txt": b"sent", "lost.txt": b"lost", "unnamed.txt": b"unnamed", "bad.txt": b"bad"}
    created = await create_batch(world, bodies)
    by_name = {signed.file.name: signed for signed in created.files}
    send_all(world, created, {name: body for name, body in bodies.items() if name != "lost.txt"})
    # What a store that did not check the signed length would hold.
    bad_key = f"{created.batch.object_key}{by_name['bad.txt'].file.file_id}"
    world.blobs.objects[bad_key] = (b"much longer than declared", "text/plain")
    sent = [by_name[name].file.file_id for name in ("sent.txt", "lost.txt", "bad.txt")]
    outcomes = {o.file_id: o for o in await world.direct.complete_batch("alice", created.batch.upload_id, sent)}
    assert {name: outcomes[signed.file.file_id].state for name, signed in by_name.items()} == {
        "sent.txt": BatchFileState.RECORDED,
        "lost.txt": BatchFileState.MISSING,
        "unnamed.txt": BatchFileState.MISSING,
        "bad.txt": BatchFileState.REFUSED,
    }
    assert outcomes[by_name["bad.txt"].file.file_id].error == "upload_mismatch"
    assert sorted(world.blobs.objects) == [outcomes[by_name["sent.txt"].file.file_id].item.object_key]
    assert (await world.repository.usage("alice")).bytes_used == 4


async def test_another_users_batch_or_a_multipart_upload_id_is_not_found(world):
    created = await create_batch(world, {"a.txt": b"a"})
    with pytest.raises(UploadNotFound):
        await world.direct.complete_batch("bob", created.batch.upload_id, [])
    upload = await create(world, 10)
    with pytest.raises(UploadNotFound):
        await world.direct.complete_batch("alice", upload.upload_id, [])
    with pytest.raises(UploadNotFound):
        await world.direct.get("alice", created.batch.upload_id)


async def test_the_sweeper_deletes_what_an_expired_batch_left(world):
    bodies = {"a.txt": b"a", "b.txt": b"b"}
    created = await create_batch(world, bodies)
    send_all(world, created, bodies)
    world.clock[0] += timedelta(hours=1)
    with pytest.raises(UploadNotFound):
        await world.direct.complete_batch("alice", created.batch.upload_id, [f.file.file_id for f in created.files])
    assert await world.direct.sweep() == 1
    assert world.blobs.objects == {}
    assert await world.pending.reserved_bytes("alice") == 0


async def test_the_reconcile_pass_keeps_a_recorded_batch_file_and_deletes_a_stray_one(world):
    bodies = {"kept.txt": b"kept", "stray.txt": b"stray"}
    created = await create_batch(world, bodies)
    send_all(world, created, bodies)
    kept, stray = (f"{created.batch.object_key}{signed.file.file_id}" for signed in created.files)
    await world.direct.complete_batch("alice", created.batch.upload_id, [created.files[0].file.file_id])
    # A PUT landing after the completion (its URL still valid): no row will ever name it.
    assert world.multipart.send_object(created.files[1].url, created.files[1].headers, b"stray") == 200
    assert KEYS.owner(stray) == KeyOwner("alice", created.files[1].file.file_id)
    for key in world.blobs.objects:
        world.blobs.stored_at[key] = "2026-11-25T09:30:00+00:00"
    world.clock[0] += timedelta(hours=2)
    report = await reconcile_everything(
        ReconcileStore(
            world.repository, world.blobs, keys=KEYS, grace=timedelta(hours=1), page_size=10, now=lambda: world.clock[0]
        )
    )
    assert report.objects_deleted == [stray]
    assert list(world.blobs.objects) == [kept]
    assert KEYS.owner(f"{KEYS.user_prefix('alice')}batches/not-an-id/{created.files[0].file.file_id}") is None
