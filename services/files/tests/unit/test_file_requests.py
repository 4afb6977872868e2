"""File requests on the in-memory fakes: the owner's settings, what a visitor is shown, uploads
through a request with the direct protocol (never replacing a file, limits and quota checked at
creation and at completion), refusals, and the owner's batched notices."""

import asyncio
import base64
import hashlib
from dataclasses import dataclass
from datetime import timedelta

import pytest

from scloud_common.mail import MailLayout, RecordingMailer
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_request import InMemoryFileRequests
from scloud_files.adapters.in_memory_share import FastPasswordHasher, InMemoryShareLinks, InMemoryUserDirectory
from scloud_files.adapters.in_memory_upload import InMemoryMultipartStore, InMemoryPendingUploads
from scloud_files.domain import (
    CompletedPart,
    EmailNotVerified,
    FileTooLarge,
    FolderNotFound,
    InvalidExpiry,
    InvalidRequestLimit,
    OnConflict,
    OwnerStorageFull,
    RequestExpired,
    RequestFull,
    RequestNotFound,
    RequestRevoked,
    UploadNotFound,
)
from scloud_files.drive.direct_upload import DirectUploadLimits, PartRequest
from scloud_files.drive.file_request import RequestLimits
from scloud_files.drive.use_cases import Drive, FileRequests, RequestPorts, SharingPorts, build_drive
from scloud_files.ports import AccountProfile
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
NOTICE = timedelta(minutes=15)


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@dataclass
class World:
    drive: Drive
    repository: InMemoryFileRepository
    requests_store: InMemoryFileRequests
    multipart: InMemoryMultipartStore
    pending: InMemoryPendingUploads
    mailer: RecordingMailer
    clock: Clock
    folder_id: str

    @property
    def requests(self) -> FileRequests:
        assert self.drive.requests is not None
        return self.drive.requests


@pytest.fixture
async def world() -> World:
    clock = Clock()
    repository, blobs, pending = InMemoryFileRepository(), InMemoryBlobStore(), InMemoryPendingUploads()
    multipart = InMemoryMultipartStore(blobs, clock=lambda: clock().timestamp())
    store, mailer = InMemoryFileRequests(), RecordingMailer()
    users = InMemoryUserDirectory(
        {
            "alice": AccountProfile(True, "Alice A.", "alice@example.com"),
            "carol": AccountProfile(False, "Carol", "carol@example.com"),
        }
    )
    drive = build_drive(
        repository,
        blobs,
        max_upload_bytes=MIB,
        download_url_ttl_seconds=60,
        pending_uploads=pending,
        multipart=multipart,
        quota_bytes=1000,
        direct_limits=LIMITS,
        now=clock,
        sharing=SharingPorts(
            InMemoryShareLinks(),
            users,
            FastPasswordHasher(),
            requests=RequestPorts(
                store,
                mailer,
                MailLayout(public_url="https://scloud.example"),
                RequestLimits(default_file_bytes=300, max_file_bytes=LIMITS.max_file_bytes, notice_interval=NOTICE),
            ),
        ),
    )
    folder, _ = await drive.create_folder("alice", name="Tax papers", parent_id=None)
    return World(drive, repository, store, multipart, pending, mailer, clock, folder.item_id)


async def make_request(world, **options) -> str:
    _, request_id = await world.requests.create("alice", world.folder_id, **options)
    return request_id


async def upload(world, request_id: str, content: bytes, *, name: str = "scan.pdf", note: str | None = None):
    created = await world.requests.create_upload(
        request_id, name=name, size=len(content), content_type="application/pdf", modified_at=None, part_size=None
    )
    (signed,) = await world.requests.sign_parts(
        request_id, created.upload_id, [PartRequest(1, len(content), sha256_b64(content))]
    )
    status, etag = world.multipart.send_part(signed.url, signed.headers, content)
    assert status == 200
    parts = [CompletedPart(1, etag, sha256_b64(content))]
    return created, parts


async def send(world, request_id: str, content: bytes, *, name: str = "scan.pdf", note: str | None = None):
    created, parts = await upload(world, request_id, content, name=name)
    return await world.requests.complete_upload(request_id, created.upload_id, parts, note=note)


async def names_in_folder(world) -> list[str]:
    children = [item async for page in world.repository.iter_children("alice", world.folder_id) for item in page]
    return sorted(item.name for item in children)


async def test_only_a_verified_account_asks_for_files_and_only_into_its_own_folder(world):
    with pytest.raises(EmailNotVerified):
        await world.requests.create("carol", world.folder_id)
    with pytest.raises(FolderNotFound):
        await world.requests.create("alice", "01JD0000000000000000000000")
    note = await world.drive.upload_file("alice", file_name="a.txt", content_type="text/plain", chunks=_one(b"x"))
    with pytest.raises(FolderNotFound):
        await world.requests.create("alice", note.item_id)


async def _one(data: bytes):
    yield data


async def test_the_expiry_and_the_limits_are_bounded(world):
    with pytest.raises(InvalidExpiry):
        await world.requests.create("alice", world.folder_id, expires_at=world.clock() + timedelta(days=31))
    with pytest.raises(InvalidRequestLimit):
        await world.requests.create("alice", world.folder_id, max_file_bytes=LIMITS.max_file_bytes + 1)
    with pytest.raises(InvalidRequestLimit):
        await world.requests.create("alice", world.folder_id, max_file_bytes=50, max_total_bytes=40)
    request, _ = await world.requests.create("alice", world.folder_id)
    assert (request.max_file_bytes, request.max_total_bytes) == (300, None)
    assert request.expires_at == "2026-12-02T09:30:00+00:00"
    assert request.owner_name == "Alice A."


async def test_a_visitor_sees_the_folders_name_the_limits_and_the_expiry_only(world):
    request_id = await make_request(world, max_file_bytes=100, max_total_bytes=250, show_owner_name=False)
    shown = await world.requests.open(request_id)
    assert vars(shown) == {
        "folder_name": "Tax papers",
        "expires_at": "2026-12-02T09:30:00+00:00",
        "max_file_bytes": 100,
        "bytes_left": 250,
        "owner_name": None,
    }
    with pytest.raises(RequestNotFound):
        await world.requests.open("A" * 22)


async def test_files_land_in_the_folder_count_against_the_owner_and_never_replace_one(world):
    request_id = await make_request(world)
    first = await send(world, request_id, b"first scan")
    second = await send(world, request_id, b"second scan, same name")
    assert (first.name, second.name) == ("scan.pdf", "scan (1).pdf")
    assert (first.parent_id, first.user_id) == (world.folder_id, "alice")
    assert await names_in_folder(world) == ["scan (1).pdf", "scan.pdf"]
    assert (await world.repository.usage("alice")).bytes_used == len(b"first scan") + len(b"second scan, same name")
    request = (await world.requests.list("alice", limit=10, cursor=None))[0][0]
    assert (request.files_received, request.bytes_received) == (2, 32)


async def test_the_per_file_and_total_limits_are_checked_at_creation(world):
    request_id = await make_request(world, max_file_bytes=10, max_total_bytes=15)
    with pytest.raises(FileTooLarge):
        await upload(world, request_id, b"x" * 11)
    await send(world, request_id, b"x" * 10)
    with pytest.raises(RequestFull) as refused:
        await upload(world, request_id, b"x" * 6)
    assert refused.value.details == {"bytesLeft": 5}
    assert not world.pending.uploads


async def test_the_limits_are_checked_again_at_completion_and_the_bytes_deleted(world):
    request, request_id = await world.requests.create("alice", world.folder_id, max_file_bytes=10, max_total_bytes=15)
    # Each fits when it starts; together they do not.
    first, first_parts = await upload(world, request_id, b"a" * 10, name="a.bin")
    second, second_parts = await upload(world, request_id, b"b" * 10, name="b.bin")
    await world.requests.complete_upload(request_id, first.upload_id, first_parts, note=None)
    with pytest.raises(RequestFull):
        await world.requests.complete_upload(request_id, second.upload_id, second_parts, note=None)
    assert second.object_key not in world.multipart.blob_store.objects
    # The owner lowers the per-file limit while a file is on its way.
    await world.requests.update("alice", request.request_ref, max_total_bytes=None)
    third, third_parts = await upload(world, request_id, b"c" * 10, name="c.bin")
    await world.requests.update("alice", request.request_ref, max_file_bytes=5)
    with pytest.raises(FileTooLarge):
        await world.requests.complete_upload(request_id, third.upload_id, third_parts, note=None)
    assert await names_in_folder(world) == ["a.bin"]
    assert (await world.requests.get("alice", request.request_ref)).bytes_received == 10


async def test_the_owners_quota_refuses_without_telling_the_owners_numbers(world):
    request_id = await make_request(world, max_file_bytes=600)
    first, first_parts = await upload(world, request_id, b"a" * 600, name="a.bin")
    with pytest.raises(OwnerStorageFull) as refused:
        await upload(world, request_id, b"b" * 500, name="b.bin")
    assert not getattr(refused.value, "details", None)
    await world.requests.complete_upload(request_id, first.upload_id, first_parts, note=None)
    second, second_parts = await upload(world, request_id, b"c" * 300, name="c.bin")
    # The quota is lowered while the file is on its way: S3's size is checked against it.
    world.drive.direct.complete._quota.quota_bytes = 800
    with pytest.raises(OwnerStorageFull):
        await world.requests.complete_upload(request_id, second.upload_id, second_parts, note=None)
    assert second.object_key not in world.multipart.blob_store.objects
    assert (await world.requests.list("alice", limit=1, cursor=None))[0][0].bytes_received == 600


async def test_a_revoked_or_expired_request_answers_gone_and_ends_uploads_in_flight(world):
    request, request_id = await world.requests.create("alice", world.folder_id)
    created, parts = await upload(world, request_id, b"late")
    await world.requests.revoke("alice", request.request_ref)
    for call in (
        world.requests.open(request_id),
        world.requests.create_upload(request_id, name="x", size=1, content_type=None, modified_at=None, part_size=None),
        world.requests.sign_parts(request_id, created.upload_id, [PartRequest(1, 4, sha256_b64(b"late"))]),
        world.requests.get_upload(request_id, created.upload_id),
        world.requests.complete_upload(request_id, created.upload_id, parts, note=None),
        world.requests.abort_upload(request_id, created.upload_id),
    ):
        with pytest.raises(RequestRevoked):
            await call
    expiring, expiring_id = await world.requests.create("alice", world.folder_id)
    world.clock.now += timedelta(days=7)
    with pytest.raises(RequestExpired):
        await world.requests.open(expiring_id)
    assert await names_in_folder(world) == []


async def test_a_trashed_folder_closes_its_requests_as_unknown(world):
    request_id = await make_request(world)
    await world.drive.trash_item("alice", world.folder_id, kind=None)
    with pytest.raises(RequestNotFound):
        await world.requests.open(request_id)


async def test_an_upload_answers_only_through_its_own_request(world):
    request_id, other_id = await make_request(world), await make_request(world)
    created, parts = await upload(world, request_id, b"mine")
    own = await world.drive.direct.create(
        "alice",
        name="owner.bin",
        size=4,
        content_type=None,
        parent_id=None,
        on_conflict=OnConflict.FAIL,
        modified_at=None,
        part_size=None,
    )
    for upload_id in (created.upload_id, own.upload_id):
        for call in (
            world.requests.get_upload(other_id, upload_id),
            world.requests.sign_parts(other_id, upload_id, [PartRequest(1, 4, sha256_b64(b"mine"))]),
            world.requests.complete_upload(other_id, upload_id, parts, note=None),
            world.requests.abort_upload(other_id, upload_id),
        ):
            with pytest.raises(UploadNotFound):
                await call
    with pytest.raises(UploadNotFound):
        await world.requests.get_upload(request_id, own.upload_id)
    # Nor do the owner's own routes reach a visitor's upload, which counts against the request.
    with pytest.raises(UploadNotFound):
        await world.drive.direct.complete("alice", created.upload_id, parts)
    await world.requests.complete_upload(request_id, created.upload_id, parts, note=None)


async def test_concurrent_completions_never_pass_the_total(world):
    request_id = await make_request(world, max_file_bytes=10, max_total_bytes=30)
    started = [await upload(world, request_id, bytes([n]) * 10, name=f"{n}.bin") for n in range(5)]
    results = await asyncio.gather(
        *(world.requests.complete_upload(request_id, c.upload_id, parts, note=None) for c, parts in started),
        return_exceptions=True,
    )
    assert sum(not isinstance(result, BaseException) for result in results) == 3
    assert all(isinstance(result, RequestFull) for result in results if isinstance(result, BaseException))
    assert len(await names_in_folder(world)) == 3


async def test_the_owner_gets_one_mail_per_interval_listing_the_files_and_notes(world):
    request_id = await make_request(world)
    await send(world, request_id, b"one", name="one.pdf", note="For the 2025 return")
    world.clock.now += timedelta(minutes=5)
    await send(world, request_id, b"two", name="two.pdf", note="For the 2025 return")
    assert await world.requests.send_notices() == 0
    world.clock.now += timedelta(minutes=10)
    assert await world.requests.send_notices() == 1
    (mail,) = world.mailer.sent
    assert mail.to == "alice@example.com"
    assert "2 files" in mail.subject and "Tax papers" in mail.subject
    assert "one.pdf (3 bytes)" in mail.text and "two.pdf (3 bytes)" in mail.text
    assert mail.text.count("For the 2025 return") == 1
    assert f"https://scloud.example/files/{world.folder_id}" in mail.text
    assert await world.requests.send_notices() == 0
    # A file right after the mail waits a whole interval.
    await send(world, request_id, b"three", name="three.pdf")
    world.clock.now += NOTICE - timedelta(seconds=1)
    assert await world.requests.send_notices() == 0
    world.clock.now += timedelta(seconds=1)
    assert await world.requests.send_notices() == 1
    assert "three.pdf" in world.mailer.sent[1].text and "one.pdf" not in world.mailer.sent[1].text


async def test_a_failed_mail_stays_due(world):
    class DownMailer(RecordingMailer):
        async def send(self, message):
            from scloud_common.errors import ServiceUnavailable

            raise ServiceUnavailable()

    request_id = await make_request(world)
    await send(world, request_id, b"one")
    world.drive.requests.send_notices._mailer = DownMailer()
    world.clock.now += NOTICE
    assert await world.requests.send_notices() == 0
    world.drive.requests.send_notices._mailer = world.mailer
    assert await world.requests.send_notices() == 1
    assert len(world.mailer.sent) == 1


async def test_the_owners_requests_are_listed_edited_and_deleted_with_the_account(world):
    request, _ = await world.requests.create("alice", world.folder_id)
    updated = await world.requests.update(
        "alice",
        request.request_ref,
        max_total_bytes=1000,
        show_owner_name=False,
        expires_at=world.clock() + timedelta(days=1),
    )
    assert (updated.max_total_bytes, updated.owner_name, updated.expires_at) == (
        1000,
        None,
        "2026-11-26T09:30:00+00:00",
    )
    with pytest.raises(RequestNotFound):
        await world.requests.get("bob", request.request_ref)
    await world.drive.delete_user_files("alice")
    assert world.requests_store.requests == {}
