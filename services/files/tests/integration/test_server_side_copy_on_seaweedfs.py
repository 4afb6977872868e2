"""A copy's bytes never pass through the service: on SeaweedFS, a multipart object above the
single-copy limit is copied part by part with UploadPartCopy, and this process reads and writes
a small fraction of its size meanwhile (its own I/O counters, /proc/self/io).

The object is 500 MiB (issue #19's figure), made and checked a MiB at a time so the test never
holds it; with the single-copy limit lowered to 64 MiB, parts of 64 MiB make it eight copies."""

import hashlib
import math
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from scloud_files.adapters.s3 import S3BlobStore
from services.files.tests.integration.test_s3_blob_store import chunks_of
from services.files.tests.integration.test_s3_blob_store_on_seaweedfs import s3, settings  # noqa: F401  fixtures

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
SIZE = 500 * MIB
COPY_PART = 64 * MIB
PROC_IO = Path("/proc/self/io")


def io_bytes() -> tuple[int, int]:
    """Bytes this process read and wrote through any descriptor, sockets included."""
    counters = dict(line.split(": ") for line in PROC_IO.read_text().splitlines())
    return int(counters["rchar"]), int(counters["wchar"])


class RandomBytes:
    """SIZE random bytes a MiB at a time, hashed as they go."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()

    async def chunks(self) -> AsyncIterator[bytes]:
        for _ in range(SIZE // MIB):
            chunk = os.urandom(MIB)
            self.digest.update(chunk)
            yield chunk


@pytest.mark.skipif(not PROC_IO.exists(), reason="needs Linux's /proc/self/io")
async def test_a_large_copy_is_done_by_part_copies_inside_the_store(settings, s3):  # noqa: F811
    store = S3BlobStore(
        s3, settings.s3_bucket, part_bytes=16 * MIB, single_copy_max_bytes=COPY_PART, copy_part_bytes=COPY_PART
    )
    content = RandomBytes()
    await store.put("users/u/big", content.chunks(), content_type="video/mp4")
    part_copies: list[int] = []
    s3.meta.events.register("before-call.s3.UploadPartCopy", lambda **_: part_copies.append(1))

    read_before, written_before = io_bytes()
    await store.copy("users/u/big", "users/u/copy", size=SIZE)
    read_after, written_after = io_bytes()

    assert len(part_copies) == math.ceil(SIZE / COPY_PART)
    # Requests and answers of a few KiB each; a byte-streaming copy would be 500 MiB each way.
    assert read_after - read_before < 4 * MIB
    assert written_after - written_before < 4 * MIB
    copied = s3.get_object(Bucket=settings.s3_bucket, Key="users/u/copy")
    assert (copied["ContentType"], copied["ServerSideEncryption"], copied["ContentLength"]) == (
        "video/mp4",
        "AES256",
        SIZE,
    )
    digest = hashlib.sha256()
    for chunk in copied["Body"].iter_chunks(MIB):
        digest.update(chunk)
    assert digest.hexdigest() == content.digest.hexdigest()
    s3.delete_object(Bucket=settings.s3_bucket, Key="users/u/big")
    s3.delete_object(Bucket=settings.s3_bucket, Key="users/u/copy")


async def test_a_copy_within_the_single_copy_limit_is_one_request(settings, s3):  # noqa: F811
    store = S3BlobStore(s3, settings.s3_bucket, part_bytes=16 * MIB)
    await store.put("users/u/small", chunks_of(b"hello"), content_type="text/plain")
    calls: list[str] = []
    s3.meta.events.register("before-call.s3", lambda model, **_: calls.append(model.name))
    await store.copy("users/u/small", "users/u/small-copy", size=5)
    assert calls == ["CopyObject"]
    assert s3.get_object(Bucket=settings.s3_bucket, Key="users/u/small-copy")["Body"].read() == b"hello"
