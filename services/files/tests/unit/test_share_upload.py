"""An editor's direct upload into a folder shared with them, on the in-memory fakes: the file is
the owner's and counted against the owner's quota, viewers are refused, the grant is read again
at every step (a removal or a demotion refuses the completion and deletes the bytes), and the
upload is unknown to every other scope."""

import base64
import hashlib
from dataclasses import dataclass
from datetime import timedelta

import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_grants import InMemoryGrants, InMemoryPeopleDirectory, RecordingShareNotices
from scloud_files.adapters.in_memory_upload import InMemoryMultipartStore, InMemoryPendingUploads
from scloud_files.domain import (
    CompletedPart,
    ItemNotFound,
    OnConflict,
    QuotaExceeded,
    UploadNotFound,
    full_object_sha256,
)
from scloud_files.domain.grant import Role, ShareNotFound, ViewerOnly
from scloud_files.drive.direct_upload import DirectUploadLimits, PartRequest
from scloud_files.drive.people_share import PeoplePorts
from scloud_files.drive.share_upload import GrantStillHeld, ShareUploads
from scloud_files.drive.use_cases import Drive, build_drive
from services.files.tests.doubles import Clock

MIB = 1024 * 1024
LIMITS = DirectUploadLimits(
    max_file_bytes=40 * MIB,
    part_bytes=5 * MIB,
    upload_ttl=timedelta(hours=1),
    part_url_ttl_seconds=600,
    max_parts_per_request=10,
    max_pending_per_user=8,
)


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@dataclass
class World:
    drive: Drive
    multipart: InMemoryMultipartStore
    pending: InMemoryPendingUploads
    shared_id: str
    inner_id: str
    private_id: str

    @property
    def uploads(self) -> ShareUploads:
        assert self.drive.people is not None and self.drive.people.uploads is not None
        return self.drive.people.uploads

    async def share(self, email: str, role: Role, item_id: str | None = None):
        assert self.drive.people is not None
        return await self.drive.people.share("alice", item_id or self.shared_id, email=email, role=role)


@pytest.fixture
async def world() -> World:
    clock = Clock()
    blobs, pending = InMemoryBlobStore(), InMemoryPendingUploads()
    multipart = InMemoryMultipartStore(blobs, clock=lambda: clock().timestamp())
    people = InMemoryPeopleDirectory()
    for user in ("alice", "bob", "carol", "dave"):
        people.add(user, f"{user}@example.com", name=user.title())
    drive = build_drive(
        InMemoryFileRepository(),
        blobs,
        max_upload_bytes=MIB,
        download_url_ttl_seconds=60,
        pending_uploads=pending,
        multipart=multipart,
        quota_bytes=1000,
        direct_limits=LIMITS,
        now=clock,
        people=PeoplePorts(InMemoryGrants(), people, RecordingShareNotices()),
    )
    shared, _ = await drive.create_folder("alice", name="Shared", parent_id=None)
    inner, _ = await drive.create_folder("alice", name="Inner", parent_id=shared.item_id)
    private, _ = await drive.create_folder("alice", name="Private", parent_id=None)
    world = World(drive, multipart, pending, shared.item_id, inner.item_id, private.item_id)
    await world.share("bob@example.com", Role.EDITOR)
    await world.share("carol@example.com", Role.VIEWER)
    return world


async def start(world: World, content: bytes, *, user="bob", folder_id=None, share_id=None, name="big.bin"):
    """Creates the upload, signs and sends its one part: what is left is the completion."""
    share_id = share_id or world.shared_id
    created = await world.uploads.create(
        user,
        share_id,
        folder_id,
        name=name,
        size=len(content),
        content_type="application/octet-stream",
        on_conflict=OnConflict.FAIL,
        modified_at=None,
        part_size=None,
    )
    (signed,) = await world.uploads.sign_parts(
        user, share_id, created.upload_id, [PartRequest(1, len(content), sha256_b64(content))]
    )
    status, etag = world.multipart.send_part(signed.url, signed.headers, content)
    assert status == 200
    return created, [CompletedPart(1, etag, sha256_b64(content))]


async def start_owners_upload(world: World):
    """The owner's own upload in progress, which nothing done to an editor touches."""
    assert world.drive.direct is not None
    return await world.drive.direct.create(
        "alice",
        name="mine.bin",
        size=10,
        content_type="application/octet-stream",
        parent_id=None,
        on_conflict=OnConflict.FAIL,
        modified_at=None,
        part_size=None,
    ), None


async def test_an_editors_upload_is_the_owners_file_on_the_owners_quota(world):
    created, parts = await start(world, b"x" * 300, folder_id=world.inner_id)
    assert created.user_id == "alice" and created.share_ref == f"{world.shared_id}:bob"
    upload, stored = await world.uploads.get("bob", world.shared_id, created.upload_id)
    assert [part.number for part in stored] == [1]
    item = await world.uploads.complete("bob", world.shared_id, created.upload_id, parts)
    assert (item.user_id, item.parent_id, item.size) == ("alice", world.inner_id, 300)
    assert item.sha256 in full_object_sha256([sha256_b64(b"x" * 300)])
    assert (await world.drive.get_storage_usage("alice")).bytes_used == 300
    assert (await world.drive.get_storage_usage("bob")).bytes_used == 0
    with pytest.raises(QuotaExceeded):
        await start(world, b"y" * 800)


async def test_the_shared_folder_is_the_default_and_nothing_outside_it_is_reached(world):
    created, parts = await start(world, b"a" * 10)
    assert (await world.uploads.complete("bob", world.shared_id, created.upload_id, parts)).parent_id == (
        world.shared_id
    )
    with pytest.raises(ItemNotFound):
        await start(world, b"b" * 10, folder_id=world.private_id)


async def test_a_viewer_is_refused_and_a_stranger_finds_nothing(world):
    with pytest.raises(ViewerOnly):
        await start(world, b"a" * 10, user="carol")
    with pytest.raises(ShareNotFound):
        await start(world, b"a" * 10, user="dave")
    assert world.pending.uploads == {}


async def test_a_removed_editors_uploads_end_with_the_removal_and_the_completion_is_refused(world):
    created, parts = await start(world, b"a" * 10)
    owners_own, _ = await start_owners_upload(world)
    grant = (await world.drive.people.on_item.list("alice", world.shared_id))[0]
    await world.drive.people.on_item.remove("alice", world.shared_id, grant.person_id)
    # Regression: the parts, the owner's reserved quota and upload slot waited a day for the sweeper.
    assert created.s3_upload_id in world.multipart.aborted
    assert list(world.pending.uploads) == [("alice", owners_own.upload_id)]
    with pytest.raises(ShareNotFound):
        await world.uploads.complete("bob", world.shared_id, created.upload_id, parts)
    assert (await world.drive.get_storage_usage("alice")).bytes_used == 0


async def test_an_editor_who_leaves_ends_their_uploads(world):
    created, _ = await start(world, b"a" * 10)
    await world.drive.people.choices.leave("bob", world.shared_id)
    assert created.s3_upload_id in world.multipart.aborted and world.pending.uploads == {}


async def test_a_removal_while_the_parts_are_joined_refuses_and_deletes_the_bytes(world):
    created, parts = await start(world, b"a" * 10)
    people = world.drive.people
    grant = next(g for g in await people.on_item.list("alice", world.shared_id) if g.email == "bob@example.com")

    class RemovedWhileJoining(GrantStillHeld):
        async def admit(self, upload, size):
            await people.on_item.remove("alice", world.shared_id, grant.person_id)
            await super().admit(upload, size)

    with pytest.raises(ShareNotFound):
        await world.drive.direct.complete(
            "alice",
            created.upload_id,
            parts,
            share_ref=created.share_ref,
            guard=RemovedWhileJoining(people.uploads._gate, "bob", world.shared_id),
        )
    assert created.object_key not in world.multipart.blob_store.objects
    assert world.pending.uploads == {}
    assert (await world.drive.get_storage_usage("alice")).bytes_used == 0


async def test_an_editor_made_viewer_is_refused_and_the_upload_aborted(world):
    created, parts = await start(world, b"a" * 10)
    grant = next(
        g for g in await world.drive.people.on_item.list("alice", world.shared_id) if g.email == "bob@example.com"
    )
    await world.drive.people.on_item.change_role("alice", world.shared_id, grant.person_id, Role.VIEWER)
    assert created.s3_upload_id in world.multipart.aborted and world.pending.uploads == {}
    with pytest.raises(ViewerOnly):
        await world.uploads.complete("bob", world.shared_id, created.upload_id, parts)
    assert world.pending.uploads == {}
    assert created.s3_upload_id in world.multipart.aborted
    assert (await world.drive.get_storage_usage("alice")).bytes_used == 0


async def test_the_upload_is_unknown_to_every_other_scope(world):
    await world.share("dave@example.com", Role.EDITOR)
    other, _ = await world.drive.create_folder("alice", name="Other", parent_id=None)
    await world.share("bob@example.com", Role.EDITOR, other.item_id)
    created, parts = await start(world, b"a" * 10)
    upload_id = created.upload_id
    direct = world.drive.direct
    with pytest.raises(UploadNotFound):
        await direct.get("alice", upload_id)
    with pytest.raises(UploadNotFound):
        await direct.complete("alice", upload_id, parts)
    with pytest.raises(UploadNotFound):
        await direct.abort("alice", upload_id)
    with pytest.raises(UploadNotFound):
        await direct.get("alice", upload_id, request_ref=created.share_ref)
    with pytest.raises(UploadNotFound):
        await world.uploads.get("dave", world.shared_id, upload_id)
    with pytest.raises(UploadNotFound):
        await world.uploads.abort("bob", other.item_id, upload_id)
    with pytest.raises(UploadNotFound):
        await world.uploads.complete("bob", other.item_id, upload_id, parts)
    # The editor's own scope still has it, untouched by the refusals.
    await world.uploads.abort("bob", world.shared_id, upload_id)
    assert world.pending.uploads == {}
