"""Every adapter of a users port offers all of the port's methods: the fake, and each real
adapter that bootstrap may build (DynamoDB or SQLite, by setting)."""

from typing import Protocol

import pytest

from scloud_users.adapters.dynamodb import DynamoDbUserRepository
from scloud_users.adapters.in_memory import InMemoryAuthPeer, InMemoryFilesPeer, InMemoryUserRepository
from scloud_users.adapters.peers_grpc import GrpcAuthPeer, GrpcFilesPeer
from scloud_users.adapters.sqlite import SqliteUserRepository
from scloud_users.ports import AuthPeer, FilesPeer, UserRepository
from tests.port_conformance import port_gaps, port_methods

ADAPTERS = [
    (UserRepository, [InMemoryUserRepository, DynamoDbUserRepository, SqliteUserRepository]),
    (FilesPeer, [InMemoryFilesPeer, GrpcFilesPeer]),
    (AuthPeer, [InMemoryAuthPeer, GrpcAuthPeer]),
]


@pytest.mark.parametrize(
    ("port", "adapter"),
    [(port, adapter) for port, adapters in ADAPTERS for adapter in adapters],
    ids=lambda value: value.__name__,
)
def test_the_adapter_offers_every_method_of_its_port(port, adapter):
    assert port_gaps(port, adapter) == []


def test_a_port_that_gains_a_method_is_reported_for_an_adapter_that_lacks_it():
    class GrownRepository(UserRepository, Protocol):
        async def count(self) -> int: ...

        async def delete(self, user_id: str, *, hard: bool) -> None: ...

    assert "count" in port_methods(GrownRepository)
    assert port_gaps(GrownRepository, SqliteUserRepository) == [
        "SqliteUserRepository.delete(self, user_id: str) -> None differs from "
        "GrownRepository.delete(self, user_id: str, *, hard: bool) -> None",
        "SqliteUserRepository.count is missing",
    ]
