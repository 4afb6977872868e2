"""The in-memory fakes hold the same promises as the DynamoDB adapters (tests/integration)."""

import pytest

from scloud_auth.adapters.in_memory import InMemoryAttemptStore, InMemoryOneTimeTokenStore, InMemorySessionRepository
from services.auth.tests.contracts.attempt_store import AttemptStoreContract
from services.auth.tests.contracts.one_time_token_store import OneTimeTokenStoreContract
from services.auth.tests.contracts.session_repository import SessionRepositoryContract


class TestInMemorySessionRepository(SessionRepositoryContract):
    @pytest.fixture
    def repository(self):
        return InMemorySessionRepository()


class TestInMemoryAttemptStore(AttemptStoreContract):
    @pytest.fixture
    def store(self):
        return InMemoryAttemptStore()


class TestInMemoryOneTimeTokenStore(OneTimeTokenStoreContract):
    @pytest.fixture
    def store(self):
        return InMemoryOneTimeTokenStore()
