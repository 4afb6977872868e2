"""Reading and writing single items: create with its name guard and the totals, rename and move
with the folders on the way checked, delete."""

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from scloud_common.aws import translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.dynamodb.access import TableAccess
from scloud_files.adapters.dynamodb.record import (
    guard_key,
    item_key,
    item_of,
    item_record,
    live_values,
    parent_value,
    set_expression,
)
from scloud_files.adapters.dynamodb.transaction import Transaction
from scloud_files.adapters.dynamodb.versions import current_version_key
from scloud_files.domain import AccountClosed, ChainChanged, FolderNotFound, Item, ItemKind, ItemNotFound, NameTaken


class ItemWrites(TableAccess):
    @translate_aws_errors
    async def create(self, item: Item) -> None:
        if item.kind is ItemKind.FILE:
            usage = self._usage_change(item.user_id, item.size or 0, 1)
            usage["ConditionExpression"] = "attribute_not_exists(closed)"
            account: dict[str, Any] = {"Update": usage}
        else:
            account = self._open_account(item.user_id)
        row = {
            "Put": {
                "TableName": self._table,
                "Item": item_record(item),
                "ConditionExpression": "attribute_not_exists(fileId)",
            }
        }
        transaction = Transaction().add("row", row).add("guard", self._take_guard(item)).add("account", account)
        if item.parent_id is not None:
            transaction.add("parent", self._live_folder_check(item.user_id, item.parent_id))
        # Derived from what is written, new id included: every retry of this create, ours or
        # botocore's, is the same request to DynamoDB, and a different one never shares it.
        cancelled = await self._transact(transaction, token=transaction.fingerprint())
        if cancelled is None:
            return
        if cancelled.refused("account"):
            raise AccountClosed()
        if cancelled.refused("row"):
            raise NameTaken(item.item_id)
        if cancelled.refused("parent"):
            raise FolderNotFound()
        if cancelled.refused("guard"):
            raise await self._name_taken(item)
        raise ServiceUnavailable()

    def _live_folder_check(self, user_id: str, folder_id: str) -> dict[str, Any]:
        return {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": item_key(user_id, folder_id),
                "ConditionExpression": "kind = :folder AND attribute_not_exists(trashedAt) "
                "AND attribute_not_exists(deleting)",
                "ExpressionAttributeValues": {":folder": {"S": ItemKind.FOLDER.value}},
            }
        }

    @translate_aws_errors
    async def begin_purge(self, folder: Item) -> None:
        try:
            await self._call(
                "update_item",
                TableName=self._table,
                Key=item_key(folder.user_id, folder.item_id),
                UpdateExpression="SET deleting = :true",
                ConditionExpression="attribute_exists(fileId)",
                ExpressionAttributeValues={":true": {"BOOL": True}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    @translate_aws_errors
    async def get(self, user_id: str, item_id: str) -> Item | None:
        response = await self._call(
            "get_item", TableName=self._table, Key=item_key(user_id, item_id), ConsistentRead=True
        )
        record = response.get("Item")
        return item_of(record) if record and not item_id.startswith("#") else None

    @translate_aws_errors
    async def get_many(self, user_id: str, item_ids: Sequence[str]) -> dict[str, Item]:
        keys = [item_key(user_id, item_id) for item_id in dict.fromkeys(item_ids) if not item_id.startswith("#")]
        return {item.item_id: item for item in map(item_of, await self._batch_get(keys, ConsistentRead=True))}

    @translate_aws_errors
    async def relocate(self, item: Item, moved: Item, *, target_chain: Sequence[Item] = ()) -> None:
        expression, names, values = set_expression(live_values(moved))
        update = {
            "Update": {
                "TableName": self._table,
                "Key": item_key(item.user_id, item.item_id),
                "UpdateExpression": expression,
                # The guard freed below must be the one this item holds: it has not moved meanwhile.
                "ConditionExpression": "attribute_exists(fileId) AND attribute_not_exists(trashedAt) "
                "AND #fileName = :oldName AND #parentId = :oldParent",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {
                    **values,
                    ":oldName": {"S": item.name},
                    ":oldParent": {"S": parent_value(item.parent_id)},
                },
            }
        }
        transaction = Transaction().add("row", update)
        if guard_key(item.user_id, item.parent_id, item.name) != guard_key(moved.user_id, moved.parent_id, moved.name):
            transaction.add("old guard", self._free_guard(item)).add("new guard", self._take_guard(moved))
        chain = [f"folder {folder.item_id}" for folder in target_chain]
        for name, folder in zip(chain, target_chain, strict=True):
            transaction.add(
                name,
                self._row_check(
                    folder,
                    "parentId = :parent AND attribute_not_exists(trashedAt)",
                    {":parent": {"S": parent_value(folder.parent_id)}},
                ),
            )
        cancelled = await self._transact(transaction)
        if cancelled is None:
            return
        if cancelled.refused("row"):
            raise ItemNotFound()
        if cancelled.refused(*chain):
            raise ChainChanged()
        if cancelled.refused("new guard"):
            raise await self._name_taken(moved)
        raise ServiceUnavailable()

    @translate_aws_errors
    async def delete(self, item: Item) -> None:
        row = {
            "Delete": {
                "TableName": self._table,
                "Key": item_key(item.user_id, item.item_id),
                "ConditionExpression": "attribute_exists(fileId)",
            }
        }
        transaction = Transaction().add("row", row)
        if not item.is_folder:
            trash = -(item.size or 0) if item.trashed_at is not None else 0
            transaction.add("usage", {"Update": self._usage_change(item.user_id, -(item.size or 0), -1, trash)})
            if (content_key := current_version_key(item)) is not None:
                transaction.add("content", {"Delete": {"TableName": self._table, "Key": content_key}})
        without_guard = Transaction(list(transaction.names), list(transaction.items))
        # A live item holds its name; a trashed one gave it up when it was trashed.
        if item.trashed_at is None:
            transaction.add("guard", self._free_guard(item))
        cancelled = await self._transact(transaction)
        if cancelled is not None and cancelled.refused("guard") and not cancelled.refused("row"):
            cancelled = await self._transact(without_guard)
        # A record already gone was taken off the totals by whoever removed it.
        if cancelled is not None and not cancelled.refused("row"):
            raise ServiceUnavailable()
