from datetime import datetime

import pytest

from scloud_common.aws import AwsFault
from scloud_files.adapters.dynamodb import (
    USAGE_SORT_KEY,
    DynamoDbCopyJobs,
    DynamoDbFileRepository,
    DynamoDbFileRequests,
    DynamoDbPendingUploads,
    DynamoDbShareLinks,
    legacy_file_record,
    table_definition,
)
from scloud_files.domain import StorageUsage
from scloud_files.provision import provision_resources
from scloud_files.repair_usage import repair_usage
from services.files.tests.contracts.copy_job_ports import CopyJobStoreContract
from services.files.tests.contracts.copy_job_ports import a_job as a_copy_job
from services.files.tests.contracts.file_ports import FileRepositoryContract, a_file, unfiled
from services.files.tests.contracts.request_ports import FileRequestStoreContract
from services.files.tests.contracts.share_ports import ShareLinkStoreContract
from services.files.tests.contracts.upload_ports import PendingUploadStoreContract

pytestmark = pytest.mark.integration


@pytest.fixture
def dynamodb_repository(settings, dynamodb):
    provision_resources(settings)  # a second run changes nothing
    return DynamoDbFileRepository(dynamodb, settings.files_table)


class TestDynamoDbFileRepository(FileRepositoryContract):
    @pytest.fixture
    def repository(self, dynamodb_repository):
        return dynamodb_repository

    @pytest.fixture
    def add_unfiled(self, dynamodb, settings):
        async def add(file):
            dynamodb.put_item(TableName=settings.files_table, Item=legacy_file_record(file))
            dynamodb.update_item(
                TableName=settings.files_table,
                Key={"userId": {"S": file.user_id}, "fileId": {"S": USAGE_SORT_KEY}},
                UpdateExpression="ADD bytesUsed :size, fileCount :one",
                ExpressionAttributeValues={":size": {"N": str(file.file_size)}, ":one": {"N": "1"}},
            )

        return add


class TestDynamoDbPendingUploads(PendingUploadStoreContract):
    @pytest.fixture
    def pending(self, dynamodb_repository, settings, dynamodb):
        return DynamoDbPendingUploads(dynamodb, settings.files_table)


class TestDynamoDbShareLinks(ShareLinkStoreContract):
    @pytest.fixture
    def links(self, dynamodb_repository, settings, dynamodb):
        return DynamoDbShareLinks(dynamodb, settings.files_table)


class TestDynamoDbFileRequests(FileRequestStoreContract):
    @pytest.fixture
    def requests(self, dynamodb_repository, settings, dynamodb):
        return DynamoDbFileRequests(dynamodb, settings.files_table)


class TestDynamoDbCopyJobs(CopyJobStoreContract):
    @pytest.fixture
    def jobs(self, dynamodb_repository, settings, dynamodb):
        return DynamoDbCopyJobs(dynamodb, settings.files_table)

    async def test_a_job_carries_the_tables_ttl_so_dynamodb_forgets_it(self, jobs, settings, dynamodb):
        job = a_copy_job("ttl")
        await jobs.add(job)
        record = dynamodb.get_item(
            TableName=settings.files_table, Key={"userId": {"S": job.user_id}, "fileId": {"S": "#copyjob#ttl"}}
        )["Item"]
        assert int(record["ttl"]["N"]) == int(datetime.fromisoformat(job.expires_at).timestamp())


def test_table_is_provisioned_with_its_indexes_and_ttl(settings, dynamodb):
    table = dynamodb.describe_table(TableName=settings.files_table)["Table"]
    assert [key["AttributeName"] for key in table["KeySchema"]] == ["userId", "fileId"]
    assert sorted(index["IndexName"] for index in table["GlobalSecondaryIndexes"]) == [
        "byModified",
        "byName",
        "byNewest",
        "byPurge",
        "bySize",
        "byTrash",
    ]
    assert table["SSEDescription"]["Status"] in ("ENABLED", "ENABLING")
    ttl = dynamodb.describe_time_to_live(TableName=settings.files_table)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "ttl"


def test_provisioning_adds_the_indexes_to_a_table_made_before_them(settings, dynamodb):
    name = settings.files_table + "-old"
    old = table_definition(name)
    del old["GlobalSecondaryIndexes"]
    old["AttributeDefinitions"] = old["AttributeDefinitions"][:2]
    dynamodb.create_table(**old)
    from scloud_common.provisioning import ensure_indexes

    ensure_indexes(dynamodb, table_definition(name))
    ensure_indexes(dynamodb, table_definition(name))
    indexes = dynamodb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]
    assert len(indexes) == 6


async def test_usage_is_read_from_one_item_not_from_the_files(dynamodb_repository, dynamodb, settings):
    await dynamodb_repository.create(a_file(size=4))
    # A record written behind the repository's back is not counted: usage never reads the files.
    dynamodb.put_item(
        TableName=settings.files_table,
        Item={
            "userId": {"S": "alice"},
            "fileId": {"S": unfiled().file_id},
            "fileName": {"S": "stray"},
            "fileSize": {"N": "100"},
            "contentType": {"S": "text/plain"},
            "uploadDate": {"S": "2026-11-25T09:30:00+00:00"},
            "objectKey": {"S": "users/alice/stray"},
        },
    )
    assert await dynamodb_repository.usage("alice") == StorageUsage(4, 1)
    assert [file.file_name for file in await dynamodb_repository.list_unfiled("alice")] == ["stray"]


async def test_repair_recounts_drifted_totals(dynamodb_repository, dynamodb, settings):
    for size in (5, 6):
        await dynamodb_repository.create(a_file(str(size), size=size))
    await dynamodb_repository.create(a_file(user_id="bob", size=1))
    for user_id in ("alice", "bob"):
        dynamodb.update_item(
            TableName=settings.files_table,
            Key={"userId": {"S": user_id}, "fileId": {"S": USAGE_SORT_KEY}},
            UpdateExpression="SET bytesUsed = :wrong, fileCount = :wrong",
            ExpressionAttributeValues={":wrong": {"N": "999"}},
        )
    assert await repair_usage(dynamodb_repository, ["alice"]) == {"alice": StorageUsage(11, 2)}
    assert await dynamodb_repository.usage("bob") == StorageUsage(999, 999)
    repaired = await repair_usage(dynamodb_repository, None)
    assert repaired == {"alice": StorageUsage(11, 2), "bob": StorageUsage(1, 1)}
    assert await dynamodb_repository.usage("bob") == StorageUsage(1, 1)


async def test_a_missing_table_is_a_fault_not_an_outage(dynamodb):
    repository = DynamoDbFileRepository(dynamodb, "no-such-table")
    with pytest.raises(AwsFault):
        await repository.get("alice", "x")
    with pytest.raises(AwsFault):
        await repository.create(a_file())
    with pytest.raises(AwsFault):
        await repository.check_ready()
