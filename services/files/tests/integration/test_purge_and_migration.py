"""The trash purge (`scloud_files.purge_trash`) with an injected clock, and the migration of the
flat list into the root (`scloud_files.migrate_folders`), on moto's S3 and DynamoDB."""

import asyncio
from datetime import timedelta

import pytest

from scloud_files.adapters.dynamodb import USAGE_SORT_KEY, DynamoDbFileRepository, legacy_file_record
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.domain import ItemKind, ObjectKeys, SortField, StorageUsage, UnfiledFile
from scloud_files.drive.purge import purge_all_due
from scloud_files.drive.use_cases import build_drive
from scloud_files.migrate_folders import migrate
from services.files.tests.doubles import Clock, chunks_of

KEYS = ObjectKeys.for_development()

pytestmark = pytest.mark.integration


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def service(settings, dynamodb, s3, clock):
    return build_drive(
        repository=DynamoDbFileRepository(dynamodb, settings.files_table),
        blob_store=S3BlobStore(s3, settings.s3_bucket, part_bytes=5 * 1024 * 1024),
        max_upload_bytes=1000,
        download_url_ttl_seconds=60,
        trash_retention_days=30,
        now=clock,
    )


def object_keys(s3, settings):
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=settings.s3_bucket).get("Contents", []))


def rows(dynamodb, settings, user_id="alice"):
    items = dynamodb.query(
        TableName=settings.files_table,
        KeyConditionExpression="userId = :user",
        ExpressionAttributeValues={":user": {"S": user_id}},
    )["Items"]
    return sorted(item["fileId"]["S"] for item in items)


async def test_trash_is_purged_when_its_retention_is_over_bytes_rows_and_usage(service, clock, s3, dynamodb, settings):
    folder, _ = await service.create_folder("alice", name="Old", parent_id=None)
    sub, _ = await service.create_folder("alice", name="Sub", parent_id=folder.item_id)
    deep = await service.upload_file(
        "alice", file_name="deep.txt", content_type=None, chunks=chunks_of(b"1234567"), parent_id=sub.item_id
    )
    kept = await service.upload_file("alice", file_name="kept.txt", content_type=None, chunks=chunks_of(b"123"))
    await service.trash_item("alice", folder.item_id, kind=ItemKind.FOLDER)
    clock.now += timedelta(days=10)
    loose = await service.upload_file("alice", file_name="loose.txt", content_type=None, chunks=chunks_of(b"12345"))
    await service.trash_item("alice", loose.item_id, kind=ItemKind.FILE)
    # The trash's share counts the file trashed itself, not what the trashed folder holds.
    assert await service.get_storage_usage("alice") == StorageUsage(15, 3, trash_bytes=5)

    clock.now += timedelta(days=20) - timedelta(seconds=1)
    assert await purge_all_due(service.purge_due) == 0
    clock.now += timedelta(seconds=1)
    assert await purge_all_due(service.purge_due) == 1
    assert object_keys(s3, settings) == sorted([kept.object_key, loose.object_key])
    assert deep.object_key not in object_keys(s3, settings)
    assert await service.get_storage_usage("alice") == StorageUsage(8, 2, trash_bytes=5)
    assert [item.name for item in (await service.list_trash("alice", limit=10, cursor=None)).items] == ["loose.txt"]

    clock.now += timedelta(days=10)
    assert await purge_all_due(service.purge_due) == 1
    assert object_keys(s3, settings) == [kept.object_key]
    assert await service.get_storage_usage("alice") == StorageUsage(3, 1)
    # What is left: the totals, the kept file and its name guard.
    assert rows(dynamodb, settings) == sorted([USAGE_SORT_KEY, kept.item_id, "#name#root#kept.txt"])


def test_the_migration_files_the_flat_list_into_the_root_once(settings, dynamodb):
    table = settings.files_table
    legacy = []
    for user_id, name in (("alice", "same.txt"), ("alice", "Same.txt"), ("alice", "other.txt"), ("bob", "same.txt")):
        file_id = f"01J{len(legacy):023d}"
        legacy.append(
            UnfiledFile(
                file_id, user_id, name, 4, "text/plain", "2026-01-01T00:00:00+00:00", KEYS.file(user_id, file_id)
            )
        )
        dynamodb.put_item(TableName=table, Item=legacy_file_record(legacy[-1]))
    assert migrate(settings) == 4
    assert migrate(settings) == 0
    repository = DynamoDbFileRepository(dynamodb, table)

    async def root_names(user_id):
        items, _ = await repository.list_children(
            user_id,
            None,
            sort=SortField.NAME,
            descending=False,
            kinds=[ItemKind.FOLDER, ItemKind.FILE],
            limit=10,
            after_key=None,
        )
        return [(item.name, item.size, item.object_key) for item in items]

    assert asyncio.run(root_names("alice")) == [
        ("other.txt", 4, legacy[2].object_key),
        ("Same (1).txt", 4, legacy[1].object_key),
        ("same.txt", 4, legacy[0].object_key),
    ]
    assert asyncio.run(root_names("bob")) == [("same.txt", 4, legacy[3].object_key)]
