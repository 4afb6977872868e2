"""The DynamoDB stars adapter holds the same promises as the fake and SQLite
(tests/contracts/star_ports.py), on moto or LocalStack."""

import pytest

from scloud_files.adapters.dynamodb import DynamoDbStars
from scloud_files.provision import provision_resources
from services.files.tests.contracts.star_ports import StarStoreContract

pytestmark = pytest.mark.integration


class TestDynamoDbStars(StarStoreContract):
    @pytest.fixture
    def stars(self, settings, dynamodb):
        provision_resources(settings)
        return DynamoDbStars(dynamodb, settings.files_table)
