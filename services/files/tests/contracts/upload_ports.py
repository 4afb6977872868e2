"""What every PendingUploadStore and MultipartStore must do, written once: the fakes in the unit
tier, SQLite in the unit tier, DynamoDB (moto) and S3 (SeaweedFS, which checks signatures) in the
integration tier."""

import base64
import hashlib
import os
from dataclasses import replace

import pytest

from scloud_files.domain import (
    BatchFile,
    CompletedPart,
    FileIdGenerator,
    ObjectKeys,
    OnConflict,
    PendingUpload,
    TooManyUploads,
    UploadMismatch,
    UploadNotFound,
    full_object_sha256,
)
from scloud_files.ports import MultipartStore, PendingUploadStore

KEYS = ObjectKeys.for_development()

new_id = FileIdGenerator()
MIB = 1024 * 1024


def a_pending_upload(
    *, user_id: str = "alice", size: int = 100, expires_at: str = "2026-11-26T09:30:00+00:00", parent_id=None
) -> PendingUpload:
    upload_id = new_id()
    return PendingUpload(
        upload_id=upload_id,
        user_id=user_id,
        s3_upload_id=f"s3-{upload_id}",
        object_key=KEYS.file(user_id, upload_id),
        name="Résumé final.pdf",
        size=size,
        part_size=5 * MIB,
        content_type="application/pdf",
        parent_id=parent_id,
        on_conflict=OnConflict.RENAME,
        modified_at=None,
        created_at="2026-11-25T09:30:00+00:00",
        expires_at=expires_at,
    )


class PendingUploadStoreContract:
    @pytest.fixture
    def pending(self) -> PendingUploadStore:
        raise NotImplementedError

    async def test_an_upload_is_kept_for_its_user_only_until_removed(self, pending):
        upload = a_pending_upload(parent_id=new_id())
        dated = PendingUpload(**{**vars(a_pending_upload()), "modified_at": "2026-01-02T03:04:05+00:00"})
        await pending.add(upload, max_per_user=10)
        await pending.add(dated, max_per_user=10)
        assert await pending.get("alice", upload.upload_id) == upload
        assert await pending.get("alice", dated.upload_id) == dated
        assert await pending.get("bob", upload.upload_id) is None
        await pending.remove(upload)
        await pending.remove(upload)
        assert await pending.get("alice", upload.upload_id) is None
        assert await pending.get("alice", dated.upload_id) == dated

    async def test_an_upload_through_a_file_request_keeps_its_request(self, pending):
        upload = replace(a_pending_upload(parent_id=new_id()), request_ref=new_id())
        await pending.add(upload, max_per_user=10)
        assert await pending.get("alice", upload.upload_id) == upload

    async def test_an_editors_upload_through_a_share_keeps_its_scope(self, pending):
        upload = replace(a_pending_upload(parent_id=new_id()), share_ref=f"{new_id()}:bob")
        await pending.add(upload, max_per_user=10)
        assert await pending.get("alice", upload.upload_id) == upload

    async def test_a_users_uploads_are_listed_by_id_and_no_one_elses(self, pending):
        owner, other = f"u{new_id()}", f"u{new_id()}"
        mine = [a_pending_upload(user_id=owner) for _ in range(3)]
        for upload in [*mine, a_pending_upload(user_id=other)]:
            await pending.add(upload, max_per_user=10)
        assert await pending.of_user(owner, limit=10) == mine
        assert await pending.of_user(owner, limit=2) == mine[:2]
        assert await pending.of_user(f"u{new_id()}", limit=10) == []

    async def test_reserved_bytes_add_up_the_users_uploads(self, pending):
        first, second = a_pending_upload(size=7 * MIB), a_pending_upload(size=3)
        assert await pending.reserved_bytes("alice") == 0
        await pending.add(first, max_per_user=10)
        await pending.add(second, max_per_user=10)
        await pending.add(a_pending_upload(user_id="bob", size=1000), max_per_user=10)
        assert await pending.reserved_bytes("alice") == 7 * MIB + 3
        await pending.remove(first)
        await pending.remove(first)
        assert await pending.reserved_bytes("alice") == 3
        assert await pending.reserved_bytes("bob") == 1000

    async def test_a_batch_is_kept_with_its_files_and_reserves_their_total(self, pending):
        files = (
            BatchFile(new_id(), "a.txt", 10, "text/plain", "A" * 43 + "=", "2026-01-02T03:04:05+00:00"),
            BatchFile(new_id(), "Résumé.pdf", 20, "application/pdf", "B" * 43 + "=", None),
        )
        batch = PendingUpload(**{**vars(a_pending_upload(size=30)), "s3_upload_id": "", "batch_files": files})
        await pending.add(batch, max_per_user=10)
        assert await pending.get("alice", batch.upload_id) == batch
        assert (await pending.get("alice", batch.upload_id)).is_batch
        assert await pending.reserved_bytes("alice") == 30
        await pending.remove(batch)

    async def test_a_settled_batch_keeps_its_answer_reserves_nothing_and_leaves_its_place(self, pending):
        files = (
            BatchFile(new_id(), "a.txt", 10, "text/plain", "A" * 43 + "=", None),
            BatchFile(new_id(), "b.txt", 20, "text/plain", "B" * 43 + "=", None),
        )
        batch = PendingUpload(**{**vars(a_pending_upload(size=30)), "s3_upload_id": "", "batch_files": files})
        other = a_pending_upload(size=5)
        await pending.add(batch, max_per_user=2)
        await pending.add(other, max_per_user=2)
        answered = (replace(files[0], outcome="recorded"), replace(files[1], outcome="refused", error="name_taken"))
        settled = replace(batch, size=0, batch_files=answered)
        await pending.settle(batch, settled)
        await pending.settle(batch, settled)
        kept = await pending.get("alice", batch.upload_id)
        assert kept == settled
        assert kept.is_settled
        assert await pending.reserved_bytes("alice") == 5
        await pending.add(a_pending_upload(size=1), max_per_user=2)
        with pytest.raises(TooManyUploads):
            await pending.add(a_pending_upload(size=1), max_per_user=2)
        assert [upload.upload_id for upload in await pending.expired("9999-01-01T00:00:00+00:00", limit=10)].count(
            batch.upload_id
        ) == 1
        await pending.remove(kept)
        await pending.remove(kept)
        assert await pending.get("alice", batch.upload_id) is None
        assert await pending.reserved_bytes("alice") == 6

    async def test_a_user_has_at_most_the_bound_in_progress(self, pending):
        uploads = [a_pending_upload() for _ in range(3)]
        for upload in uploads:
            await pending.add(upload, max_per_user=3)
        extra = a_pending_upload()
        with pytest.raises(TooManyUploads):
            await pending.add(extra, max_per_user=3)
        assert await pending.get("alice", extra.upload_id) is None
        await pending.add(a_pending_upload(user_id="bob"), max_per_user=3)
        await pending.remove(uploads[0])
        await pending.add(extra, max_per_user=3)
        assert await pending.reserved_bytes("alice") == 300

    async def test_expired_uploads_of_every_user_come_earliest_first(self, pending):
        late = a_pending_upload(expires_at="2026-11-25T12:00:00+00:00")
        early = a_pending_upload(user_id="bob", expires_at="2026-11-25T10:00:00+00:00")
        exact = a_pending_upload(expires_at="2026-11-25T11:00:00+00:00")
        future = a_pending_upload(expires_at="2026-11-27T00:00:00+00:00")
        for upload in (late, early, exact, future):
            await pending.add(upload, max_per_user=10)
        now = "2026-11-25T12:00:00+00:00"
        assert await pending.expired(now, limit=10) == [early, exact, late]
        assert await pending.expired(now, limit=2) == [early, exact]
        await pending.remove(early)
        assert await pending.expired(now, limit=10) == [exact, late]
        assert await pending.expired("2026-11-25T09:00:00+00:00", limit=10) == []


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


class MultipartStoreContract:
    """`send_part(url, headers, body)` PUTs a part as a browser would: (status, ETag);
    `send_object(url, headers, body)` PUTs a whole object: its status; `read_object(key)` the
    stored bytes or None."""

    @pytest.fixture
    def send_object(self):
        raise NotImplementedError

    @pytest.fixture
    def multipart(self) -> MultipartStore:
        raise NotImplementedError

    @pytest.fixture
    def send_part(self):
        raise NotImplementedError

    @pytest.fixture
    def read_object(self):
        raise NotImplementedError

    @pytest.fixture
    def key(self) -> str:
        return KEYS.file(new_id(), new_id())

    async def _send(self, multipart, send_part, key, upload_id, number, body, *, sha256=None):
        url, headers = multipart.presign_part(
            key, upload_id, number=number, size=len(body), sha256=sha256 or sha256_b64(body), ttl_seconds=60
        )
        return await send_part(url, headers, body)

    async def test_parts_sent_to_their_urls_are_listed_and_joined_with_their_checksum(
        self, multipart, send_part, read_object, key
    ):
        upload_id = await multipart.create_multipart(key, content_type="application/pdf")
        bodies = [os.urandom(5 * MIB), os.urandom(1234)]
        parts = []
        for number, body in enumerate(bodies, start=1):
            status, etag = await self._send(multipart, send_part, key, upload_id, number, body)
            assert status == 200
            parts.append(CompletedPart(number, etag, sha256_b64(body)))
        listed = await multipart.list_parts(key, upload_id)
        assert [(part.number, part.size, part.etag) for part in listed] == [
            (part.number, len(body), part.etag) for part, body in zip(parts, bodies, strict=True)
        ]
        await multipart.complete_multipart(key, upload_id, parts)
        head = await multipart.head(key)
        assert head.size == sum(map(len, bodies))
        assert head.sha256 in full_object_sha256([part.sha256 for part in parts])
        assert await read_object(key) == b"".join(bodies)
        assert await multipart.list_parts(key, upload_id) is None
        await multipart.delete(key)
        assert await multipart.head(key) is None

    async def test_a_part_url_refuses_other_bytes_and_another_size(self, multipart, send_part, key):
        upload_id = await multipart.create_multipart(key, content_type="application/octet-stream")
        body = os.urandom(1000)
        url, headers = multipart.presign_part(
            key, upload_id, number=1, size=1000, sha256=sha256_b64(body), ttl_seconds=60
        )
        other = bytes([body[0] ^ 1]) + body[1:]
        assert (await send_part(url, headers, other))[0] in (400, 403)
        assert (await send_part(url, headers, body + b"x"))[0] >= 400
        assert await multipart.list_parts(key, upload_id) == []
        assert (await send_part(url, headers, body))[0] == 200
        await multipart.abort_multipart(key, upload_id)

    async def test_completing_with_a_part_not_stored_is_a_mismatch(self, multipart, send_part, key):
        upload_id = await multipart.create_multipart(key, content_type="application/octet-stream")
        body = os.urandom(100)
        status, etag = await self._send(multipart, send_part, key, upload_id, 1, body)
        assert status == 200
        with pytest.raises(UploadMismatch):
            await multipart.complete_multipart(
                key, upload_id, [CompletedPart(1, '"0123456789abcdef"', sha256_b64(body))]
            )
        await multipart.abort_multipart(key, upload_id)

    async def test_an_object_url_refuses_other_bytes_another_size_or_type_and_lists_what_landed(
        self, multipart, send_object, read_object
    ):
        prefix = KEYS.file(new_id(), new_id()) + "/"
        body = os.urandom(3000)
        url, headers = multipart.presign_put(
            prefix + "one", size=len(body), content_type="text/plain", sha256=sha256_b64(body), ttl_seconds=60
        )
        assert await send_object(url, headers, bytes([body[0] ^ 1]) + body[1:]) in (400, 403)
        assert await send_object(url, headers, body + b"x") >= 400
        assert await send_object(url, {**headers, "Content-Type": "text/html"}, body) >= 400
        assert await multipart.list_sizes(prefix, limit=10) == {}
        assert await send_object(url, headers, body) == 200
        assert await read_object(prefix + "one") == body
        assert await multipart.list_sizes(prefix, limit=10) == {prefix + "one": 3000}
        await multipart.delete(prefix + "one")
        assert await multipart.list_sizes(prefix, limit=10) == {}

    async def test_abort_drops_the_upload_and_is_idempotent(self, multipart, send_part, key):
        upload_id = await multipart.create_multipart(key, content_type="application/octet-stream")
        body = os.urandom(10)
        status, etag = await self._send(multipart, send_part, key, upload_id, 1, body)
        await multipart.abort_multipart(key, upload_id)
        await multipart.abort_multipart(key, upload_id)
        assert await multipart.list_parts(key, upload_id) is None
        with pytest.raises(UploadNotFound):
            await multipart.complete_multipart(key, upload_id, [CompletedPart(1, etag, sha256_b64(body))])
        assert await multipart.head(key) is None
