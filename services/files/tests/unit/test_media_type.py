"""Each upload's type for people, from its name and first bytes, and its own modified time."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.domain import detect_media_type
from scloud_files.drive.use_cases import build_drive

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40


def a_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("report.csv", b"a,b\n1,2\n", "text/csv"),
        ("notes.md", b"# Title\n", "text/markdown"),
        ("NOTES.MARKDOWN", b"", "text/markdown"),
        ("letter.docx", a_zip(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("sheet.xlsx", a_zip()[:64], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("bundle.zip", a_zip(), "application/zip"),
        ("no extension", a_zip(), "application/zip"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", PNG, "image/png"),
        ("scan", b"%PDF-1.7\n", "application/pdf"),
        ("data.bin", b"\x00\x01\x02", "application/octet-stream"),
        ("empty", b"", "application/octet-stream"),
        ("readme.txt", b"<html>not really</html>", "text/plain"),
    ],
)
def test_the_type_comes_from_the_content_where_it_tells_else_from_the_name(name, head, expected):
    assert detect_media_type(name, head) == expected


@pytest.fixture
def drive():
    return build_drive(
        InMemoryFileRepository(),
        InMemoryBlobStore(),
        max_upload_bytes=10_000,
        download_url_ttl_seconds=60,
        now=lambda: NOW,
    )


async def upload(drive, name, content, modified_at=None):
    async def chunks():
        for start in range(0, len(content), 3):
            yield content[start : start + 3]

    return await drive.upload_file(
        "alice", file_name=name, content_type="application/octet-stream", chunks=chunks(), modified_at=modified_at
    )


async def test_an_upload_records_its_detected_type_apart_from_the_served_one(drive):
    stored = await upload(drive, "photo", PNG)
    assert (stored.media_type, stored.content_type) == ("image/png", "application/octet-stream")
    assert (await drive.get_file("alice", stored.item_id)).media_type == "image/png"


async def test_an_upload_keeps_its_own_modified_time_never_later_than_now(drive):
    own = await upload(drive, "a.txt", b"x", modified_at=datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC))
    assert (own.created_at, own.modified_at) == ("2026-11-25T09:30:00+00:00", "2024-02-29T23:59:59+00:00")
    later = await upload(drive, "b.txt", b"x", modified_at=NOW + timedelta(days=3))
    assert later.modified_at == "2026-11-25T09:30:00+00:00"
    default = await upload(drive, "c.txt", b"x")
    assert default.modified_at == default.created_at
