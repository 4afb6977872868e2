"""The SQLite user repository holds the same promises as the fake and the DynamoDB adapter.

Unit tier: SQLite is embedded, so the suite needs no server, only a file in a fresh folder, and
runs with every unit run beside the fake's."""

import pytest

from scloud_common.sqlite_store import SqliteStore
from scloud_users.adapters.sqlite import MIGRATIONS, SqliteInvitationRepository, SqliteUserRepository
from services.users.tests.contracts.invitation_repository import InvitationRepositoryContract
from services.users.tests.contracts.user_repository import UserRepositoryContract


class TestSqliteUserRepository(UserRepositoryContract):
    @pytest.fixture
    async def repository(self, tmp_path):
        store = await SqliteStore.open(tmp_path / "users.db", migrations=MIGRATIONS)
        yield SqliteUserRepository(store)
        await store.close()


class TestSqliteInvitationRepository(InvitationRepositoryContract):
    @pytest.fixture
    async def stores(self, tmp_path):
        store = await SqliteStore.open(tmp_path / "users.db", migrations=MIGRATIONS)
        yield SqliteUserRepository(store), SqliteInvitationRepository(store)
        await store.close()
