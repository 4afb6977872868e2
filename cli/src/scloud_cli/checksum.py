"""The SHA-256 checksums the API stores: a whole file's, base64, or for a direct upload in parts
the composite `base64(sha256(part digests concatenated))-<parts>` S3 computes.

A composite names its part count, not its part size: the service records the size with the file
(`checksumPartSize`); for a file stored before it did, the size is found among those that cut the
file into that many parts, the usual ones first (the service's default, boto3's, S3's minimum)."""

import base64
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

MIB = 1024 * 1024
MIN_PART_BYTES = 5 * MIB
MAX_PARTS = 10_000
READ_BYTES = MIB
COMMON_PART_MIB = (16, 8, 5, 10, 32, 64, 100, 128, 256, 512)
MAX_CANDIDATES = 32


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def composite(part_digests_b64: Iterable[str]) -> str:
    """The checksum S3 records for a multipart object from its parts' SHA-256 (base64)."""
    digests = [base64.b64decode(digest) for digest in part_digests_b64]
    return f"{base64.b64encode(hashlib.sha256(b''.join(digests)).digest()).decode()}-{len(digests)}"


def part_count_of(checksum: str) -> int | None:
    """The part count a composite checksum names; None for a whole file's checksum."""
    _, dash, count = checksum.rpartition("-")
    return int(count) if dash and count.isdigit() else None


def candidate_part_sizes(size: int, parts: int) -> list[int]:
    """Part sizes that cut `size` bytes into exactly `parts` parts, likeliest first."""

    def fits(part_size: int) -> bool:
        return part_size >= MIN_PART_BYTES and (parts - 1) * part_size < size <= parts * part_size

    if parts == 1:
        return [max(size, 1)]
    ordered = [mib * MIB for mib in COMMON_PART_MIB]
    low, high = -(-size // parts), (size - 1) // (parts - 1)
    ordered += [mib * MIB for mib in range(max(low // MIB, 1), high // MIB + 1)]
    ordered += [low, -(-size // MAX_PARTS)]
    found: list[int] = []
    for part_size in ordered:
        if fits(part_size) and part_size not in found:
            found.append(part_size)
    return found[:MAX_CANDIDATES]


def file_part_digests(path: Path, part_size: int) -> list[str]:
    digests = []
    with open(path, "rb") as source:
        while True:
            hasher = hashlib.sha256()
            left = part_size
            while left > 0 and (block := source.read(min(READ_BYTES, left))):
                hasher.update(block)
                left -= len(block)
            if left == part_size:
                break
            digests.append(base64.b64encode(hasher.digest()).decode())
    return digests or [sha256_b64(b"")]


def file_sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as source:
        while block := source.read(READ_BYTES):
            hasher.update(block)
    return base64.b64encode(hasher.digest()).decode()


def file_matches(path: Path, expected: str, *, part_size: int | None = None) -> bool:
    """Whether the file's bytes have the stored checksum `expected`, in either form: a composite
    over parts of `part_size`, or of a likely size when the service did not record one."""
    parts = part_count_of(expected)
    if parts is None:
        return file_sha256(path) == expected
    if part_size is not None:
        return composite(file_part_digests(path, part_size)) == expected
    size = os.path.getsize(path)
    return any(
        composite(file_part_digests(path, candidate)) == expected for candidate in candidate_part_sizes(size, parts)
    )
