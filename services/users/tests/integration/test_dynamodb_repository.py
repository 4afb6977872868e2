import asyncio

import pytest

from scloud_common.aws import create_aws_client
from scloud_common.settings import AwsSettings
from scloud_users.adapters.dynamodb import DynamoDbUserRepository
from scloud_users.domain import Account, EmailTaken, User, UserNotFound
from scloud_users.provision import provision_resources, users_table_name

pytestmark = pytest.mark.integration


@pytest.fixture
def repository(aws_endpoint_url, unique_name):
    settings = AwsSettings(aws_endpoint_url=aws_endpoint_url, dynamodb_table_prefix=f"{unique_name}-")
    provision_resources(settings)
    provision_resources(settings)  # idempotent
    client = create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url)
    return DynamoDbUserRepository(client, users_table_name(settings))


def account(user_id: str, email: str = "ada@example.com") -> Account:
    return Account(User(user_id, email, "Ada", "female", "1990-01-02", "2026-11-25T00:00:00+00:00"), "hash")


async def test_add_get_and_lookup_by_email(repository):
    await repository.add(account("u1"))
    assert await repository.get("u1") == account("u1")
    assert await repository.get_by_email("ada@example.com") == account("u1")
    assert await repository.get_by_email("other@example.com") is None
    assert await repository.get("missing") is None


async def test_concurrent_registrations_with_one_email_let_exactly_one_in(repository):
    results = await asyncio.gather(*(repository.add(account(f"u{i}")) for i in range(5)), return_exceptions=True)
    assert sum(result is None for result in results) == 1
    assert all(isinstance(result, EmailTaken) for result in results if result is not None)


async def test_update_profile_and_password(repository):
    await repository.add(account("u1"))
    user = (await repository.get("u1")).user
    await repository.update_profile(User(user.user_id, user.email, "Countess", None, None, user.created_at))
    await repository.update_password_hash("u1", "new-hash")
    stored = await repository.get("u1")
    assert (stored.user.username, stored.user.gender, stored.user.date_of_birth) == ("Countess", None, None)
    assert stored.password_hash == "new-hash"


async def test_delete_frees_the_email_and_is_idempotent(repository):
    await repository.add(account("u1"))
    await repository.delete("u1")
    await repository.delete("u1")
    assert await repository.get("u1") is None
    await repository.add(account("u2"))
    assert (await repository.get_by_email("ada@example.com")).user.user_id == "u2"


async def test_updating_a_missing_user_is_user_not_found(repository):
    with pytest.raises(UserNotFound):
        await repository.update_password_hash("missing", "new-hash")
    with pytest.raises(UserNotFound):
        await repository.update_profile(account("missing").user)
