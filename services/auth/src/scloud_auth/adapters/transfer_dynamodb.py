"""Every user's two-factor settings in the sessions table (`2fa#<userId>` items), read a page at
a time and written back, for moving an installation between stores (`python -m scloud_admin`)."""

from collections.abc import AsyncIterator, Sequence
from typing import Any

from botocore.client import BaseClient

from scloud_auth.adapters.dynamodb import DynamoDbTwoFactorRepository
from scloud_auth.transfer_record import two_factor_record, write_two_factor
from scloud_common.aws import AwsCall, translate_aws_errors
from scloud_common.transfer import TransferRecord, WriteOutcome

_PREFIX = "2fa#"


class DynamoDbAuthTransfer:
    service = "auth"

    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._call = AwsCall(client, TableName=table_name)
        self._repository = DynamoDbTwoFactorRepository(client, table_name)

    async def pages(self, size: int) -> AsyncIterator[list[TransferRecord]]:
        start: dict[str, Any] | None = None
        while True:
            response = await self._scan(size, start)
            records = []
            for item in response.get("Items", []):
                two_factor = await self._repository.get(item["sessionId"]["S"].removeprefix(_PREFIX))
                if two_factor is not None:
                    records.append(two_factor_record(two_factor))
            if records:
                yield records
            start = response.get("LastEvaluatedKey")
            if not start:
                return

    @translate_aws_errors
    async def _scan(self, size: int, start: dict[str, Any] | None) -> dict[str, Any]:
        return await self._call(
            "scan",
            Limit=size,
            ConsistentRead=True,
            ProjectionExpression="sessionId",
            FilterExpression="begins_with(sessionId, :prefix)",
            ExpressionAttributeValues={":prefix": {"S": _PREFIX}},
            **({"ExclusiveStartKey": start} if start else {}),
        )

    async def write(self, records: Sequence[TransferRecord]) -> WriteOutcome:
        return await write_two_factor(self._repository, records)

    async def close(self) -> None:
        return None
