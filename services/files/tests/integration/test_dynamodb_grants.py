"""The DynamoDB grants adapter holds the same promises as the fake and SQLite
(tests/contracts/grant_ports.py), on moto or LocalStack."""

import pytest

from scloud_files.adapters.dynamodb import DynamoDbGrants
from scloud_files.provision import provision_resources
from services.files.tests.contracts.grant_ports import GrantStoreContract

pytestmark = pytest.mark.integration


class TestDynamoDbGrants(GrantStoreContract):
    @pytest.fixture
    def grants(self, settings, dynamodb):
        provision_resources(settings)
        return DynamoDbGrants(dynamodb, settings.files_table)
