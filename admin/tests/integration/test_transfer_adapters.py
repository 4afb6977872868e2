"""Each service's SQLite and DynamoDB transfer adapters keep the RecordStore contract."""

import uuid

import pytest

from admin.tests.contracts.record_store import RecordStoreContract
from admin.tests.contracts.samples import auth_samples, files_samples, users_samples
from scloud_auth.adapters.dynamodb import table_definition as sessions_table
from scloud_auth.adapters.transfer_dynamodb import DynamoDbAuthTransfer
from scloud_auth.adapters.transfer_sqlite import SqliteAuthTransfer
from scloud_common.aws import create_aws_client
from scloud_common.provisioning import ensure_indexes, ensure_table
from scloud_files.adapters.dynamodb import table_definition as files_table
from scloud_files.adapters.dynamodb.transfer import DynamoDbFilesTransfer
from scloud_files.adapters.sqlite.transfer import SqliteFilesTransfer
from scloud_users.adapters.dynamodb import table_definition as users_table
from scloud_users.adapters.transfer_dynamodb import DynamoDbUserTransfer
from scloud_users.adapters.transfer_sqlite import SqliteUserTransfer

pytestmark = pytest.mark.integration

ADAPTERS = {
    "auth": (SqliteAuthTransfer, DynamoDbAuthTransfer, sessions_table, auth_samples),
    "users": (SqliteUserTransfer, DynamoDbUserTransfer, users_table, users_samples),
    "files": (SqliteFilesTransfer, DynamoDbFilesTransfer, files_table, files_samples),
}


@pytest.fixture(params=[f"{service} {store}" for service in ADAPTERS for store in ("sqlite", "dynamodb")])
async def adapter(request, tmp_path):
    service, kind = request.param.split()
    sqlite_transfer, dynamodb_transfer, definition, samples = ADAPTERS[service]
    if kind == "sqlite":
        store = await sqlite_transfer.open(str(tmp_path / f"{service}.sqlite"))
    else:
        endpoint = request.getfixturevalue("aws_endpoint_url")
        client = create_aws_client("dynamodb", region="us-east-1", endpoint_url=endpoint)
        table = definition(f"transfer-{uuid.uuid4().hex[:8]}")
        ensure_table(client, table)
        ensure_indexes(client, table)
        store = dynamodb_transfer(client, table["TableName"])
    yield store, samples()
    await store.close()


@pytest.fixture
def store(adapter):
    return adapter[0]


@pytest.fixture
def samples(adapter):
    return adapter[1]


class TestTransferAdapters(RecordStoreContract):
    pass
