"""Every account of the users table, read a page at a time and written back through the
repository (so each account keeps its email pointer), for moving an installation between stores
(`python -m scloud_admin`)."""

from collections.abc import AsyncIterator, Sequence
from typing import Any

from botocore.client import BaseClient

from scloud_common.aws import AwsCall, translate_aws_errors
from scloud_common.transfer import TransferRecord, WriteOutcome
from scloud_users.adapters.dynamodb import DynamoDbUserRepository, _account_from_item
from scloud_users.transfer_record import account_of, account_record


class DynamoDbUserTransfer:
    service = "users"

    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._table = table_name
        self._call = AwsCall(client, TableName=table_name)
        self._repository = DynamoDbUserRepository(client, table_name)

    async def pages(self, size: int) -> AsyncIterator[list[TransferRecord]]:
        start: dict[str, Any] | None = None
        while True:
            response = await self._scan(size, start)
            records = [account_record(_account_from_item(item)) for item in response.get("Items", [])]
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
            FilterExpression="begins_with(pk, :user)",
            ExpressionAttributeValues={":user": {"S": "user#"}},
            **({"ExclusiveStartKey": start} if start else {}),
        )

    async def write(self, records: Sequence[TransferRecord]) -> WriteOutcome:
        outcome = WriteOutcome()
        for record in records:
            existing = await self._repository.get(record.key)
            if existing is not None and account_record(existing) == record:
                outcome += WriteOutcome(unchanged=1)
                continue
            if existing is not None:
                # The email may have changed, and only a fresh add writes its pointer.
                await self._repository.delete(record.key)
            account = account_of(record)
            await self._repository.add(account)
            # add() writes a new, unverified, unlocked account: each flag is a write of its own.
            if account.user.email_verified:
                await self._repository.mark_email_verified(record.key)
            if account.user.locked:
                await self._repository.set_locked(record.key, True)
            outcome += WriteOutcome(written=1)
        return outcome

    async def close(self) -> None:
        return None
