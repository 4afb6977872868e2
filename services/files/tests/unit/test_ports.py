"""Every adapter of a files port offers all of the port's methods: the fake, and each real
adapter that bootstrap may build (DynamoDB or SQLite by FILES_STORE; S3 for the bytes)."""

import pytest

from scloud_files.adapters.dynamodb import DynamoDbFileRepository, DynamoDbPendingUploads
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_upload import InMemoryMultipartStore, InMemoryPendingUploads
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.adapters.s3_multipart import S3MultipartStore
from scloud_files.adapters.sqlite import SqliteFileRepository, SqlitePendingUploads
from scloud_files.ports import BlobStore, FileRepository, MultipartStore, PendingUploadStore
from tests.port_conformance import each_adapter, port_gaps

ADAPTERS = [
    (FileRepository, [InMemoryFileRepository, DynamoDbFileRepository, SqliteFileRepository]),
    (BlobStore, [InMemoryBlobStore, S3BlobStore]),
    (PendingUploadStore, [InMemoryPendingUploads, DynamoDbPendingUploads, SqlitePendingUploads]),
    (MultipartStore, [InMemoryMultipartStore, S3MultipartStore]),
]


@pytest.mark.parametrize(("port", "adapter"), each_adapter(ADAPTERS))
def test_the_adapter_offers_every_method_of_its_port(port, adapter):
    assert port_gaps(port, adapter) == []
