"""Every adapter of a files port offers all of the port's methods: the fake, and each real
adapter that bootstrap may build (DynamoDB or SQLite by FILES_STORE; S3 for the bytes)."""

from typing import Protocol

import pytest

from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.adapters.sqlite import SqliteFileRepository
from scloud_files.domain import Item
from scloud_files.ports import BlobStore, FileRepository
from tests.port_conformance import port_gaps, port_methods

ADAPTERS = [
    (FileRepository, [InMemoryFileRepository, DynamoDbFileRepository, SqliteFileRepository]),
    (BlobStore, [InMemoryBlobStore, S3BlobStore]),
]


@pytest.mark.parametrize(
    ("port", "adapter"),
    [(port, adapter) for port, adapters in ADAPTERS for adapter in adapters],
    ids=lambda value: value.__name__,
)
def test_the_adapter_offers_every_method_of_its_port(port, adapter):
    assert port_gaps(port, adapter) == []


def test_a_port_that_gains_a_method_is_reported_for_an_adapter_that_lacks_it():
    class GrownRepository(FileRepository, Protocol):
        async def count_items(self, user_id: str) -> int: ...

        async def delete(self, item: Item, *, hard: bool) -> None: ...

    assert "count_items" in port_methods(GrownRepository)
    assert port_gaps(GrownRepository, SqliteFileRepository) == [
        "SqliteFileRepository.delete(self, item: scloud_files.domain.item.Item) -> None differs from "
        "GrownRepository.delete(self, item: scloud_files.domain.item.Item, *, hard: bool) -> None",
        "SqliteFileRepository.count_items is missing",
    ]
