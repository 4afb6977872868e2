"""The trash in the table: trashing and restoring an item with its name guard, the trash listing,
and what is due for purge across users."""

from dataclasses import replace
from typing import Any

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
    thumbnail_shard,
)
from scloud_files.adapters.dynamodb.table import LIVE_ATTRIBUTES, PURGE_SHARDS, TRASH_ATTRIBUTES
from scloud_files.adapters.dynamodb.transaction import Transaction
from scloud_files.domain import KEY_SEPARATOR, Item, ItemNotFound, ThumbnailState, trash_key


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
        waiting = item.thumbnail is ThumbnailState.PENDING
        transaction = Transaction().add("row", self._restore_row(item, restored, waiting=waiting))
        transaction.add("guard", self._take_guard(restored))
        if not item.is_folder:
            transaction.add("usage", self._trash_change(item, -1))
        cancelled = await self._transact(transaction)
        if cancelled is None:
            return
        if cancelled.refused("row"):
            current = await self._trashed_state(item) if waiting else None
            # Its thumbnail was done while it was in the trash (after the caller read it): restored
            # as it is now, so it does not wait again for what it has.
            if current is not None and current is not ThumbnailState.PENDING:
                await self.restore(replace(item, thumbnail=current), restored)
                return
            raise ItemNotFound()
        if cancelled.refused("guard"):
            raise await self._name_taken(restored)
        raise ServiceUnavailable()

    def _restore_row(self, item: Item, restored: Item, *, waiting: bool) -> dict[str, Any]:
        """The row's update: back in its folder's listings, out of the trash; a file still
        waiting for its thumbnail back among those that wait (the trash took its byPurge keys),
        on condition that it still waits."""
        values = live_values(restored)
        removed: tuple[str, ...] = TRASH_ATTRIBUTES
        condition = "attribute_exists(trashedAt) AND attribute_not_exists(deleting)"
        if waiting:
            values |= {"purgeShard": {"S": thumbnail_shard(item.item_id)}, "purgeAt": {"S": item.item_id}}
            removed = tuple(name for name in TRASH_ATTRIBUTES if name not in values)
            condition += " AND #thumbnail = :thumbnailPending"
        expression, names, expression_values = set_expression(values)
        if waiting:
            names["#thumbnail"] = "thumbnail"
            expression_values[":thumbnailPending"] = {"S": ThumbnailState.PENDING.value}
        return {
            "Update": {
                "TableName": self._table,
                "Key": item_key(item.user_id, item.item_id),
                "UpdateExpression": expression + " REMOVE " + ", ".join(removed),
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": expression_values,
            }
        }

    async def _trashed_state(self, item: Item) -> ThumbnailState | None:
        """The thumbnail state of the item if it is still in the trash (not being deleted)."""
        response = await self._call(
            "get_item", TableName=self._table, Key=item_key(item.user_id, item.item_id), ConsistentRead=True
        )
        record = response.get("Item")
        if record is None:
            return None
        current = item_of(record)
        return current.thumbnail if current.trashed_at is not None and not current.deleting else None

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
