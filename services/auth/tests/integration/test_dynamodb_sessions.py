import pytest

from scloud_auth.adapters.dynamodb import DynamoDbSessionRepository
from scloud_auth.domain import Session
from scloud_auth.provision import provision_resources, sessions_table_name
from scloud_common.aws import create_aws_client
from scloud_common.settings import AwsSettings

pytestmark = pytest.mark.integration


@pytest.fixture
def repository(aws_endpoint_url, unique_name):
    settings = AwsSettings(aws_endpoint_url=aws_endpoint_url, dynamodb_table_prefix=f"{unique_name}-")
    provision_resources(settings)
    provision_resources(settings)  # idempotent
    client = create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url)
    ttl = client.describe_time_to_live(TableName=sessions_table_name(settings))["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expiresAt"
    return DynamoDbSessionRepository(client, sessions_table_name(settings))


def session(session_id: str, user_id: str = "u1") -> Session:
    return Session(session_id, user_id, token_hash="h0", expires_at=2_000_000_000, created_at=1_700_000_000)


async def test_add_and_get(repository):
    await repository.add(session("s1"))
    assert await repository.get("s1") == session("s1")
    assert await repository.get("missing") is None


async def test_rotate_only_from_the_expected_hash(repository):
    await repository.add(session("s1"))
    assert await repository.rotate(
        "s1", expected_token_hash="h0", new_token_hash="h1", expires_at=2_000_000_100, rotated_at=5
    )
    assert not await repository.rotate("s1", expected_token_hash="h0", new_token_hash="h2", expires_at=1, rotated_at=6)
    stored = await repository.get("s1")
    assert (stored.token_hash, stored.previous_token_hash, stored.rotated_at) == ("h1", "h0", 5)


async def test_revoked_sessions_do_not_rotate(repository):
    await repository.add(session("s1"))
    await repository.revoke("s1")
    await repository.revoke("missing")
    assert (await repository.get("s1")).revoked
    assert not await repository.rotate("s1", expected_token_hash="h0", new_token_hash="h1", expires_at=1, rotated_at=1)


async def test_revoke_all_for_user_spares_the_named_session_and_other_users(repository):
    for session_id, user_id in [("a", "u1"), ("b", "u1"), ("c", "u1"), ("d", "u2")]:
        await repository.add(session(session_id, user_id))
    assert await repository.revoke_all_for_user("u1", except_session_id="a") == 2
    revoked = {sid: (await repository.get(sid)).revoked for sid in "abcd"}
    assert revoked == {"a": False, "b": True, "c": True, "d": False}
