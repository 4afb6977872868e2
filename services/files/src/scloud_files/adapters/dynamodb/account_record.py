"""A user's totals and account in the table: the closed mark, the usage counters, their
recount, and deleting everything of a user."""

import json
import logging
from typing import Any

from botocore.exceptions import ClientError

from scloud_common.aws import translate_aws_errors
from scloud_files.adapters.dynamodb.access import BATCH_WRITE_SIZE, TableAccess
from scloud_files.adapters.dynamodb.record import item_key, item_of, usage_key
from scloud_files.adapters.dynamodb.table import USAGE_SORT_KEY, VERSION_PREFIX
from scloud_files.domain import Item, StorageUsage

logger = logging.getLogger(__name__)


class AccountRecords(TableAccess):
    @translate_aws_errors
    async def close_account(self, user_id: str) -> None:
        await self._call(
            "update_item",
            TableName=self._table,
            Key=usage_key(user_id),
            UpdateExpression="SET closed = :true",
            ExpressionAttributeValues={":true": {"BOOL": True}},
        )

    @translate_aws_errors
    async def account_closed(self, user_id: str) -> bool:
        response = await self._call(
            "get_item", TableName=self._table, Key=usage_key(user_id), ProjectionExpression="closed"
        )
        return "closed" in response.get("Item", {})

    @translate_aws_errors
    async def delete_all(self, user_id: str) -> int:
        files = 0
        async for records in self._query_all(
            KeyConditionExpression="userId = :user",
            ExpressionAttributeValues={":user": {"S": user_id}},
            ProjectionExpression="userId, fileId, kind",
        ):
            records = [record for record in records if record["fileId"]["S"] != USAGE_SORT_KEY]
            files += sum(
                1
                for record in records
                if not record["fileId"]["S"].startswith("#") and record.get("kind", {}).get("S", "file") == "file"
            )
            for start in range(0, len(records), BATCH_WRITE_SIZE):
                batch = records[start : start + BATCH_WRITE_SIZE]
                await self._batch_delete(
                    [{"DeleteRequest": {"Key": item_key(user_id, record["fileId"]["S"])}} for record in batch]
                )
        await self._set_usage(user_id, StorageUsage(0, 0), only_if_present=True)
        return files

    async def _set_usage(self, user_id: str, usage: StorageUsage, *, only_if_present: bool = False) -> dict[str, Any]:
        """Writes the counters (the quota and the closed mark stay); answers the item as written,
        or an empty one when `only_if_present` found none."""
        try:
            response = await self._call(
                "update_item",
                TableName=self._table,
                Key=usage_key(user_id),
                UpdateExpression="SET bytesUsed = :bytes, fileCount = :count, trashBytes = :trash",
                ExpressionAttributeValues={
                    ":bytes": {"N": str(usage.bytes_used)},
                    ":count": {"N": str(usage.file_count)},
                    ":trash": {"N": str(usage.trash_bytes)},
                },
                ReturnValues="ALL_NEW",
                **({"ConditionExpression": "attribute_exists(userId)"} if only_if_present else {}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return {}
        written: dict[str, Any] = response.get("Attributes", {})
        return written

    @translate_aws_errors
    async def usage(self, user_id: str) -> StorageUsage:
        response = await self._call("get_item", TableName=self._table, Key=usage_key(user_id), ConsistentRead=True)
        return _usage_of(response.get("Item", {}))

    @translate_aws_errors
    async def set_quota(self, user_id: str, quota_bytes: int | None) -> None:
        if quota_bytes is None:
            await self._call(
                "update_item", TableName=self._table, Key=usage_key(user_id), UpdateExpression="REMOVE quotaBytes"
            )
            return
        await self._call(
            "update_item",
            TableName=self._table,
            Key=usage_key(user_id),
            UpdateExpression="SET quotaBytes = :quota",
            ExpressionAttributeValues={":quota": {"N": str(quota_bytes)}},
        )

    @translate_aws_errors
    async def recount_usage(self, user_id: str) -> StorageUsage:
        bytes_used = file_count = trash_bytes = 0
        async for records in self._items_of(
            user_id,
            ProjectionExpression="fileSize, trashedAt",
            FilterExpression="attribute_not_exists(kind) OR kind = :file",
            ExpressionAttributeValues={":file": {"S": "file"}},
        ):
            bytes_used += sum(int(record["fileSize"]["N"]) for record in records)
            trash_bytes += sum(int(record["fileSize"]["N"]) for record in records if "trashedAt" in record)
            file_count += len(records)
        # Earlier versions count too, until the retention removes them.
        async for records in self._query_all(
            KeyConditionExpression="userId = :user AND begins_with(fileId, :versions)",
            ExpressionAttributeValues={
                ":user": {"S": user_id},
                ":versions": {"S": VERSION_PREFIX},
                ":false": {"BOOL": False},
            },
            ProjectionExpression="versionSize",
            FilterExpression="#current = :false",
            ExpressionAttributeNames={"#current": "current"},
        ):
            bytes_used += sum(int(record["versionSize"]["N"]) for record in records)
        return _usage_of(await self._set_usage(user_id, StorageUsage(bytes_used, file_count, trash_bytes)))

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
                return sorted(user_id for user_id in user_ids if not user_id.startswith("#"))

    @translate_aws_errors
    async def list_file_rows(self, *, after: str | None, limit: int) -> tuple[list[Item], str | None]:
        response = await self._call(
            "scan",
            TableName=self._table,
            Limit=limit,
            FilterExpression="attribute_exists(objectKey)",
            **({"ExclusiveStartKey": json.loads(after)} if after else {}),
        )
        last = response.get("LastEvaluatedKey")
        return [item_of(record) for record in response.get("Items", [])], json.dumps(last) if last else None


def _usage_of(stored: dict[str, Any]) -> StorageUsage:
    """The totals and quota override of a `#usage` item (an absent one: zeros, no override)."""
    quota = stored.get("quotaBytes")
    return StorageUsage(
        int(stored.get("bytesUsed", {"N": "0"})["N"]),
        int(stored.get("fileCount", {"N": "0"})["N"]),
        int(stored.get("trashBytes", {"N": "0"})["N"]),
        int(quota["N"]) if quota else None,
    )
