"""A copy's bytes never pass through the service: on SeaweedFS, a multipart object above the
single-copy limit is copied part by part with UploadPartCopy, and this process reads and writes
a small fraction of its size meanwhile (its own I/O counters, /proc/self/io).

The object is 48 MiB with the single-copy limit lowered to 8 MiB (issue #19 asks 500 MiB: the
same path, kept small for a shared machine's disk and time); parts of 8 MiB make it six copies."""

import os
from pathlib import Path

import pytest

from scloud_files.adapters.s3 import S3BlobStore
from services.files.tests.integration.test_s3_blob_store import chunks_of
from services.files.tests.integration.test_s3_blob_store_on_seaweedfs import s3, settings  # noqa: F401  fixtures

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
SIZE = 48 * MIB
PROC_IO = Path("/proc/self/io")


def io_bytes() -> tuple[int, int]:
    """Bytes this process read and wrote through any descriptor, sockets included."""
    counters = dict(line.split(": ") for line in PROC_IO.read_text().splitlines())
    return int(counters["rchar"]), int(counters["wchar"])


@pytest.mark.skipif(not PROC_IO.exists(), reason="needs Linux's /proc/self/io")
async def test_a_large_copy_is_done_by_part_copies_inside_the_store(settings, s3):  # noqa: F811
    store = S3BlobStore(
        s3, settings.s3_bucket, part_bytes=16 * MIB, single_copy_max_bytes=8 * MIB, copy_part_bytes=8 * MIB
    )
    content = os.urandom(SIZE)
    await store.put("users/u/big", chunks_of(content, size=MIB), content_type="video/mp4")
    part_copies: list[int] = []
    s3.meta.events.register("before-call.s3.UploadPartCopy", lambda **_: part_copies.append(1))

    read_before, written_before = io_bytes()
    await store.copy("users/u/big", "users/u/copy", size=SIZE)
    read_after, written_after = io_bytes()

    assert len(part_copies) == SIZE // (8 * MIB)
    # Requests and answers of a few KiB each; a byte-streaming copy would be 48 MiB each way.
    assert read_after - read_before < SIZE // 16
    assert written_after - written_before < SIZE // 16
    copied = s3.get_object(Bucket=settings.s3_bucket, Key="users/u/copy")
    assert (copied["ContentType"], copied["ServerSideEncryption"], copied["ContentLength"]) == (
        "video/mp4",
        "AES256",
        SIZE,
    )
    assert copied["Body"].read() == content


async def test_a_copy_within_the_single_copy_limit_is_one_request(settings, s3):  # noqa: F811
    store = S3BlobStore(s3, settings.s3_bucket, part_bytes=16 * MIB)
    await store.put("users/u/small", chunks_of(b"hello"), content_type="text/plain")
    calls: list[str] = []
    s3.meta.events.register("before-call.s3", lambda model, **_: calls.append(model.name))
    await store.copy("users/u/small", "users/u/small-copy", size=5)
    assert calls == ["CopyObject"]
    assert s3.get_object(Bucket=settings.s3_bucket, Key="users/u/small-copy")["Body"].read() == b"hello"
