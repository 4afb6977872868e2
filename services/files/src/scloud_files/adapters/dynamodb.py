"""FileRepository on DynamoDB: table `<prefix>files`, partition key userId, sort key fileId.

File ids are ULIDs, which sort by upload time, so "newest first" is a reverse Query. Each user's
partition also holds one totals item under the sort key `#usage`, which sorts before every ULID:
file queries ask for sort keys above it. Every file write is one transaction with an ADD on that
item, conditioned on the account not being closed; a closed account's item stays as a tombstone.
"""

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from scloud_common.aws import RETRYABLE_CANCELLATION_REASONS, AwsCall, cancellation_reasons, translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.domain import AccountClosed, StorageUsage, StoredFile

logger = logging.getLogger(__name__)

USAGE_SORT_KEY = "#usage"
BATCH_WRITE_SIZE = 25
BATCH_WRITE_ATTEMPTS = 8
TRANSACTION_ATTEMPTS = 6


def table_definition(table_name: str) -> dict[str, Any]:
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": "userId", "AttributeType": "S"},
            {"AttributeName": "fileId", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "userId", "KeyType": "HASH"},
            {"AttributeName": "fileId", "KeyType": "RANGE"},
        ],
        "SSESpecification": {"Enabled": True},
    }


def _key(user_id: str, file_id: str) -> dict[str, Any]:
    return {"userId": {"S": user_id}, "fileId": {"S": file_id}}


def _usage_key(user_id: str) -> dict[str, Any]:
    return _key(user_id, USAGE_SORT_KEY)


def _file_rows_of(user_id: str) -> dict[str, Any]:
    """Query parameters selecting a user's file records, not their totals item."""
    return {
        "KeyConditionExpression": "userId = :user AND fileId > :usage",
        "ExpressionAttributeValues": {":user": {"S": user_id}, ":usage": {"S": USAGE_SORT_KEY}},
    }


def file_item(file: StoredFile) -> dict[str, Any]:
    return {
        **_key(file.user_id, file.file_id),
        "fileName": {"S": file.file_name},
        "fileSize": {"N": str(file.file_size)},
        "contentType": {"S": file.content_type},
        "uploadDate": {"S": file.upload_date},
        "objectKey": {"S": file.object_key},
    }


def _file(item: dict[str, Any]) -> StoredFile:
    return StoredFile(
        file_id=item["fileId"]["S"],
        user_id=item["userId"]["S"],
        file_name=item["fileName"]["S"],
        file_size=int(item["fileSize"]["N"]),
        content_type=item["contentType"]["S"],
        upload_date=item["uploadDate"]["S"],
        object_key=item["objectKey"]["S"],
    )


class DynamoDbFileRepository:
    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._table = table_name
        # No shared TableName: transactions name the table per item.
        self._call = AwsCall(client)

    async def _query_pages(self, user_id: str, **kwargs: Any) -> AsyncIterator[list[dict[str, Any]]]:
        start: dict[str, Any] | None = None
        while True:
            response = await self._call(
                "query",
                TableName=self._table,
                **_file_rows_of(user_id),
                **kwargs,
                **({"ExclusiveStartKey": start} if start else {}),
            )
            yield response.get("Items", [])
            start = response.get("LastEvaluatedKey")
            if not start:
                return

    def _usage_change(self, user_id: str, size: int, count: int) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Key": _usage_key(user_id),
            "UpdateExpression": "ADD bytesUsed :size, fileCount :count",
            "ExpressionAttributeValues": {":size": {"N": str(size)}, ":count": {"N": str(count)}},
        }

    async def _transact(self, items: list[dict[str, Any]]) -> list[str] | None:
        """Runs the transaction; None if it committed, else each item's cancellation code. A
        user's uploads in parallel all touch their totals item, so a transaction cancelled only
        by another one in progress is tried again: a cancelled transaction wrote nothing."""
        attempt = 1
        while True:
            try:
                await self._call("transact_write_items", TransactItems=items)
                return None
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = cancellation_reasons(exc)
                if not reasons:
                    raise
                if not set(reasons) - {"None"} <= RETRYABLE_CANCELLATION_REASONS or attempt == TRANSACTION_ATTEMPTS:
                    return reasons
            await asyncio.sleep(random.uniform(0, 0.02 * 2**attempt))
            attempt += 1

    @translate_aws_errors
    async def add(self, file: StoredFile) -> None:
        usage = self._usage_change(file.user_id, file.file_size, 1)
        usage["ConditionExpression"] = "attribute_not_exists(closed)"
        reasons = await self._transact(
            [{"Put": {"TableName": self._table, "Item": file_item(file)}}, {"Update": usage}]
        )
        if reasons is not None:
            if reasons[1] == "ConditionalCheckFailed":
                raise AccountClosed()
            raise ServiceUnavailable()

    @translate_aws_errors
    async def get(self, user_id: str, file_id: str) -> StoredFile | None:
        response = await self._call("get_item", TableName=self._table, Key=_key(user_id, file_id), ConsistentRead=True)
        item = response.get("Item")
        return _file(item) if item else None

    @translate_aws_errors
    async def list_newest_first(
        self, user_id: str, *, limit: int, after_file_id: str | None
    ) -> tuple[list[StoredFile], bool]:
        # One item more than asked tells whether another page exists, so the last page never
        # hands out a cursor to an empty one.
        items: list[dict[str, Any]] = []
        start = _key(user_id, after_file_id) if after_file_id else None
        while len(items) <= limit:
            response = await self._call(
                "query",
                TableName=self._table,
                **_file_rows_of(user_id),
                ScanIndexForward=False,
                Limit=limit + 1 - len(items),
                **({"ExclusiveStartKey": start} if start else {}),
            )
            items += response.get("Items", [])
            start = response.get("LastEvaluatedKey")
            if not start:
                break
        return [_file(item) for item in items[:limit]], len(items) > limit

    @translate_aws_errors
    async def delete(self, file: StoredFile) -> None:
        row = {
            "TableName": self._table,
            "Key": _key(file.user_id, file.file_id),
            "ConditionExpression": "attribute_exists(fileId)",
        }
        reasons = await self._transact(
            [{"Delete": row}, {"Update": self._usage_change(file.user_id, -file.file_size, -1)}]
        )
        # A record already gone was taken off the totals by whoever removed it.
        if reasons is not None and reasons[0] != "ConditionalCheckFailed":
            raise ServiceUnavailable()

    @translate_aws_errors
    async def close_account(self, user_id: str) -> None:
        await self._call(
            "update_item",
            TableName=self._table,
            Key=_usage_key(user_id),
            UpdateExpression="SET closed = :true",
            ExpressionAttributeValues={":true": {"BOOL": True}},
        )

    @translate_aws_errors
    async def delete_all(self, user_id: str) -> int:
        deleted = 0
        async for items in self._query_pages(user_id, ProjectionExpression="userId, fileId"):
            for start in range(0, len(items), BATCH_WRITE_SIZE):
                batch = items[start : start + BATCH_WRITE_SIZE]
                await self._batch_delete([{"DeleteRequest": {"Key": item}} for item in batch])
            deleted += len(items)
        await self._set_usage(user_id, StorageUsage(0, 0), only_if_present=True)
        return deleted

    async def _set_usage(self, user_id: str, usage: StorageUsage, *, only_if_present: bool = False) -> None:
        try:
            await self._call(
                "update_item",
                TableName=self._table,
                Key=_usage_key(user_id),
                UpdateExpression="SET bytesUsed = :bytes, fileCount = :count",
                ExpressionAttributeValues={
                    ":bytes": {"N": str(usage.bytes_used)},
                    ":count": {"N": str(usage.file_count)},
                },
                **({"ConditionExpression": "attribute_exists(userId)"} if only_if_present else {}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    async def _batch_delete(self, requests: list[dict[str, Any]]) -> None:
        pending = {self._table: requests}
        for attempt in range(BATCH_WRITE_ATTEMPTS):
            response = await self._call("batch_write_item", RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
            if not pending:
                return
            await asyncio.sleep(min(0.05 * 2**attempt, 2.0))
        logger.error("batch delete left unprocessed items", extra={"table": self._table})
        raise ServiceUnavailable()

    @translate_aws_errors
    async def usage(self, user_id: str) -> StorageUsage:
        response = await self._call("get_item", TableName=self._table, Key=_usage_key(user_id), ConsistentRead=True)
        item = response.get("Item", {})
        return StorageUsage(int(item.get("bytesUsed", {"N": "0"})["N"]), int(item.get("fileCount", {"N": "0"})["N"]))

    @translate_aws_errors
    async def recount_usage(self, user_id: str) -> StorageUsage:
        bytes_used = file_count = 0
        async for items in self._query_pages(user_id, ProjectionExpression="fileSize"):
            bytes_used += sum(int(item["fileSize"]["N"]) for item in items)
            file_count += len(items)
        usage = StorageUsage(bytes_used, file_count)
        await self._set_usage(user_id, usage)
        return usage

    @translate_aws_errors
    async def list_user_ids(self) -> list[str]:
        user_ids: set[str] = set()
        start: dict[str, Any] | None = None
        while True:
            response = await self._call(
                "scan",
                TableName=self._table,
                ProjectionExpression="userId",
                **({"ExclusiveStartKey": start} if start else {}),
            )
            user_ids.update(item["userId"]["S"] for item in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start:
                return sorted(user_ids)

    @translate_aws_errors
    async def check_ready(self) -> None:
        await self._call("describe_table", TableName=self._table)
