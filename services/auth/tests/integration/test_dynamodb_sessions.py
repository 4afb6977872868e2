"""The DynamoDB session repository, attempt store, two-factor stores and link token store hold the
same promises as the fakes; provisioning also verifies the mail sender."""

import pytest

from scloud_auth.adapters.dynamodb import (
    DynamoDbAttemptStore,
    DynamoDbOneTimeTokenStore,
    DynamoDbPersonalAccessTokenRepository,
    DynamoDbSendLimitStore,
    DynamoDbSessionRepository,
    DynamoDbSignInChallengeStore,
    DynamoDbTwoFactorRepository,
)
from scloud_auth.domain import AttemptRecord, OneTimeToken, SignInChallenge, TokenPurpose, TwoFactor
from scloud_auth.provision import provision_resources, sessions_table_name
from scloud_common.aws import create_aws_client
from scloud_common.settings import MailingAwsSettings
from services.auth.tests.contracts.attempt_store import AttemptStoreContract
from services.auth.tests.contracts.one_time_token_store import OneTimeTokenStoreContract
from services.auth.tests.contracts.personal_access_token_repository import (
    PersonalAccessTokenRepositoryContract,
    token,
)
from services.auth.tests.contracts.send_limit_store import SendLimitStoreContract
from services.auth.tests.contracts.session_repository import SessionRepositoryContract, session
from services.auth.tests.contracts.two_factor import SignInChallengeStoreContract, TwoFactorRepositoryContract

pytestmark = pytest.mark.integration


@pytest.fixture
def table(aws_endpoint_url, unique_name):
    settings = MailingAwsSettings(
        aws_endpoint_url=aws_endpoint_url,
        dynamodb_table_prefix=f"{unique_name}-",
        mail_sender=f"SCloud <no-reply@{unique_name}.test>",
    )
    provision_resources(settings)
    provision_resources(settings)  # idempotent
    client = create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url)
    ttl = client.describe_time_to_live(TableName=sessions_table_name(settings))["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expiresAt"
    ses = create_aws_client("sesv2", region="us-east-1", endpoint_url=aws_endpoint_url)
    assert ses.get_email_identity(EmailIdentity=f"no-reply@{unique_name}.test")["IdentityType"] == "EMAIL_ADDRESS"
    return client, sessions_table_name(settings)


class TestDynamoDbSessionRepository(SessionRepositoryContract):
    @pytest.fixture
    def repository(self, table):
        return DynamoDbSessionRepository(*table)


class TestDynamoDbOneTimeTokenStore(OneTimeTokenStoreContract):
    @pytest.fixture
    def store(self, table):
        return DynamoDbOneTimeTokenStore(*table)


class TestDynamoDbAttemptStore(AttemptStoreContract):
    @pytest.fixture
    def store(self, table):
        return DynamoDbAttemptStore(*table)


class TestDynamoDbSendLimitStore(SendLimitStoreContract):
    @pytest.fixture
    def store(self, table):
        return DynamoDbSendLimitStore(*table)


class TestDynamoDbTwoFactorRepository(TwoFactorRepositoryContract):
    @pytest.fixture
    def repository(self, table):
        return DynamoDbTwoFactorRepository(*table)


class TestDynamoDbSignInChallengeStore(SignInChallengeStoreContract):
    @pytest.fixture
    def store(self, table):
        return DynamoDbSignInChallengeStore(*table)


class TestDynamoDbPersonalAccessTokenRepository(PersonalAccessTokenRepositoryContract):
    @pytest.fixture
    def repository(self, table):
        return DynamoDbPersonalAccessTokenRepository(*table)


async def test_personal_access_tokens_share_the_table_without_becoming_sessions(table):
    sessions = DynamoDbSessionRepository(*table)
    tokens = DynamoDbPersonalAccessTokenRepository(*table)
    await sessions.add(session("s1", user_id="u1"))
    await tokens.add(token("t1", user_id="u1", token_hash="abc"))
    assert [s.session_id for s in await sessions.list_for_user("u1")] == ["s1"]
    # A forged refresh cookie `pat#<hash>.<token>` must find no session to refresh.
    assert await sessions.get("pat#abc") is None
    assert await sessions.revoke_all_for_user("u1") == 1
    assert (await tokens.find_by_hash("abc")).revoked is False


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
    await attempts.replace("email#a@example.com", AttemptRecord(1, 1000, 1000), expected=None, keep_until=3000)
    assert [s.session_id for s in await sessions.list_for_user("u1")] == ["s1"]
    assert await sessions.get("attempts#email#a@example.com") is None
    assert await sessions.revoke_all_for_user("u1") == 1


async def test_link_tokens_share_the_table_without_becoming_sessions(table):
    sessions, tokens = DynamoDbSessionRepository(*table), DynamoDbOneTimeTokenStore(*table)
    await sessions.add(session("s1", "u1"))
    await tokens.add(OneTimeToken(TokenPurpose.VERIFY_EMAIL, "h1", "u1", 5000))
    assert [s.session_id for s in await sessions.list_for_user("u1")] == ["s1"]
    assert await sessions.get("token#verify-email#h1") is None
    assert await sessions.revoke_all_for_user("u1") == 1
