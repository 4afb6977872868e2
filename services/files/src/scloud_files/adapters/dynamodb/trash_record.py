"""The trash in the table: trashing and restoring an item with its name guard, the trash listing,
and what is due for purge across users."""

from dataclasses import replace

from botocore.exceptions import ClientError

from scloud_common.aws import translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.dynamodb.access import TableAccess
from scloud_files.adapters.dynamodb.record import (
    item_key,
    item_of,
    live_values,
    purge_at_key,
    purge_shard,
    set_expression,
)
from scloud_files.adapters.dynamodb.table import LIVE_ATTRIBUTES, PURGE_SHARDS, TRASH_ATTRIBUTES
from scloud_files.adapters.dynamodb.transaction import Transaction
from scloud_files.domain import KEY_SEPARATOR, Item, ItemNotFound, trash_key


class TrashRecords(TableAccess):
    @translate_aws_errors
    async def trash(self, item: Item, *, trashed_at: str, purge_at: str) -> Item:
        trashed = replace(item, trashed_at=trashed_at, purge_at=purge_at)
        update = {
            "Update": {
                "TableName": self._table,
                "Key": item_key(item.user_id, item.item_id),
                "UpdateExpression": "SET trashedAt = :at, trashUser = :user, trashKey = :key, "
                "purgeShard = :shard, purgeAt = :purge REMOVE " + ", ".join(LIVE_ATTRIBUTES),
                "ConditionExpression": "attribute_exists(fileId) AND attribute_not_exists(trashedAt)",
                "ExpressionAttributeValues": {
                    ":at": {"S": trashed_at},
                    ":user": {"S": item.user_id},
                    ":key": {"S": trash_key(trashed)},
                    ":shard": {"S": purge_shard(item.item_id)},
                    ":purge": {"S": purge_at_key(item, purge_at)},
                },
            }
        }
        transaction = Transaction().add("row", update).add("guard", self._free_guard(item))
        if not item.is_folder:
            transaction.add("usage", self._trash_change(item, 1))
        cancelled = await self._transact(transaction)
        if cancelled is None:
            return trashed
        if cancelled.refused("row"):
            raise ItemNotFound()
        raise ServiceUnavailable()

    @translate_aws_errors
    async def restore(self, item: Item, restored: Item) -> None:
        expression, names, values = set_expression(live_values(restored))
        update = {
            "Update": {
                "TableName": self._table,
                "Key": item_key(item.user_id, item.item_id),
                "UpdateExpression": expression + " REMOVE " + ", ".join(TRASH_ATTRIBUTES),
                "ConditionExpression": "attribute_exists(trashedAt) AND attribute_not_exists(deleting)",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }
        transaction = Transaction().add("row", update).add("guard", self._take_guard(restored))
        if not item.is_folder:
            transaction.add("usage", self._trash_change(item, -1))
        cancelled = await self._transact(transaction)
        if cancelled is None:
            return
        if cancelled.refused("row"):
            raise ItemNotFound()
        if cancelled.refused("guard"):
            raise await self._name_taken(restored)
        raise ServiceUnavailable()

    @translate_aws_errors
    async def list_trash(self, user_id: str, *, limit: int, after_key: str | None) -> tuple[list[Item], str | None]:
        start = None
        if after_key is not None:
            item_id = after_key.rpartition(KEY_SEPARATOR)[2]
            start = {"trashUser": {"S": user_id}, "trashKey": {"S": after_key}, **item_key(user_id, item_id)}
        records, more = await self._read_page(
            limit=limit,
            start=start,
            IndexName="byTrash",
            KeyConditionExpression="trashUser = :user",
            ExpressionAttributeValues={":user": {"S": user_id}},
            ScanIndexForward=False,
        )
        return [item_of(record) for record in records], records[-1]["trashKey"]["S"] if more and records else None

    @translate_aws_errors
    async def schedule_purge(self, item: Item, *, purge_at: str) -> None:
        try:
            await self._call(
                "update_item",
                TableName=self._table,
                Key=item_key(item.user_id, item.item_id),
                UpdateExpression="SET deleting = :true, purgeAt = :purge, purgeShard = :shard REMOVE trashUser, trashKey",
                ConditionExpression="attribute_exists(trashedAt)",
                ExpressionAttributeValues={
                    ":true": {"BOOL": True},
                    ":purge": {"S": purge_at_key(item, purge_at)},
                    ":shard": {"S": purge_shard(item.item_id)},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    @translate_aws_errors
    async def due_for_purge(self, now: str, *, limit: int) -> list[Item]:
        # "$" follows "#", so every purge time up to and including `now` is below the bound.
        due: list[Item] = []
        for shard in range(PURGE_SHARDS):
            response = await self._query_page(
                IndexName="byPurge",
                KeyConditionExpression="purgeShard = :shard AND purgeAt < :bound",
                ExpressionAttributeValues={":shard": {"S": f"purge#{shard}"}, ":bound": {"S": now + "$"}},
                Limit=limit - len(due),
            )
            due += map(item_of, response.get("Items", []))
            if len(due) >= limit:
                break
        return due
