"""The DynamoDB user repository holds the same promises as the fake."""

import pytest

from scloud_common.aws import create_aws_client
from scloud_common.settings import MailingAwsSettings
from scloud_users.adapters.dynamodb import DynamoDbInvitationRepository, DynamoDbUserRepository
from scloud_users.provision import provision_resources, users_table_name
from services.users.tests.contracts.invitation_repository import InvitationRepositoryContract
from services.users.tests.contracts.user_repository import UserRepositoryContract

pytestmark = pytest.mark.integration


class TestDynamoDbUserRepository(UserRepositoryContract):
    @pytest.fixture
    def repository(self, aws_endpoint_url, unique_name):
        settings = MailingAwsSettings(aws_endpoint_url=aws_endpoint_url, dynamodb_table_prefix=f"{unique_name}-")
        provision_resources(settings)
        provision_resources(settings)  # idempotent
        client = create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url)
        return DynamoDbUserRepository(client, users_table_name(settings))


class TestDynamoDbInvitationRepository(InvitationRepositoryContract):
    @pytest.fixture
    def stores(self, aws_endpoint_url, unique_name):
        settings = MailingAwsSettings(aws_endpoint_url=aws_endpoint_url, dynamodb_table_prefix=f"{unique_name}-")
        provision_resources(settings)
        client = create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url)
        table = users_table_name(settings)
        return DynamoDbUserRepository(client, table), DynamoDbInvitationRepository(client, table)
