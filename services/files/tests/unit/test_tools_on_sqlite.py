"""The files command-line tools (migrate_folders, repair_usage, purge_trash) work on the service's
SQLite database, opened through the bootstrap's `open_repository` or `open_stores` and closed
again, without a DynamoDB client."""

import asyncio
import sqlite3
from contextlib import closing
from datetime import timedelta

import pytest

from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.in_memory import InMemoryBlobStore
from scloud_files.adapters.in_memory_share import FastPasswordHasher, InMemoryUserDirectory
from scloud_files.bootstrap import open_repository, open_stores
from scloud_files.config import FilesStorageSettings
from scloud_files.domain import ItemKind, OnConflict, SortField, StorageUsage, link_hash
from scloud_files.domain.star import Star
from scloud_files.drive.share_link import ShareLimits
from scloud_files.drive.use_cases import SharingPorts, build_drive
from scloud_files.migrate_folders import migrate
from scloud_files.ports import AccountProfile
from scloud_files.purge_trash import purge_store
from scloud_files.repair_usage import repair_store
from services.files.tests.contracts.grant_ports import a_grant
from services.files.tests.contracts.request_ports import a_request
from services.files.tests.doubles import Clock, chunks_of


@pytest.fixture
def settings(tmp_path) -> FilesStorageSettings:
    return FilesStorageSettings(
        aws_endpoint_url="http://127.0.0.1:9", s3_bucket="unused", store="sqlite", sqlite_path=tmp_path / "files.db"
    )


async def upload(settings: FilesStorageSettings, user_id: str, *sizes: int) -> None:
    async with open_repository(settings) as repository:
        drive = build_drive(repository, InMemoryBlobStore(), max_upload_bytes=1000, download_url_ttl_seconds=60)
        for index, size in enumerate(sizes):
            await drive.upload_file(
                user_id, file_name=f"f{index}.txt", content_type="text/plain", chunks=chunks_of(b"x" * size)
            )


def sql(settings: FilesStorageSettings, statement: str, *params: object) -> None:
    with closing(sqlite3.connect(settings.sqlite_database())) as connection, connection:
        connection.execute(statement, params)


def test_repair_usage_recounts_drifted_totals_in_the_database(settings, no_outside_clients):
    asyncio.run(upload(settings, "alice", 3, 4))
    asyncio.run(upload(settings, "bob", 5))
    sql(settings, "UPDATE accounts SET bytes_used = 0, file_count = 0")

    assert asyncio.run(repair_store(settings, ["alice"])) == {"alice": StorageUsage(7, 2)}
    assert asyncio.run(repair_store(settings, None)) == {"alice": StorageUsage(7, 2), "bob": StorageUsage(5, 1)}


def test_migrate_folders_files_unfiled_records_into_the_root_once(settings, no_outside_clients):
    asyncio.run(upload(settings, "alice", 3))
    sql(settings, "UPDATE accounts SET bytes_used = bytes_used + 2, file_count = file_count + 1")
    sql(
        settings,
        "INSERT INTO unfiled_files (user_id, file_id, file_name, file_size, content_type, upload_date, object_key) "
        "VALUES ('alice', 'old', 'f0.txt', 2, 'text/plain', '2024-01-01T00:00:00+00:00', 'users/alice/old')",
    )

    assert migrate(settings) == 1
    assert migrate(settings) == 0

    async def names() -> list[str]:
        async with open_repository(settings) as repository:
            drive = build_drive(repository, InMemoryBlobStore(), max_upload_bytes=1000, download_url_ttl_seconds=60)
            page = await drive.list_children(
                "alice", None, sort=SortField.NAME, descending=False, kinds=list(ItemKind), limit=10, cursor=None
            )
            return [item.name for item in page.items]

    assert asyncio.run(names()) == ["f0 (1).txt", "f0.txt"]


def test_open_repository_closes_the_database_on_the_way_out(settings, monkeypatch):
    closed: list[object] = []
    close = SqliteStore.close

    async def recording_close(store: SqliteStore) -> None:
        closed.append(store.path)
        await close(store)

    monkeypatch.setattr(SqliteStore, "close", recording_close)

    async def open_and_fail() -> None:
        async with open_repository(settings):
            raise RuntimeError("the tool failed")

    with pytest.raises(RuntimeError, match="the tool failed"):
        asyncio.run(open_and_fail())
    assert closed == [settings.sqlite_database()]


def test_the_purge_tool_deletes_the_links_of_what_it_purges(settings, no_outside_clients):
    blob_store = InMemoryBlobStore()
    users = InMemoryUserDirectory({"alice": AccountProfile(True, "Alice")})

    async def share_then_delete_forever() -> tuple[str, str]:
        async with open_stores(settings) as (repository, links, _, _, _):
            sharing = SharingPorts(links, users, FastPasswordHasher(), ShareLimits())
            drive = build_drive(
                repository, blob_store, max_upload_bytes=1000, download_url_ttl_seconds=60, sharing=sharing
            )
            gone = await drive.upload_file("alice", file_name="gone.txt", content_type=None, chunks=chunks_of(b"x"))
            kept = await drive.upload_file("alice", file_name="kept.txt", content_type=None, chunks=chunks_of(b"y"))
            _, gone_link = await drive.sharing.create("alice", gone.item_id)
            _, kept_link = await drive.sharing.create("alice", kept.item_id)
            await drive.trash_item("alice", gone.item_id, kind=None)
            assert await drive.empty_trash("alice") == 1
            return gone_link, kept_link

    async def links_left(*link_ids: str) -> tuple[list[bool], int]:
        """Whether each link is still found, and how many the owner's index lists."""
        async with open_stores(settings) as (_, links, _, _, _):
            owned, _ = await links.list_owned("alice", limit=10, after_ref=None)
            return [await links.find(link_hash(link_id)) is not None for link_id in link_ids], len(owned)

    gone_link, kept_link = asyncio.run(share_then_delete_forever())
    assert asyncio.run(links_left(gone_link, kept_link)) == ([True, True], 2)

    assert asyncio.run(purge_store(settings, blob_store=blob_store)) == 1
    assert asyncio.run(links_left(gone_link, kept_link)) == ([False, True], 1)


def test_the_purge_tool_deletes_the_requests_grants_and_stars_of_what_it_purges(settings, no_outside_clients):
    """Regression: the tool (and `scloud-admin purge run`, built on it) purged items but left their
    file requests and people's grants behind, unlike the service's own purge. Stars go too."""
    blob_store = InMemoryBlobStore()

    async def folder_with_a_request_and_a_grant_then_deleted_forever() -> str:
        async with open_stores(settings) as stores:
            drive = build_drive(stores.repository, blob_store, max_upload_bytes=1000, download_url_ttl_seconds=60)
            folder, _ = await drive.create_folder("alice", name="Holiday", parent_id=None)
            await stores.requests.add(a_request(owner_id="alice", folder_id=folder.item_id))
            await stores.grants.add(a_grant(owner_id="alice", item_id=folder.item_id))
            await stores.stars.star(Star("alice", folder.item_id, "2026-11-25T09:30:00+00:00"))
            await drive.trash_item("alice", folder.item_id, kind=None)
            assert await drive.empty_trash("alice") == 1
            return folder.item_id

    async def attached(folder_id: str) -> tuple[int, int, int]:
        async with open_stores(settings) as stores:
            requests, _ = await stores.requests.list_owned("alice", limit=10, after_ref=None)
            people = await stores.grants.people_on("alice", folder_id)
            return len(requests), len(people), len(await stores.stars.starred_items("alice", [folder_id]))

    folder_id = asyncio.run(folder_with_a_request_and_a_grant_then_deleted_forever())
    assert asyncio.run(attached(folder_id)) == (1, 1, 1)

    assert asyncio.run(purge_store(settings, blob_store=blob_store)) == 1

    assert asyncio.run(attached(folder_id)) == (0, 0, 0)


def test_the_purge_tool_removes_the_versions_of_what_it_purges_and_those_past_retention(settings, no_outside_clients):
    blob_store = InMemoryBlobStore()
    clock = Clock()

    async def files_with_versions() -> tuple[str, str]:
        async with open_stores(settings) as stores:
            drive = build_drive(
                stores.repository, blob_store, max_upload_bytes=1000, download_url_ttl_seconds=60, now=clock
            )
            for content in (b"a1", b"a2", b"a3"):
                gone = await drive.upload_file(
                    "alice",
                    file_name="a.txt",
                    content_type=None,
                    chunks=chunks_of(content),
                    on_conflict=OnConflict.REPLACE,
                )
            clock.now += timedelta(days=1)
            for content in (b"b1", b"b2"):
                kept = await drive.upload_file(
                    "alice",
                    file_name="b.txt",
                    content_type=None,
                    chunks=chunks_of(content),
                    on_conflict=OnConflict.REPLACE,
                )
            await drive.trash_item("alice", gone.item_id, kind=None)
            assert await drive.empty_trash("alice") == 1
            return gone.item_id, kept.item_id

    async def versions_of(file_id: str) -> int:
        async with open_stores(settings) as stores:
            return len(await stores.repository.list_versions("alice", file_id))

    gone_id, kept_id = asyncio.run(files_with_versions())
    assert (asyncio.run(versions_of(gone_id)), asyncio.run(versions_of(kept_id))) == (2, 1)
    asyncio.run(purge_store(settings, blob_store=blob_store, now=clock))
    assert (asyncio.run(versions_of(gone_id)), asyncio.run(versions_of(kept_id))) == (0, 1)
    assert {b"".join(blob_store.read_blocking(key)) for key in blob_store.objects} == {b"b1", b"b2"}
    clock.now += timedelta(days=31)
    asyncio.run(purge_store(settings, blob_store=blob_store, now=clock))
    assert asyncio.run(versions_of(kept_id)) == 0 and len(blob_store.objects) == 1
