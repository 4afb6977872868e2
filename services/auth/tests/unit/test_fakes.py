"""The in-memory fakes hold the same promises as the DynamoDB adapters (tests/integration)."""

import pytest

from scloud_auth.adapters.in_memory import (
    InMemoryAttemptStore,
    InMemoryOneTimeTokenStore,
    InMemoryPersonalAccessTokenRepository,
    InMemorySendLimitStore,
    InMemorySessionRepository,
    InMemorySignInChallengeStore,
    InMemoryTwoFactorRepository,
)
from services.auth.tests.contracts.attempt_store import AttemptStoreContract
from services.auth.tests.contracts.one_time_token_store import OneTimeTokenStoreContract
from services.auth.tests.contracts.personal_access_token_repository import PersonalAccessTokenRepositoryContract
from services.auth.tests.contracts.send_limit_store import SendLimitStoreContract
from services.auth.tests.contracts.session_repository import SessionRepositoryContract
from services.auth.tests.contracts.two_factor import SignInChallengeStoreContract, TwoFactorRepositoryContract


class TestInMemorySessionRepository(SessionRepositoryContract):
    @pytest.fixture
    def repository(self):
        return InMemorySessionRepository()


class TestInMemoryAttemptStore(AttemptStoreContract):
    @pytest.fixture
    def store(self):
        return InMemoryAttemptStore()


class TestInMemoryTwoFactorRepository(TwoFactorRepositoryContract):
    @pytest.fixture
    def repository(self):
        return InMemoryTwoFactorRepository()


class TestInMemorySignInChallengeStore(SignInChallengeStoreContract):
    @pytest.fixture
    def store(self):
        return InMemorySignInChallengeStore()


class TestInMemoryOneTimeTokenStore(OneTimeTokenStoreContract):
    @pytest.fixture
    def store(self):
        return InMemoryOneTimeTokenStore()


class TestInMemorySendLimitStore(SendLimitStoreContract):
    @pytest.fixture
    def store(self):
        return InMemorySendLimitStore()


class TestInMemoryPersonalAccessTokenRepository(PersonalAccessTokenRepositoryContract):
    @pytest.fixture
    def repository(self):
        return InMemoryPersonalAccessTokenRepository()
