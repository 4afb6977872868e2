"""The in-memory fake holds the same promises as the DynamoDB adapter (tests/integration)."""

import pytest

from scloud_users.adapters.in_memory import InMemoryInvitationRepository, InMemoryUserRepository
from services.users.tests.contracts.invitation_repository import InvitationRepositoryContract
from services.users.tests.contracts.user_repository import UserRepositoryContract


class TestInMemoryUserRepository(UserRepositoryContract):
    @pytest.fixture
    def repository(self):
        return InMemoryUserRepository()


class TestInMemoryInvitationRepository(InvitationRepositoryContract):
    @pytest.fixture
    def stores(self):
        users = InMemoryUserRepository()
        return users, InMemoryInvitationRepository(users)
