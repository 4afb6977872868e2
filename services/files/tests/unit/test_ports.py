"""Every adapter of a files port offers all of the port's methods: the fake, and each real
adapter that bootstrap may build (DynamoDB or SQLite by FILES_STORE; S3 for the bytes)."""

import pytest

from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.adapters.sqlite import SqliteFileRepository
from scloud_files.ports import BlobStore, FileRepository
from tests.port_conformance import each_adapter, port_gaps

ADAPTERS = [
    (FileRepository, [InMemoryFileRepository, DynamoDbFileRepository, SqliteFileRepository]),
    (BlobStore, [InMemoryBlobStore, S3BlobStore]),
]


@pytest.mark.parametrize(("port", "adapter"), each_adapter(ADAPTERS))
def test_the_adapter_offers_every_method_of_its_port(port, adapter):
    assert port_gaps(port, adapter) == []
