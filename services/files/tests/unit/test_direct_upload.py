"""Direct uploads on the fakes: what is checked at creation, at signing and at completion, what
is deleted when something does not match, the quota (trash and uploads in progress counted),
and the sweeper."""

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_upload import InMemoryMultipartStore, InMemoryPendingUploads
from scloud_files.domain import (
    CompletedPart,
    FileTooLarge,
    FolderNotFound,
    InvalidName,
    InvalidParts,
    ItemKind,
    NameTaken,
    ObjectKeys,
    OnConflict,
    QuotaExceeded,
    TooManyUploads,
    UploadMismatch,
    UploadNotFound,
)
from scloud_files.drive.direct_upload import DirectUploadLimits, PartRequest
from scloud_files.drive.use_cases import Drive, build_drive

KEYS = ObjectKeys.for_development()

MIB = 1024 * 1024
PART = 5 * MIB
LIMITS = DirectUploadLimits(
    max_file_bytes=40 * MIB,
    part_bytes=PART,
    upload_ttl=timedelta(hours=1),
    part_url_ttl_seconds=600,
    max_parts_per_request=3,
    max_pending_per_user=2,
)


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@dataclass
class World:
    drive: Drive
    repository: InMemoryFileRepository
    blobs: InMemoryBlobStore
    pending: InMemoryPendingUploads
    multipart: InMemoryMultipartStore
    clock: list[datetime]

    @property
    def direct(self):
        assert self.drive.direct is not None
        return self.drive.direct


@pytest.fixture
def world() -> World:
    clock = [datetime(2026, 11, 25, 9, 30, tzinfo=UTC)]
    repository, blobs, pending = InMemoryFileRepository(), InMemoryBlobStore(), InMemoryPendingUploads()
    multipart = InMemoryMultipartStore(blobs, clock=lambda: clock[0].timestamp())
    drive = build_drive(
        repository,
        blobs,
        max_upload_bytes=MIB,
        download_url_ttl_seconds=60,
        pending_uploads=pending,
        multipart=multipart,
        quota_bytes=30 * MIB,
        direct_limits=LIMITS,
        now=lambda: clock[0],
    )
    return World(drive, repository, blobs, pending, multipart, clock)


async def create(world, size, *, name="big.bin", user="alice", parent_id=None, on_conflict=OnConflict.FAIL):
    return await world.direct.create(
        user,
        name=name,
        size=size,
        content_type="application/pdf",
        parent_id=parent_id,
        on_conflict=on_conflict,
        modified_at=None,
        part_size=None,
    )


def cut(content: bytes) -> dict[int, bytes]:
    return {n + 1: content[start : start + PART] for n, start in enumerate(range(0, len(content), PART))}


async def send(world, upload, bodies: dict[int, bytes]) -> list[CompletedPart]:
    requests = [PartRequest(n, len(body), sha256_b64(body)) for n, body in bodies.items()]
    parts = []
    for start in range(0, len(requests), LIMITS.max_parts_per_request):
        for signed in await world.direct.sign_parts(
            upload.user_id, upload.upload_id, requests[start : start + LIMITS.max_parts_per_request]
        ):
            status, etag = world.multipart.send_part(signed.url, signed.headers, bodies[signed.number])
            assert status == 200
            parts.append(CompletedPart(signed.number, etag, sha256_b64(bodies[signed.number])))
    return parts


async def test_an_upload_is_recorded_with_its_bytes_checksum_and_totals(world):
    content = os.urandom(2 * PART + 7)
    upload = await create(world, len(content))
    assert (upload.part_size, upload.layout.part_count, upload.object_key) == (
        PART,
        3,
        KEYS.file("alice", upload.upload_id),
    )
    assert upload.expires_at == "2026-11-25T10:30:00+00:00"
    parts = await send(world, upload, cut(content))
    _, listed = await world.direct.get("alice", upload.upload_id)
    assert [(part.number, part.size) for part in listed] == [(1, PART), (2, PART), (3, 7)]
    item = await world.direct.complete("alice", upload.upload_id, parts)
    digests = b"".join(hashlib.sha256(body).digest() for body in cut(content).values())
    assert item.sha256 == f"{base64.b64encode(hashlib.sha256(digests).digest()).decode()}-3"
    # What a client needs to compute that composite again from a download.
    assert item.checksum_part_size == PART
    assert (item.item_id, item.size, item.kind, item.content_type) == (
        upload.upload_id,
        len(content),
        ItemKind.FILE,
        "application/pdf",
    )
    assert world.blobs.objects[item.object_key][0] == content
    assert (await world.repository.usage("alice")).bytes_used == len(content)
    assert await world.pending.get("alice", upload.upload_id) is None
    # A completion repeated after a lost answer gets the file again.
    with pytest.raises(UploadNotFound):
        await world.direct.complete("alice", upload.upload_id, parts)


async def test_creation_refuses_before_anything_is_started(world):
    with pytest.raises(FileTooLarge):
        await create(world, 40 * MIB + 1)
    with pytest.raises(FolderNotFound):
        await create(world, 10, parent_id="01JDZZZZZZZZZZZZZZZZZZZZZZ")
    with pytest.raises(InvalidName):
        await create(world, 10, name="..")
    done = await create(world, 10, name="taken.txt")
    await world.direct.complete("alice", done.upload_id, await send(world, done, {1: b"0123456789"}))
    with pytest.raises(NameTaken):
        await create(world, 10, name="TAKEN.txt")
    assert world.multipart.uploads == {}
    assert list(world.pending.uploads) == []


async def test_uploads_in_progress_are_bounded_per_user(world):
    await create(world, 10)
    await create(world, 10)
    with pytest.raises(TooManyUploads):
        await create(world, 10)
    # The S3 upload started for the refused one is aborted again.
    assert len(world.multipart.uploads) == 2 and len(world.multipart.aborted) == 1
    await create(world, 10, user="bob")


async def test_the_quota_counts_the_trash_and_uploads_in_progress(world):
    stored = await create(world, 10 * MIB, name="old.bin")
    item = await world.direct.complete("alice", stored.upload_id, await send(world, stored, cut(os.urandom(10 * MIB))))
    await world.drive.trash_item("alice", item.item_id, kind=ItemKind.FILE)
    await create(world, 15 * MIB)
    with pytest.raises(QuotaExceeded) as refused:
        await create(world, 5 * MIB + 1)
    assert refused.value.details == {"used": 25 * MIB, "quota": 30 * MIB, "size": 5 * MIB + 1}
    limits = await world.drive.read_limits("alice")
    assert (limits.usage.used, limits.usage.trash, limits.usage.quota) == (25 * MIB, 10 * MIB, 30 * MIB)
    assert (limits.max_upload_bytes, limits.max_file_bytes) == (MIB, 40 * MIB)
    await create(world, 5 * MIB)


async def test_signing_refuses_parts_that_are_not_the_uploads(world):
    upload = await create(world, PART + 10)
    good = sha256_b64(b"x")
    for parts in (
        [PartRequest(2, 11, good)],
        [PartRequest(1, PART - 1, good)],
        [PartRequest(3, 10, good)],
        [PartRequest(2, 10, "not base64 of 32 bytes")],
        [PartRequest(2, 10, good)] * 4,
    ):
        with pytest.raises(InvalidParts):
            await world.direct.sign_parts("alice", upload.upload_id, parts)
    with pytest.raises(UploadNotFound):
        await world.direct.sign_parts("bob", upload.upload_id, [PartRequest(2, 10, good)])


async def test_the_store_refuses_a_part_of_other_bytes_or_after_its_url_expired(world):
    upload = await create(world, 10)
    (signed,) = await world.direct.sign_parts(
        "alice", upload.upload_id, [PartRequest(1, 10, sha256_b64(b"0123456789"))]
    )
    assert world.multipart.send_part(signed.url, signed.headers, b"0123456780")[0] == 400
    world.clock[0] += timedelta(seconds=601)
    assert world.multipart.send_part(signed.url, signed.headers, b"0123456789")[0] == 403


async def test_completion_needs_every_part_in_order(world):
    upload = await create(world, PART + 10)
    parts = await send(world, upload, {1: os.urandom(PART), 2: os.urandom(10)})
    for wrong in ([parts[0]], [parts[1], parts[0]], [parts[0], parts[1], parts[1]]):
        with pytest.raises(InvalidParts):
            await world.direct.complete("alice", upload.upload_id, wrong)
    assert await world.pending.get("alice", upload.upload_id) is not None
    item = await world.direct.complete("alice", upload.upload_id, parts)
    assert item.size == PART + 10


async def test_a_part_the_store_does_not_hold_is_a_mismatch_and_the_upload_is_dropped(world):
    upload = await create(world, 10)
    (part,) = await send(world, upload, {1: b"0123456789"})
    with pytest.raises(UploadMismatch):
        await world.direct.complete("alice", upload.upload_id, [CompletedPart(1, '"other"', part.sha256)])
    assert world.multipart.uploads == {} and await world.pending.get("alice", upload.upload_id) is None


async def test_an_object_of_another_size_than_declared_is_deleted_and_refused(world):
    upload = await create(world, 10)
    (part,) = await send(world, upload, {1: b"0123456789"})
    await world.multipart.complete_multipart(upload.object_key, upload.s3_upload_id, [part])
    content, content_type = world.blobs.objects[upload.object_key]
    world.blobs.objects[upload.object_key] = (content + b"more", content_type)
    with pytest.raises(UploadMismatch):
        await world.direct.complete("alice", upload.upload_id, [part])
    assert upload.object_key not in world.blobs.objects
    assert await world.repository.get("alice", upload.upload_id) is None
    assert await world.pending.get("alice", upload.upload_id) is None


async def test_the_quota_is_checked_again_at_completion(world):
    upload = await create(world, 10 * MIB)
    parts = await send(world, upload, cut(os.urandom(10 * MIB)))
    world.repository._add_to_totals("alice", 25 * MIB, 1)
    with pytest.raises(QuotaExceeded) as refused:
        await world.direct.complete("alice", upload.upload_id, parts)
    assert refused.value.details == {"used": 25 * MIB, "quota": 30 * MIB, "size": 10 * MIB}
    assert upload.object_key not in world.blobs.objects


@pytest.mark.parametrize("on_conflict", [OnConflict.FAIL, OnConflict.RENAME, OnConflict.REPLACE])
async def test_a_name_taken_meanwhile_is_handled_at_completion(world, on_conflict):
    upload = await create(world, 10, name="a.txt", on_conflict=on_conflict)
    parts = await send(world, upload, {1: b"0123456789"})
    other = await create(world, 3, name="A.txt")
    first = await world.direct.complete("alice", other.upload_id, await send(world, other, {1: b"abc"}))
    if on_conflict is OnConflict.FAIL:
        with pytest.raises(NameTaken):
            await world.direct.complete("alice", upload.upload_id, parts)
        assert upload.object_key not in world.blobs.objects
        return
    item = await world.direct.complete("alice", upload.upload_id, parts)
    if on_conflict is OnConflict.RENAME:
        assert item.name == "a (1).txt"
    else:
        # The upload became the new version of the file that took the name: its id and name stay.
        assert (item.item_id, item.name, item.size, item.trashed_at) == (first.item_id, "A.txt", 10, None)


async def test_a_folder_trashed_meanwhile_refuses_the_file_and_its_bytes_go(world):
    folder, _ = await world.drive.create_folder("alice", name="Docs", parent_id=None, on_conflict=OnConflict.FAIL)
    upload = await create(world, 10, parent_id=folder.item_id)
    parts = await send(world, upload, {1: b"0123456789"})
    await world.drive.trash_item("alice", folder.item_id, kind=ItemKind.FOLDER)
    with pytest.raises(FolderNotFound):
        await world.direct.complete("alice", upload.upload_id, parts)
    assert upload.object_key not in world.blobs.objects


class Unreachable(InMemoryFileRepository):
    """A store that, while `down`, answers a create with a 503, and every read after it too."""

    down = False
    failed = False

    async def create(self, item):
        if self.down:
            self.failed = True
            raise ServiceUnavailable()
        await super().create(item)

    async def get(self, user_id, item_id):
        if self.down and self.failed:
            raise ServiceUnavailable()
        return await super().get(user_id, item_id)


async def test_a_completion_whose_record_outcome_is_unknown_keeps_the_bytes_and_can_be_retried(world):
    world.repository.__class__ = Unreachable
    upload = await create(world, 10)
    parts = await send(world, upload, {1: b"0123456789"})
    world.repository.down = True
    with pytest.raises(ServiceUnavailable):
        await world.direct.complete("alice", upload.upload_id, parts)
    assert upload.object_key in world.blobs.objects
    world.repository.down = False
    item = await world.direct.complete("alice", upload.upload_id, parts)
    assert world.blobs.objects[item.object_key][0] == b"0123456789" and item.sha256 is not None
    assert item.checksum_part_size is None  # one part: the composite is over the whole file
    assert await world.pending.get("alice", upload.upload_id) is None


async def test_abort_and_expiry(world):
    upload = await create(world, 10)
    await world.direct.abort("alice", upload.upload_id)
    assert world.multipart.uploads == {} and world.pending.uploads == {}
    with pytest.raises(UploadNotFound):
        await world.direct.abort("alice", upload.upload_id)
    late = await create(world, 10)
    world.clock[0] += timedelta(hours=1)
    for step in (world.direct.get("alice", late.upload_id), world.direct.complete("alice", late.upload_id, [])):
        with pytest.raises(UploadNotFound):
            await step
    with pytest.raises(UploadNotFound):
        await world.direct.abort("alice", late.upload_id)
    assert world.pending.uploads == {} and world.multipart.uploads == {}


async def test_the_sweeper_aborts_and_forgets_expired_uploads_only(world):
    expired = [await create(world, 10), await create(world, 10, user="bob")]
    world.clock[0] += timedelta(minutes=30)
    fresh = await create(world, 10, user="carol")
    assert await world.direct.sweep() == 0
    world.clock[0] += timedelta(minutes=30)
    assert await world.direct.sweep(limit=1) == 1
    assert await world.direct.sweep() == 1
    assert sorted(world.multipart.aborted) == sorted(upload.s3_upload_id for upload in expired)
    assert list(world.pending.uploads) == [("carol", fresh.upload_id)]


async def chunks(content: bytes):
    yield content


async def test_the_upload_through_the_service_is_held_to_the_quota(world):
    await create(world, 30 * MIB - 5)
    stored = await world.drive.upload_file("alice", file_name="a.txt", content_type=None, chunks=chunks(b"12345"))
    assert stored.size == 5
    with pytest.raises(QuotaExceeded) as refused:
        await world.drive.upload_file("alice", file_name="b.txt", content_type=None, chunks=chunks(b"1"))
    assert refused.value.details == {"used": 30 * MIB, "quota": 30 * MIB, "size": 1}
    assert len(world.blobs.objects) == 1


async def test_a_limit_lowered_since_creation_refuses_the_file_at_completion(world):
    upload = await create(world, 10)
    parts = await send(world, upload, {1: b"0123456789"})
    lowered = build_drive(
        world.repository,
        world.blobs,
        max_upload_bytes=MIB,
        download_url_ttl_seconds=60,
        pending_uploads=world.pending,
        multipart=world.multipart,
        direct_limits=DirectUploadLimits(**{**vars(LIMITS), "max_file_bytes": 9}),
        now=lambda: world.clock[0],
    )
    assert lowered.direct is not None
    with pytest.raises(FileTooLarge):
        await lowered.direct.complete("alice", upload.upload_id, parts)
    assert upload.object_key not in world.blobs.objects


async def test_a_quota_the_admin_raised_lets_the_user_store_beyond_the_setting(world):
    await world.repository.set_quota("alice", 60 * MIB)
    upload = await create(world, 35 * MIB)
    item = await world.direct.complete("alice", upload.upload_id, await send(world, upload, cut(os.urandom(35 * MIB))))
    assert item.size == 35 * MIB
    assert (await world.drive.read_limits("alice")).usage.quota == 60 * MIB
    # Everyone else keeps the service's setting.
    with pytest.raises(QuotaExceeded):
        await create(world, 35 * MIB, user="bob")
    assert (await world.drive.read_limits("bob")).usage.quota == 30 * MIB


async def test_a_quota_the_admin_lowered_refuses_with_the_usual_error_and_clearing_it_falls_back(world):
    await world.repository.set_quota("alice", 10 * MIB)
    await create(world, 9 * MIB + 1)
    with pytest.raises(QuotaExceeded) as refused:
        await create(world, MIB)
    assert refused.value.details == {"used": 9 * MIB + 1, "quota": 10 * MIB, "size": MIB}
    with pytest.raises(QuotaExceeded):
        await world.drive.upload_file("alice", file_name="c.txt", content_type=None, chunks=chunks(os.urandom(MIB)))
    await world.repository.set_quota("alice", None)
    assert (await world.drive.read_limits("alice")).usage.quota == 30 * MIB
    await create(world, 2 * MIB + 1)
