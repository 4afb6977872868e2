"""Everything the files table holds, read a page at a time (a scan) and written back, for moving
an installation between stores (`python -m scloud_admin`). Items are written as the repository
writes them (record.py): a live item with its index attributes and its name guard, a trashed one
with its trash attributes instead, and the user's totals item as it is; guards and archive links
are never read as records."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from scloud_common.aws import AwsCall, translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_common.transfer import TransferRecord, WriteOutcome
from scloud_files.adapters.dynamodb.access import BATCH_ATTEMPTS, BATCH_GET_SIZE, BATCH_WRITE_SIZE
from scloud_files.adapters.dynamodb.record import (
    guard_key,
    item_key,
    item_of,
    item_record,
    legacy_file_record,
    purge_at_key,
    purge_shard,
    unfiled_file_of,
    usage_key,
)
from scloud_files.adapters.dynamodb.table import LIVE_ATTRIBUTES, USAGE_SORT_KEY
from scloud_files.domain import Item, is_file_id, trash_key
from scloud_files.transfer_record import (
    UNFILED,
    USAGE,
    item_transfer_record,
    unfiled_of,
    unfiled_record,
    usage_record,
)
from scloud_files.transfer_record import item_of as transferred_item


def record_of(stored: dict[str, Any]) -> TransferRecord | None:
    """The transfer record a table item holds; None for what is derived (guards) or short-lived
    (archive links), and for zero totals of an open account."""
    file_id = stored["fileId"]["S"]
    if file_id == USAGE_SORT_KEY:
        return usage_record(
            stored["userId"]["S"],
            bytes_used=int(stored.get("bytesUsed", {"N": "0"})["N"]),
            file_count=int(stored.get("fileCount", {"N": "0"})["N"]),
            closed=stored.get("closed", {}).get("BOOL", False),
            trash_bytes=int(stored.get("trashBytes", {"N": "0"})["N"]),
            quota_bytes=int(stored["quotaBytes"]["N"]) if "quotaBytes" in stored else None,
        )
    if not is_file_id(file_id):
        return None
    if "kind" not in stored:
        return unfiled_record(unfiled_file_of(stored))
    item = item_of(stored)
    # "Delete forever" takes the item out of the trash listing; the purge's mark on a folder
    # leaves it where it is.
    scheduled = item.trashed_at is not None and "trashUser" not in stored
    return item_transfer_record(Item(**{**vars(item), "deleting": scheduled}), purging=item.deleting and not scheduled)


def stored_items(record: TransferRecord) -> list[dict[str, Any]]:
    """The table items a record is written as: the item and, for a live item, its name guard."""
    if record.kind == USAGE:
        body = record.body
        stored = {
            **usage_key(body["user_id"]),
            "bytesUsed": {"N": str(body["bytes_used"])},
            "fileCount": {"N": str(body["file_count"])},
        }
        if body["closed"]:
            stored["closed"] = {"BOOL": True}
        if body.get("trash_bytes"):
            stored["trashBytes"] = {"N": str(body["trash_bytes"])}
        if body.get("quota_bytes") is not None:
            stored["quotaBytes"] = {"N": str(body["quota_bytes"])}
        return [stored]
    if record.kind == UNFILED:
        return [legacy_file_record(unfiled_of(record))]
    item, purging = transferred_item(record)
    stored = item_record(item)
    if item.deleting or purging:
        stored["deleting"] = {"BOOL": True}
    if item.trashed_at is None:
        guard = {**guard_key(item.user_id, item.parent_id, item.name), "itemId": {"S": item.item_id}}
        return [stored, guard]
    for attribute in LIVE_ATTRIBUTES:
        stored.pop(attribute, None)
    stored["trashedAt"] = {"S": item.trashed_at}
    stored["purgeShard"] = {"S": purge_shard(item.item_id)}
    if item.purge_at is not None:
        stored["purgeAt"] = {"S": purge_at_key(item, item.purge_at)}
    if not item.deleting:
        stored["trashUser"] = {"S": item.user_id}
        stored["trashKey"] = {"S": trash_key(item)}
    return [stored]


def _key_of(record: TransferRecord) -> dict[str, Any]:
    if record.kind == USAGE:
        return usage_key(record.key)
    user_id, item_id = record.key.split("/", 1)
    return item_key(user_id, item_id)


class DynamoDbFilesTransfer:
    service = "files"

    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._table = table_name
        self._call = AwsCall(client)

    async def pages(self, size: int) -> AsyncIterator[list[TransferRecord]]:
        start: dict[str, Any] | None = None
        while True:
            response = await self._scan(size, start)
            records = [record for record in map(record_of, response.get("Items", [])) if record is not None]
            if records:
                yield records
            start = response.get("LastEvaluatedKey")
            if not start:
                return

    @translate_aws_errors
    async def _scan(self, size: int, start: dict[str, Any] | None) -> dict[str, Any]:
        return await self._call(
            "scan",
            TableName=self._table,
            Limit=size,
            ConsistentRead=True,
            **({"ExclusiveStartKey": start} if start else {}),
        )

    @translate_aws_errors
    async def write(self, records: Sequence[TransferRecord]) -> WriteOutcome:
        existing = await self._existing(records)
        changed = [record for record in records if existing.get(record.key) != record]
        for record in changed:
            stale = existing.get(record.key)
            if stale is not None and stale.kind == record.kind and record.kind not in (USAGE, UNFILED):
                await self._free_guard(stale)
        puts = [stored for record in changed for stored in stored_items(record)]
        for start in range(0, len(puts), BATCH_WRITE_SIZE):
            await self._batch_put(puts[start : start + BATCH_WRITE_SIZE])
        return WriteOutcome(written=len(changed), unchanged=len(records) - len(changed))

    async def _existing(self, records: Sequence[TransferRecord]) -> dict[str, TransferRecord]:
        found: dict[str, TransferRecord] = {}
        keys = [_key_of(record) for record in records]
        for start in range(0, len(keys), BATCH_GET_SIZE):
            pending: dict[str, Any] = {
                self._table: {"Keys": keys[start : start + BATCH_GET_SIZE], "ConsistentRead": True}
            }
            for attempt in range(BATCH_ATTEMPTS):
                response = await self._call("batch_get_item", RequestItems=pending)
                for stored in response.get("Responses", {}).get(self._table, []):
                    record = record_of(stored)
                    if record is not None:
                        found[record.key] = record
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
                await asyncio.sleep(min(0.05 * 2**attempt, 2.0))
            else:
                raise ServiceUnavailable()
        return found

    async def _free_guard(self, stale: TransferRecord) -> None:
        """Removes the name guard a live item being replaced holds, if it still names it."""
        item, _ = transferred_item(stale)
        if item.trashed_at is not None:
            return
        try:
            await self._call(
                "delete_item",
                TableName=self._table,
                Key=guard_key(item.user_id, item.parent_id, item.name),
                ConditionExpression="itemId = :id",
                ExpressionAttributeValues={":id": {"S": item.item_id}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    async def _batch_put(self, stored: list[dict[str, Any]]) -> None:
        pending: dict[str, Any] = {self._table: [{"PutRequest": {"Item": item}} for item in stored]}
        for attempt in range(BATCH_ATTEMPTS):
            response = await self._call("batch_write_item", RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
            if not pending:
                return
            await asyncio.sleep(min(0.05 * 2**attempt, 2.0))
        raise ServiceUnavailable()

    async def close(self) -> None:
        return None
