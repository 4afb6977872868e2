"""The DynamoDB session repository and attempt store hold the same promises as the fakes."""

import pytest

from scloud_auth.adapters.dynamodb import (
    DynamoDbAttemptStore,
    DynamoDbSessionRepository,
    DynamoDbSignInChallengeStore,
    DynamoDbTwoFactorRepository,
)
from scloud_auth.domain import SignInChallenge, TwoFactor
from scloud_auth.provision import provision_resources, sessions_table_name
from scloud_common.aws import create_aws_client
from scloud_common.settings import AwsSettings
from services.auth.tests.contracts.attempt_store import AttemptStoreContract
from services.auth.tests.contracts.session_repository import SessionRepositoryContract, session
from services.auth.tests.contracts.two_factor import SignInChallengeStoreContract, TwoFactorRepositoryContract

pytestmark = pytest.mark.integration


@pytest.fixture
def table(aws_endpoint_url, unique_name):
    settings = AwsSettings(aws_endpoint_url=aws_endpoint_url, dynamodb_table_prefix=f"{unique_name}-")
    provision_resources(settings)
    provision_resources(settings)  # idempotent
    client = create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url)
    ttl = client.describe_time_to_live(TableName=sessions_table_name(settings))["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expiresAt"
    return client, sessions_table_name(settings)


class TestDynamoDbSessionRepository(SessionRepositoryContract):
    @pytest.fixture
    def repository(self, table):
        return DynamoDbSessionRepository(*table)


class TestDynamoDbAttemptStore(AttemptStoreContract):
    @pytest.fixture
    def store(self, table):
        return DynamoDbAttemptStore(*table)


class TestDynamoDbTwoFactorRepository(TwoFactorRepositoryContract):
    @pytest.fixture
    def repository(self, table):
        return DynamoDbTwoFactorRepository(*table)


class TestDynamoDbSignInChallengeStore(SignInChallengeStoreContract):
    @pytest.fixture
    def store(self, table):
        return DynamoDbSignInChallengeStore(*table)


async def test_two_factor_items_share_the_table_without_becoming_sessions(table):
    sessions = DynamoDbSessionRepository(*table)
    await sessions.add(session("s1", "u1"))
    await DynamoDbTwoFactorRepository(*table).save(TwoFactor(user_id="u1", secret="S"))
    await DynamoDbSignInChallengeStore(*table).add(SignInChallenge("t1", "u1", "", 2000))
    assert [s.session_id for s in await sessions.list_for_user("u1")] == ["s1"]
    assert await sessions.get("2fa#u1") is None and await sessions.get("challenge#t1") is None


async def test_attempt_records_share_the_table_without_becoming_sessions(table):
    sessions, attempts = DynamoDbSessionRepository(*table), DynamoDbAttemptStore(*table)
    await sessions.add(session("s1", "u1"))
    await attempts.record_failure("email#a@example.com", now=1000, window_seconds=900, keep_until=3000)
    assert [s.session_id for s in await sessions.list_for_user("u1")] == ["s1"]
    assert await sessions.get("attempts#email#a@example.com") is None
    assert await sessions.revoke_all_for_user("u1") == 1
