import pytest

from scloud_common.aws import AwsFault
from scloud_files.adapters.dynamodb import FILE_ID_INDEX, DynamoDbFileRepository
from scloud_files.domain import FileIdGenerator, StorageUsage, StoredFile, object_key
from scloud_files.provision import files_table_name, provision_resources

pytestmark = pytest.mark.integration

new_file_id = FileIdGenerator()


@pytest.fixture
def repository(settings, dynamodb):
    provision_resources(settings)  # a second run changes nothing
    return DynamoDbFileRepository(dynamodb, files_table_name(settings))


def stored(user_id: str = "alice", size: int = 10) -> StoredFile:
    file_id = new_file_id()
    return StoredFile(
        file_id, user_id, "résumé.txt", size, "text/plain", "2026-11-25T09:30:00+00:00", object_key(user_id, file_id)
    )


def test_table_is_provisioned_as_specified(settings, dynamodb):
    table = dynamodb.describe_table(TableName=files_table_name(settings))["Table"]
    assert [key["AttributeName"] for key in table["KeySchema"]] == ["userId", "fileId"]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == [FILE_ID_INDEX]
    assert table["SSEDescription"]["Status"] in ("ENABLED", "ENABLING")


async def test_add_get_and_delete(repository):
    file = stored()
    await repository.add(file)
    assert await repository.get("alice", file.file_id) == file
    assert await repository.get("bob", file.file_id) is None
    await repository.delete("alice", file.file_id)
    await repository.delete("alice", file.file_id)
    assert await repository.get("alice", file.file_id) is None


async def test_list_newest_first_in_pages(repository):
    files = [stored() for _ in range(5)]
    for file in files:
        await repository.add(file)
    await repository.add(stored("bob"))
    first, more = await repository.list_newest_first("alice", limit=2, after_file_id=None)
    assert first == files[:2:-1] and more
    rest, more = await repository.list_newest_first("alice", limit=3, after_file_id=first[-1].file_id)
    assert rest == files[2::-1] and not more


async def test_delete_all_in_batches_and_usage(repository):
    for index in range(60):
        await repository.add(stored(size=index))
    await repository.add(stored("bob", size=7))
    assert await repository.usage("alice") == StorageUsage(sum(range(60)), 60)
    assert await repository.delete_all("alice") == 60
    assert await repository.delete_all("alice") == 0
    assert await repository.usage("alice") == StorageUsage(0, 0)
    assert await repository.usage("bob") == StorageUsage(7, 1)


async def test_a_missing_table_is_a_fault_not_an_outage(dynamodb):
    repository = DynamoDbFileRepository(dynamodb, "no-such-table")
    with pytest.raises(AwsFault):
        await repository.get("alice", "x")
    with pytest.raises(AwsFault):
        await repository.check_ready()
