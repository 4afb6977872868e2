"""`python -m scloud_admin backup create|restore` on one server's installation (SQLite databases,
SeaweedFS as S3), run as the operator runs it (the services' settings in the environment): data
made through the services' own use cases and adapters is backed up, the databases and the bucket
are wiped, and the restore brings back every row of every table and every object's bytes."""

import asyncio
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dotenv import dotenv_values

from admin.tests.integration.test_move_round_trip import SqliteEnd, chunks, read_sqlite, seed, sqlite_end
from scloud_admin.__main__ import DONE, EQUAL, REFUSED, main
from scloud_files.adapters.sqlite import SqliteShareLinks
from scloud_files.domain import ItemKind
from scloud_files.domain.share import ShareLink

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
USER_ID = "user-1"
# Over 16 MiB: several parts both when the service stores it and when the restore uploads it.
HUGE = bytes(reversed(range(256))) * (17 * MIB // 256 + 3)
DATABASES = ("auth", "users", "files")


async def add_huge_file_and_share(end: SqliteEnd, seaweed) -> ShareLink:
    drive, stores, _, _ = await end.open(seaweed)
    try:
        videos, _ = await drive.create_folder(USER_ID, name="Videos", parent_id=None)
        huge = await drive.upload_file(
            USER_ID,
            file_name="holiday.mp4",
            content_type="video/mp4",
            chunks=chunks(HUGE),
            parent_id=videos.item_id,
        )
        now = datetime.now(UTC)
        link = ShareLink(
            link_ref=uuid.uuid4().hex,
            token_hash=uuid.uuid4().hex * 2,
            owner_id=USER_ID,
            item_id=huge.item_id,
            item_kind=ItemKind.FILE,
            created_at=now.isoformat(),
            expires_at=(now + timedelta(days=7)).isoformat(),
            forget_at=(now + timedelta(days=37)).isoformat(),
        )
        await SqliteShareLinks(stores[0]).add(link)
        return link
    finally:
        for store in stores:
            await store.close()


async def find_share(end: SqliteEnd, seaweed, token_hash: str) -> ShareLink | None:
    _, stores, _, _ = await end.open(seaweed)
    try:
        return await SqliteShareLinks(stores[0]).find(token_hash)
    finally:
        for store in stores:
            await store.close()


def every_row(end: SqliteEnd) -> dict[str, list[str]]:
    """Each database as SQL text: every table's schema and every row."""
    dumps = {}
    for service in DATABASES:
        connection = sqlite3.connect(end.folder / f"{service}.sqlite")
        try:
            dumps[service] = list(connection.iterdump())
        finally:
            connection.close()
    return dumps


def wipe(end: SqliteEnd, seaweed) -> None:
    """The databases' files gone, and the bucket emptied and deleted (the restore makes it)."""
    for path in end.folder.glob("*.sqlite*"):
        path.unlink()
    client = seaweed.client()
    while keys := [entry["Key"] for entry in client.list_objects_v2(Bucket=end.bucket).get("Contents", [])]:
        client.delete_objects(Bucket=end.bucket, Delete={"Objects": [{"Key": key} for key in keys]})
    client.delete_bucket(Bucket=end.bucket)


@pytest.fixture
def installation(seaweed_s3, tmp_path, monkeypatch) -> tuple[SqliteEnd, str]:
    """A seeded installation, named in this process's environment as the services' would be."""
    end = sqlite_end(tmp_path / "live", seaweed_s3)
    env_file = end.env(seaweed_s3)
    for name, value in dotenv_values(env_file).items():
        monkeypatch.setenv(name, value or "")
    asyncio.run(seed(end, seaweed_s3))
    return end, env_file


def test_a_restore_into_wiped_stores_brings_back_every_row_and_object(installation, seaweed_s3, tmp_path, capsys):
    end, env_file = installation
    link = asyncio.run(add_huge_file_and_share(end, seaweed_s3))
    reference = sqlite_end(tmp_path / "reference", seaweed_s3)
    assert main(["copy", "--from", env_file, "--to", reference.env(seaweed_s3)]) == EQUAL
    seen, rows = asyncio.run(read_sqlite(end, seaweed_s3)), every_row(end)
    assert any(key.startswith("bytes ") and value == HUGE for key, value in seen[0].items())
    archive = tmp_path / "backups" / "scloud.tar"
    archive.parent.mkdir()
    capsys.readouterr()

    assert main(["backup", "create", str(archive)]) == DONE
    assert "3 databases" in capsys.readouterr().out
    assert archive.stat().st_mode & 0o777 == 0o600
    wipe(end, seaweed_s3)
    assert main(["backup", "restore", str(archive)]) == DONE
    assert "restored from" in capsys.readouterr().out

    assert every_row(end) == rows
    assert asyncio.run(read_sqlite(end, seaweed_s3)) == seen
    assert asyncio.run(find_share(end, seaweed_s3, link.token_hash)) == link
    assert main(["verify", "--from", str(reference.env(seaweed_s3)), "--to", env_file]) == EQUAL
    assert "MISMATCH" not in capsys.readouterr().out
    for service in DATABASES:
        assert (end.folder / f"{service}.sqlite").stat().st_mode & 0o777 == 0o600

    assert main(["backup", "restore", str(archive)]) == REFUSED
    assert "holds data" in capsys.readouterr().err
    assert main(["backup", "restore", str(archive), "--force"]) == DONE
    assert every_row(end) == rows


def test_a_corrupt_archive_restores_nothing(installation, seaweed_s3, tmp_path, capsys):
    end, _ = installation
    archive = tmp_path / "scloud.tar"
    assert main(["backup", "create", str(archive)]) == DONE
    wipe(end, seaweed_s3)
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))

    assert main(["backup", "restore", str(archive)]) == 1
    assert "failed:" in capsys.readouterr().err
    assert sorted(path.name for path in Path(end.folder).iterdir()) == ["end.env"]
    assert seaweed_s3.client().list_objects_v2(Bucket=end.bucket).get("KeyCount", 0) == 0
