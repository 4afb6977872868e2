"""Every adapter of a users port offers all of the port's methods: the fake, and each real
adapter that bootstrap may build (DynamoDB or SQLite, by setting)."""

import pytest

from scloud_users.adapters.dynamodb import DynamoDbUserRepository
from scloud_users.adapters.in_memory import InMemoryAuthPeer, InMemoryFilesPeer, InMemoryUserRepository
from scloud_users.adapters.peers_grpc import GrpcAuthPeer, GrpcFilesPeer
from scloud_users.adapters.sqlite import SqliteUserRepository
from scloud_users.ports import AuthPeer, FilesPeer, UserRepository
from tests.port_conformance import each_adapter, port_gaps

ADAPTERS = [
    (UserRepository, [InMemoryUserRepository, DynamoDbUserRepository, SqliteUserRepository]),
    (FilesPeer, [InMemoryFilesPeer, GrpcFilesPeer]),
    (AuthPeer, [InMemoryAuthPeer, GrpcAuthPeer]),
]


@pytest.mark.parametrize(("port", "adapter"), each_adapter(ADAPTERS))
def test_the_adapter_offers_every_method_of_its_port(port, adapter):
    assert port_gaps(port, adapter) == []
