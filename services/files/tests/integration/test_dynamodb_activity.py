"""The DynamoDB activity log holds the same promises as the fake and SQLite
(tests/contracts/activity_ports.py), on moto or LocalStack."""

import pytest

from scloud_files.adapters.dynamodb import DynamoDbActivityLog
from scloud_files.provision import provision_resources
from services.files.tests.contracts.activity_ports import ActivityLogContract

pytestmark = pytest.mark.integration


class TestDynamoDbActivityLog(ActivityLogContract):
    @pytest.fixture
    def activity(self, settings, dynamodb):
        provision_resources(settings)
        return DynamoDbActivityLog(dynamodb, settings.files_table)
