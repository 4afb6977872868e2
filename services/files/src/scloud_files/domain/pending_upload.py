"""A direct upload in progress: the browser sends the bytes to S3 in parts over presigned URLs,
and the service records the file when S3 holds them all. What the service keeps of it until
then, how the file is cut into parts, and the checksum S3 gives the whole object."""

import base64
import binascii
import hashlib
import json
import math
from dataclasses import dataclass

from scloud_files.domain.name import OnConflict

MIB = 1024 * 1024
# S3's bounds: every part but the last at least 5 MiB, at most 5 GiB, at most 10,000 parts.
MIN_PART_BYTES = 5 * MIB
MAX_PART_BYTES = 5 * 1024 * MIB
MAX_PARTS = 10_000
SHA256_BYTES = 32


@dataclass(frozen=True)
class PartLayout:
    """How `size` bytes are cut: parts of `part_size`, the last one what is left."""

    size: int
    part_size: int

    @classmethod
    def choose(cls, size: int, wanted: int | None, *, default: int) -> "PartLayout":
        """The part size the browser asked for (or the default), moved into S3's bounds and made
        large enough that the file needs at most 10,000 parts."""
        part_size = min(max(wanted or default, MIN_PART_BYTES, math.ceil(size / MAX_PARTS)), MAX_PART_BYTES)
        return cls(size, part_size)

    @property
    def part_count(self) -> int:
        return max(1, math.ceil(self.size / self.part_size))

    def size_of(self, number: int) -> int | None:
        """The size part `number` must have; None for a number outside the upload."""
        if not 1 <= number <= self.part_count:
            return None
        return self.part_size if number < self.part_count else self.size - (self.part_count - 1) * self.part_size


@dataclass(frozen=True)
class PendingUpload:
    """What the service keeps of an upload in progress. `upload_id` is also the id the file will
    have, and names its object (`object_key`); `s3_upload_id` is S3's multipart upload."""

    upload_id: str
    user_id: str
    s3_upload_id: str
    object_key: str
    name: str
    size: int
    part_size: int
    content_type: str
    parent_id: str | None
    on_conflict: OnConflict
    modified_at: str | None
    created_at: str
    expires_at: str
    # A batch of small files (drive/batch_upload.py) rather than one multipart upload: its files,
    # each a single PutObject under `object_key` (the batch's prefix); `size` is their sum.
    batch_files: tuple["BatchFile", ...] = ()
    # A visitor's upload through a file request (its `request_ref`): only that request's routes
    # reach it, and its completion counts against the request's limits.
    request_ref: str | None = None
    # An editor's upload into a folder shared with them (drive/share_upload.py): the shared item
    # and the editor, so that only that editor's routes on that share reach it.
    share_ref: str | None = None

    @property
    def layout(self) -> PartLayout:
        return PartLayout(self.size, self.part_size)

    @property
    def is_batch(self) -> bool:
        return bool(self.batch_files)

    @property
    def is_settled(self) -> bool:
        """A completed batch kept for its answer: every file carries its outcome."""
        return self.is_batch and all(f.outcome is not None for f in self.batch_files)


@dataclass(frozen=True)
class BatchFile:
    """A file of a batch as declared: its id (also its object's last key segment), name, size,
    stored media type, SHA-256 (base64) and own modification time."""

    file_id: str
    name: str
    size: int
    content_type: str
    sha256: str
    modified_at: str | None
    # Once the batch is completed: `recorded`, `missing` or `refused`, and the refusal's code.
    outcome: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class StoredPart:
    """A part S3 holds: its number, size and ETag."""

    number: int
    size: int
    etag: str


@dataclass(frozen=True)
class CompletedPart:
    """A part as the browser names it to complete: its ETag from S3 and its SHA-256 (base64)."""

    number: int
    etag: str
    sha256: str


@dataclass(frozen=True)
class ObjectHead:
    """An object's real size and full-object SHA-256 checksum as S3 reports them."""

    size: int
    sha256: str | None


def is_sha256(value: str) -> bool:
    """Whether `value` is the base64 of a 32-byte digest."""
    try:
        return len(base64.b64decode(value, validate=True)) == SHA256_BYTES
    except (binascii.Error, ValueError):
        return False


def full_object_sha256(part_digests: list[str]) -> set[str]:
    """The checksums S3 may report for an object completed from parts with these SHA-256
    digests (base64): the composite, SHA-256 of the digests one after the other then
    `-<number of parts>`; for one part, also that part's own digest (a store may give it plain)."""
    digests = b"".join(base64.b64decode(digest) for digest in part_digests)
    composite = f"{base64.b64encode(hashlib.sha256(digests).digest()).decode()}-{len(part_digests)}"
    return {composite, *part_digests} if len(part_digests) == 1 else {composite}


def encode_batch_files(files: tuple[BatchFile, ...]) -> str | None:
    """The batch's files as the stores keep them (one JSON text); None for a multipart upload."""
    if not files:
        return None
    return json.dumps(
        [[f.file_id, f.name, f.size, f.content_type, f.sha256, f.modified_at, f.outcome, f.error] for f in files]
    )


def decode_batch_files(text: str | None) -> tuple[BatchFile, ...]:
    if not text:
        return ()
    return tuple(BatchFile(*fields) for fields in json.loads(text))
