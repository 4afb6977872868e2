"""In-memory implementations of the direct-upload ports, for unit tests: the pending uploads, and
S3's multipart side, whose presigned part URLs a test uses with `send_part` as a browser would."""

import base64
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit

from scloud_files.adapters.in_memory import InMemoryBlobStore
from scloud_files.domain import (
    CompletedPart,
    ObjectHead,
    PendingUpload,
    StoredPart,
    TooManyUploads,
    UploadMismatch,
    UploadNotFound,
    full_object_sha256,
)

if TYPE_CHECKING:
    from scloud_files.ports import MultipartStore, PendingUploadStore

CHECKSUM_HEADER = "x-amz-checksum-sha256"


class InMemoryPendingUploads:
    def __init__(self) -> None:
        self.uploads: dict[tuple[str, str], PendingUpload] = {}

    async def add(self, upload: PendingUpload, *, max_per_user: int) -> None:
        held = (each for (owner, _), each in self.uploads.items() if owner == upload.user_id)
        if sum(1 for each in held if not each.is_settled) >= max_per_user:
            raise TooManyUploads()
        self.uploads[(upload.user_id, upload.upload_id)] = upload

    async def get(self, user_id: str, upload_id: str) -> PendingUpload | None:
        return self.uploads.get((user_id, upload_id))

    async def of_user(self, user_id: str, *, limit: int) -> list[PendingUpload]:
        held = sorted((upload for (owner, _), upload in self.uploads.items() if owner == user_id), key=_upload_id)
        return held[:limit]

    async def remove(self, upload: PendingUpload) -> None:
        self.uploads.pop((upload.user_id, upload.upload_id), None)

    async def settle(self, batch: PendingUpload, settled: PendingUpload) -> None:
        if (batch.user_id, batch.upload_id) in self.uploads:
            self.uploads[(batch.user_id, batch.upload_id)] = replace(settled, size=0)

    async def reserved_bytes(self, user_id: str) -> int:
        return sum(upload.size for (owner, _), upload in self.uploads.items() if owner == user_id)

    async def expired(self, now: str, *, limit: int) -> list[PendingUpload]:
        due = sorted((upload for upload in self.uploads.values() if upload.expires_at <= now), key=_expiry)
        return due[:limit]


def _upload_id(upload: PendingUpload) -> str:
    return upload.upload_id


def _expiry(upload: PendingUpload) -> str:
    return upload.expires_at


@dataclass
class _Multipart:
    key: str
    content_type: str
    # number -> (bytes, sha256, etag)
    parts: dict[int, tuple[bytes, str, str]] = field(default_factory=dict)


class InMemoryMultipartStore:
    """Completed objects land in `blob_store`, with their checksum in `checksums`."""

    def __init__(self, blob_store: InMemoryBlobStore, *, clock: Callable[[], float] = time.time) -> None:
        self.blob_store = blob_store
        self.uploads: dict[str, _Multipart] = {}
        self.checksums: dict[str, str] = {}
        self.aborted: list[str] = []
        self._clock = clock
        self._next_id = 0

    async def create_multipart(self, key: str, *, content_type: str) -> str:
        self._next_id += 1
        upload_id = f"multipart-{self._next_id}"
        self.uploads[upload_id] = _Multipart(key, content_type)
        return upload_id

    def presign_part(
        self, key: str, upload_id: str, *, number: int, size: int, sha256: str, ttl_seconds: int
    ) -> tuple[str, dict[str, str]]:
        query = urlencode(
            {"uploadId": upload_id, "partNumber": number, "size": size, "expires": self._clock() + ttl_seconds}
        )
        return f"memory://blobs/{key}?{query}", {CHECKSUM_HEADER: sha256}

    def send_part(self, url: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        """What S3 answers a PUT of `body` with `headers` to a presigned part URL: (status, ETag).
        Like S3, it refuses an expired URL (403), another size (403: the length is signed) and
        bytes that do not match the signed checksum (400)."""
        query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
        upload = self.uploads.get(query["uploadId"])
        if float(query["expires"]) < self._clock() or len(body) != int(query["size"]):
            return 403, ""
        if upload is None:
            return 404, ""
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        if headers.get(CHECKSUM_HEADER) != digest:
            return 400, ""
        etag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
        upload.parts[int(query["partNumber"])] = (body, digest, etag)
        return 200, etag

    async def list_parts(self, key: str, upload_id: str) -> list[StoredPart] | None:
        upload = self.uploads.get(upload_id)
        if upload is None:
            return None
        return [StoredPart(number, len(body), etag) for number, (body, _, etag) in sorted(upload.parts.items())]

    async def complete_multipart(self, key: str, upload_id: str, parts: list[CompletedPart]) -> None:
        upload = self.uploads.get(upload_id)
        if upload is None:
            raise UploadNotFound()
        for part in parts:
            stored = upload.parts.get(part.number)
            if stored is None or (stored[2], stored[1]) != (part.etag, part.sha256):
                raise UploadMismatch()
        content = b"".join(upload.parts[part.number][0] for part in parts)
        self.blob_store.objects[key] = (content, upload.content_type)
        self.blob_store.stored_at[key] = datetime.now(UTC).isoformat(timespec="seconds")
        (composite,) = (
            value for value in full_object_sha256([part.sha256 for part in parts]) if value.endswith(f"-{len(parts)}")
        )
        self.checksums[key] = composite
        del self.uploads[upload_id]

    async def head(self, key: str) -> ObjectHead | None:
        stored = self.blob_store.objects.get(key)
        return None if stored is None else ObjectHead(len(stored[0]), self.checksums.get(key))

    def presign_put(
        self, key: str, *, size: int, content_type: str, sha256: str, ttl_seconds: int
    ) -> tuple[str, dict[str, str]]:
        query = urlencode({"size": size, "type": content_type, "expires": self._clock() + ttl_seconds})
        return f"memory://blobs/{key}?{query}", {"Content-Type": content_type, CHECKSUM_HEADER: sha256}

    def send_object(self, url: str, headers: dict[str, str], body: bytes) -> int:
        """What S3 answers a PUT of `body` with `headers` to a presigned object URL: like S3, 403
        for an expired URL, another size or another content type (all signed), 400 for bytes that
        do not match the signed checksum."""
        parts = urlsplit(url)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        if (
            float(query["expires"]) < self._clock()
            or len(body) != int(query["size"])
            or headers.get("Content-Type") != query["type"]
        ):
            return 403
        if headers.get(CHECKSUM_HEADER) != base64.b64encode(hashlib.sha256(body).digest()).decode():
            return 400
        key = parts.path.removeprefix("/")
        self.blob_store.objects[key] = (body, query["type"])
        self.blob_store.stored_at[key] = datetime.now(UTC).isoformat(timespec="seconds")
        self.checksums[key] = headers[CHECKSUM_HEADER]
        return 200

    async def list_sizes(self, prefix: str, *, limit: int) -> dict[str, int]:
        keys = sorted(key for key in self.blob_store.objects if key.startswith(prefix))[:limit]
        return {key: len(self.blob_store.objects[key][0]) for key in keys}

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        if self.uploads.pop(upload_id, None) is not None:
            self.aborted.append(upload_id)

    async def delete(self, key: str) -> None:
        await self.blob_store.delete(key)
        self.checksums.pop(key, None)


if TYPE_CHECKING:
    _pending: PendingUploadStore = InMemoryPendingUploads()
    _multipart: MultipartStore = InMemoryMultipartStore(InMemoryBlobStore())
