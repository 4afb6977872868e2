"""FileRepository on DynamoDB: table `<prefix>files`, partition key userId, sort key fileId.
docs/data-model.md describes the items and indexes; in short:

- files and folders are items keyed by their ULID, with `parentId` (`root` for the root);
- `#name#<parentId>#<folded name>` guards hold each folder's names, written in the same
  transaction as the item, so names are unique per folder whatever runs concurrently;
- `#usage` holds the user's totals (trashed files count until purged), updated in the same
  transaction as the file rows, conditioned on the account not being closed;
- sparse GSIs list a folder in each order (byName, bySize, byModified, partition
  `<userId>#<parentId>`), the user's names (byOwner, for search), the trash (byTrash) and what
  is due for purge (byPurge, across users). An item is in an index only while it carries that
  index's key attributes, which trashing removes or sets in one write.
"""

import asyncio
import logging
import random
import zlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from scloud_common.aws import RETRYABLE_CANCELLATION_REASONS, AwsCall, cancellation_reasons, translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.domain import (
    KEY_SEPARATOR,
    AccountClosed,
    ArchiveRequest,
    ChainChanged,
    InvalidCursor,
    Item,
    ItemKind,
    ItemNotFound,
    NameTaken,
    SortField,
    StorageUsage,
    UnfiledFile,
    fold_name,
    segments,
    sort_key,
    sort_key_item_id,
    trash_key,
)

logger = logging.getLogger(__name__)

USAGE_SORT_KEY = "#usage"
ROOT = "root"
GUARD_PREFIX = "#name#"
ARCHIVE_PREFIX = "#archive#"
ARCHIVE_SORT_KEY = "#archive"
TTL_ATTRIBUTE = "ttl"
PURGE_SHARDS = 16
BATCH_WRITE_SIZE = 25
BATCH_GET_SIZE = 100
BATCH_ATTEMPTS = 8
TRANSACTION_ATTEMPTS = 6
# File and folder ids are ULIDs, whose first character is 0-7: this range holds only them.
ITEM_RANGE = {"KeyConditionExpression": "userId = :user AND fileId BETWEEN :first AND :last"}
ITEM_BOUNDS = {":first": {"S": "0"}, ":last": {"S": "8"}}

SORT_INDEXES = {
    SortField.NAME: ("byName", "nameKey"),
    SortField.SIZE: ("bySize", "sizeKey"),
    SortField.MODIFIED: ("byModified", "modifiedKey"),
}
# What a search reads of each item: no object key, no index keys.
SEARCH_ATTRIBUTES = ["kind", "fileName", "parentId", "fileSize", "contentType", "createdAt", "modifiedAt"]
# Attributes only a live item has (in its folder's listings and in search), removed when trashed.
LIVE_ATTRIBUTES = ("folderKey", "nameKey", "sizeKey", "modifiedKey", "ownerId")
TRASH_ATTRIBUTES = ("trashedAt", "trashUser", "trashKey", "purgeShard", "purgeAt")


def _index(name: str, partition: str, sort: str, projection: dict[str, Any]) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": partition, "KeyType": "HASH"}, {"AttributeName": sort, "KeyType": "RANGE"}],
        "Projection": projection,
    }


def table_definition(table_name: str) -> dict[str, Any]:
    key_attributes = ["userId", "fileId", "folderKey", "nameKey", "sizeKey", "modifiedKey", "ownerId"]
    key_attributes += ["trashUser", "trashKey", "purgeShard", "purgeAt"]
    everything = {"ProjectionType": "ALL"}
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": "S"} for name in key_attributes],
        "KeySchema": [
            {"AttributeName": "userId", "KeyType": "HASH"},
            {"AttributeName": "fileId", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            *(_index(index, "folderKey", attribute, everything) for index, attribute in SORT_INDEXES.values()),
            _index(
                "byOwner",
                "ownerId",
                "fileId",
                {"ProjectionType": "INCLUDE", "NonKeyAttributes": SEARCH_ATTRIBUTES},
            ),
            _index("byTrash", "trashUser", "trashKey", everything),
            _index("byPurge", "purgeShard", "purgeAt", everything),
        ],
        "SSESpecification": {"Enabled": True},
    }


def _key(user_id: str, file_id: str) -> dict[str, Any]:
    return {"userId": {"S": user_id}, "fileId": {"S": file_id}}


def _usage_key(user_id: str) -> dict[str, Any]:
    return _key(user_id, USAGE_SORT_KEY)


def _parent(parent_id: str | None) -> str:
    return parent_id or ROOT


def _guard_key(user_id: str, parent_id: str | None, name: str) -> dict[str, Any]:
    return _key(user_id, f"{GUARD_PREFIX}{_parent(parent_id)}#{fold_name(name)}")


def _folder_key(user_id: str, parent_id: str | None) -> str:
    return f"{user_id}#{_parent(parent_id)}"


def _purge_shard(item_id: str) -> str:
    return f"purge#{zlib.crc32(item_id.encode()) % PURGE_SHARDS}"


def _purge_at(item: Item, purge_at: str) -> str:
    return f"{purge_at}#{item.user_id}#{item.item_id}"


def _live_values(item: Item) -> dict[str, Any]:
    return {
        "fileName": {"S": item.name},
        "parentId": {"S": _parent(item.parent_id)},
        "modifiedAt": {"S": item.modified_at},
        "folderKey": {"S": _folder_key(item.user_id, item.parent_id)},
        "nameKey": {"S": sort_key(item, SortField.NAME)},
        "sizeKey": {"S": sort_key(item, SortField.SIZE)},
        "modifiedKey": {"S": sort_key(item, SortField.MODIFIED)},
        "ownerId": {"S": item.user_id},
    }


def _set_expression(values: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    names = {f"#{name}": name for name in values}
    return (
        "SET " + ", ".join(f"#{name} = :{name}" for name in values),
        names,
        {f":{name}": value for name, value in values.items()},
    )


def item_record(item: Item) -> dict[str, Any]:
    record = {**_key(item.user_id, item.item_id), "kind": {"S": item.kind.value}, "createdAt": {"S": item.created_at}}
    record.update(_live_values(item))
    if item.kind is ItemKind.FILE:
        record.update(
            {
                "fileSize": {"N": str(item.size or 0)},
                "contentType": {"S": item.content_type or ""},
                "uploadDate": {"S": item.created_at},
                "objectKey": {"S": item.object_key or ""},
            }
        )
    return record


def legacy_file_record(file: UnfiledFile) -> dict[str, Any]:
    """A file as recorded before folders existed; for the migration's tests."""
    return {
        **_key(file.user_id, file.file_id),
        "fileName": {"S": file.file_name},
        "fileSize": {"N": str(file.file_size)},
        "contentType": {"S": file.content_type},
        "uploadDate": {"S": file.upload_date},
        "objectKey": {"S": file.object_key},
    }


def _item(record: dict[str, Any]) -> Item:
    def text(name: str) -> str | None:
        return record[name]["S"] if name in record else None

    kind = ItemKind(text("kind") or ItemKind.FILE.value)
    parent = text("parentId")
    purge_at = text("purgeAt")
    created = text("createdAt") or text("uploadDate") or ""
    return Item(
        item_id=record["fileId"]["S"],
        user_id=record["userId"]["S"],
        kind=kind,
        name=text("fileName") or "",
        parent_id=None if parent in (None, ROOT) else parent,
        created_at=created,
        modified_at=text("modifiedAt") or created,
        size=int(record["fileSize"]["N"]) if kind is ItemKind.FILE and "fileSize" in record else None,
        content_type=text("contentType") if kind is ItemKind.FILE else None,
        object_key=text("objectKey"),
        trashed_at=text("trashedAt"),
        purge_at=purge_at.split("#", 1)[0] if purge_at else None,
        deleting=record.get("deleting", {}).get("BOOL", False),
    )


def _unfiled_file(record: dict[str, Any]) -> UnfiledFile:
    return UnfiledFile(
        file_id=record["fileId"]["S"],
        user_id=record["userId"]["S"],
        file_name=record["fileName"]["S"],
        file_size=int(record["fileSize"]["N"]),
        content_type=record["contentType"]["S"],
        upload_date=record["uploadDate"]["S"],
        object_key=record["objectKey"]["S"],
    )


class DynamoDbFileRepository:
    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._table = table_name
        # No shared TableName: transactions name the table per item.
        self._call = AwsCall(client)

    # Plumbing

    async def _query_all(self, **params: Any) -> AsyncIterator[list[dict[str, Any]]]:
        start: dict[str, Any] | None = None
        while True:
            response = await self._query_page(**params, **({"ExclusiveStartKey": start} if start else {}))
            yield response.get("Items", [])
            start = response.get("LastEvaluatedKey")
            if not start:
                return

    @translate_aws_errors
    async def _query_page(self, **params: Any) -> dict[str, Any]:
        return await self._call("query", TableName=self._table, **params)

    def _items_of(self, user_id: str, **params: Any) -> AsyncIterator[list[dict[str, Any]]]:
        values = {":user": {"S": user_id}, **ITEM_BOUNDS, **params.pop("ExpressionAttributeValues", {})}
        return self._query_all(**ITEM_RANGE, ExpressionAttributeValues=values, **params)

    def _usage_change(self, user_id: str, size: int, count: int) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Key": _usage_key(user_id),
            "UpdateExpression": "ADD bytesUsed :size, fileCount :count",
            "ExpressionAttributeValues": {":size": {"N": str(size)}, ":count": {"N": str(count)}},
        }

    def _open_account(self, user_id: str) -> dict[str, Any]:
        return {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": _usage_key(user_id),
                "ConditionExpression": "attribute_not_exists(closed)",
            }
        }

    def _take_guard(self, item: Item) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": {**_guard_key(item.user_id, item.parent_id, item.name), "itemId": {"S": item.item_id}},
                "ConditionExpression": "attribute_not_exists(fileId)",
            }
        }

    def _free_guard(self, item: Item) -> dict[str, Any]:
        return {
            "Delete": {
                "TableName": self._table,
                "Key": _guard_key(item.user_id, item.parent_id, item.name),
                "ConditionExpression": "itemId = :id",
                "ExpressionAttributeValues": {":id": {"S": item.item_id}},
            }
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

    async def _name_taken(self, item: Item) -> NameTaken:
        holders = await self.name_holders(item.user_id, item.parent_id, [item.name])
        return NameTaken(holders.get(item.name, ""))

    async def _batch_get(self, keys: list[dict[str, Any]], **params: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), BATCH_GET_SIZE):
            pending: dict[str, Any] = {self._table: {"Keys": keys[start : start + BATCH_GET_SIZE], **params}}
            for attempt in range(BATCH_ATTEMPTS):
                response = await self._call("batch_get_item", RequestItems=pending)
                found += response.get("Responses", {}).get(self._table, [])
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
                await asyncio.sleep(min(0.05 * 2**attempt, 2.0))
            else:
                raise ServiceUnavailable()
        return found

    # Items

    @translate_aws_errors
    async def create(self, item: Item) -> None:
        account: dict[str, Any]
        if item.kind is ItemKind.FILE:
            usage = self._usage_change(item.user_id, item.size or 0, 1)
            usage["ConditionExpression"] = "attribute_not_exists(closed)"
            account = {"Update": usage}
        else:
            account = self._open_account(item.user_id)
        record = {
            "Put": {
                "TableName": self._table,
                "Item": item_record(item),
                "ConditionExpression": "attribute_not_exists(fileId)",
            }
        }
        reasons = await self._transact([record, self._take_guard(item), account])
        if reasons is None:
            return
        if reasons[2] == "ConditionalCheckFailed":
            raise AccountClosed()
        if reasons[1] == "ConditionalCheckFailed":
            raise await self._name_taken(item)
        raise ServiceUnavailable()

    @translate_aws_errors
    async def get(self, user_id: str, item_id: str) -> Item | None:
        response = await self._call("get_item", TableName=self._table, Key=_key(user_id, item_id), ConsistentRead=True)
        record = response.get("Item")
        return _item(record) if record and not item_id.startswith("#") else None

    @translate_aws_errors
    async def get_many(self, user_id: str, item_ids: Sequence[str]) -> dict[str, Item]:
        keys = [_key(user_id, item_id) for item_id in dict.fromkeys(item_ids) if not item_id.startswith("#")]
        return {item.item_id: item for item in map(_item, await self._batch_get(keys, ConsistentRead=True))}

    @translate_aws_errors
    async def name_holders(self, user_id: str, parent_id: str | None, names: Sequence[str]) -> dict[str, str]:
        guard_ids = {name: _guard_key(user_id, parent_id, name)["fileId"]["S"] for name in names}
        guards = await self._batch_get(
            [_key(user_id, guard_id) for guard_id in set(guard_ids.values())],
            ConsistentRead=True,
            ProjectionExpression="fileId, itemId",
        )
        holders = {guard["fileId"]["S"]: guard["itemId"]["S"] for guard in guards}
        return {name: holders[guard_id] for name, guard_id in guard_ids.items() if guard_id in holders}

    @translate_aws_errors
    async def relocate(self, item: Item, moved: Item, *, target_chain: Sequence[Item] = ()) -> None:
        expression, names, values = _set_expression(_live_values(moved))
        update = {
            "Update": {
                "TableName": self._table,
                "Key": _key(item.user_id, item.item_id),
                "UpdateExpression": expression,
                # The guard freed below must be the one this item holds: it has not moved meanwhile.
                "ConditionExpression": "attribute_exists(fileId) AND attribute_not_exists(trashedAt) "
                "AND #fileName = :oldName AND #parentId = :oldParent",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {
                    **values,
                    ":oldName": {"S": item.name},
                    ":oldParent": {"S": _parent(item.parent_id)},
                },
            }
        }
        same_guard = _guard_key(item.user_id, item.parent_id, item.name) == _guard_key(
            moved.user_id, moved.parent_id, moved.name
        )
        guards = [] if same_guard else [self._free_guard(item), self._take_guard(moved)]
        checks = [
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": _key(folder.user_id, folder.item_id),
                    "ConditionExpression": "parentId = :parent AND attribute_not_exists(trashedAt)",
                    "ExpressionAttributeValues": {":parent": {"S": _parent(folder.parent_id)}},
                }
            }
            for folder in target_chain
        ]
        reasons = await self._transact([update, *guards, *checks])
        if reasons is None:
            return
        if reasons[0] == "ConditionalCheckFailed":
            raise ItemNotFound()
        if "ConditionalCheckFailed" in reasons[1 + len(guards) :]:
            raise ChainChanged()
        if guards and reasons[2] == "ConditionalCheckFailed":
            raise await self._name_taken(moved)
        raise ServiceUnavailable()

    async def _index_page(
        self, index: str, partition: tuple[str, str], sort_attribute: str, prefix: str, **params: Any
    ) -> dict[str, Any]:
        if not prefix:
            return await self._query_page(
                IndexName=index,
                KeyConditionExpression="#p = :p",
                ExpressionAttributeNames={"#p": partition[0]},
                ExpressionAttributeValues={":p": {"S": partition[1]}},
                **params,
            )
        return await self._query_page(
            IndexName=index,
            KeyConditionExpression="#p = :p AND begins_with(#s, :prefix)",
            ExpressionAttributeNames={"#p": partition[0], "#s": sort_attribute},
            ExpressionAttributeValues={":p": {"S": partition[1]}, ":prefix": {"S": prefix}},
            **params,
        )

    @translate_aws_errors
    async def list_children(
        self,
        user_id: str,
        parent_id: str | None,
        *,
        sort: SortField,
        descending: bool,
        kinds: Sequence[ItemKind],
        limit: int,
        after_key: str | None,
    ) -> tuple[list[Item], str | None]:
        index, attribute = SORT_INDEXES[sort]
        folder_key = _folder_key(user_id, parent_id)
        ranks = segments(kinds)
        start: dict[str, Any] | None = None
        if after_key is not None:
            after_id = sort_key_item_id(after_key)
            if after_id is None or after_key[0] not in ranks:
                raise InvalidCursor()
            ranks = ranks[ranks.index(after_key[0]) :]
            start = {
                "folderKey": {"S": folder_key},
                attribute: {"S": after_key},
                **_key(user_id, after_id),
            }
        # Ascending, folders (rank 0) then files (rank 1) is the index's own order: one Query
        # reads across both. Descending, each kind is read on its own, folders first.
        prefixes = [""] if not descending and len(ranks) == 2 else [rank + KEY_SEPARATOR for rank in ranks]
        # One item more than asked tells whether another page exists, so the last page never
        # hands out a cursor to an empty one.
        records: list[dict[str, Any]] = []
        for prefix in prefixes:
            while len(records) <= limit:
                response = await self._index_page(
                    index,
                    ("folderKey", folder_key),
                    attribute,
                    prefix,
                    ScanIndexForward=not descending,
                    Limit=limit + 1 - len(records),
                    **({"ExclusiveStartKey": start} if start else {}),
                )
                records += response.get("Items", [])
                start = response.get("LastEvaluatedKey")
                if not start:
                    break
            start = None
            if len(records) > limit:
                break
        items = [_item(record) for record in records[:limit]]
        return items, records[limit - 1][attribute]["S"] if len(records) > limit else None

    async def iter_children(self, user_id: str, parent_id: str | None) -> AsyncIterator[list[Item]]:
        async for records in self._query_all(
            IndexName="byName",
            KeyConditionExpression="folderKey = :folder",
            ExpressionAttributeValues={":folder": {"S": _folder_key(user_id, parent_id)}},
        ):
            if records:
                yield [_item(record) for record in records]

    @translate_aws_errors
    async def list_live(self, user_id: str) -> list[Item]:
        items: list[Item] = []
        async for records in self._query_all(
            IndexName="byOwner",
            KeyConditionExpression="ownerId = :user",
            ExpressionAttributeValues={":user": {"S": user_id}},
        ):
            items += map(_item, records)
        return items

    # Trash

    @translate_aws_errors
    async def trash(self, item: Item, *, trashed_at: str, purge_at: str) -> Item:
        trashed = replace(item, trashed_at=trashed_at, purge_at=purge_at)
        update = {
            "Update": {
                "TableName": self._table,
                "Key": _key(item.user_id, item.item_id),
                "UpdateExpression": "SET trashedAt = :at, trashUser = :user, trashKey = :key, "
                "purgeShard = :shard, purgeAt = :purge REMOVE " + ", ".join(LIVE_ATTRIBUTES),
                "ConditionExpression": "attribute_exists(fileId) AND attribute_not_exists(trashedAt)",
                "ExpressionAttributeValues": {
                    ":at": {"S": trashed_at},
                    ":user": {"S": item.user_id},
                    ":key": {"S": trash_key(trashed)},
                    ":shard": {"S": _purge_shard(item.item_id)},
                    ":purge": {"S": _purge_at(item, purge_at)},
                },
            }
        }
        reasons = await self._transact([update, self._free_guard(item)])
        if reasons is None:
            return trashed
        if reasons[0] == "ConditionalCheckFailed":
            raise ItemNotFound()
        raise ServiceUnavailable()

    @translate_aws_errors
    async def restore(self, item: Item, restored: Item) -> None:
        expression, names, values = _set_expression(_live_values(restored))
        update = {
            "Update": {
                "TableName": self._table,
                "Key": _key(item.user_id, item.item_id),
                "UpdateExpression": expression + " REMOVE " + ", ".join(TRASH_ATTRIBUTES),
                "ConditionExpression": "attribute_exists(trashedAt) AND attribute_not_exists(deleting)",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }
        reasons = await self._transact([update, self._take_guard(restored)])
        if reasons is None:
            return
        if reasons[0] == "ConditionalCheckFailed":
            raise ItemNotFound()
        if reasons[1] == "ConditionalCheckFailed":
            raise await self._name_taken(restored)
        raise ServiceUnavailable()

    @translate_aws_errors
    async def list_trash(self, user_id: str, *, limit: int, after_key: str | None) -> tuple[list[Item], str | None]:
        start = None
        if after_key is not None:
            item_id = after_key.rpartition(KEY_SEPARATOR)[2]
            start = {"trashUser": {"S": user_id}, "trashKey": {"S": after_key}, **_key(user_id, item_id)}
        records: list[dict[str, Any]] = []
        while len(records) <= limit:
            response = await self._query_page(
                IndexName="byTrash",
                KeyConditionExpression="trashUser = :user",
                ExpressionAttributeValues={":user": {"S": user_id}},
                ScanIndexForward=False,
                Limit=limit + 1 - len(records),
                **({"ExclusiveStartKey": start} if start else {}),
            )
            records += response.get("Items", [])
            start = response.get("LastEvaluatedKey")
            if not start:
                break
        return [_item(record) for record in records[:limit]], (
            records[limit - 1]["trashKey"]["S"] if len(records) > limit else None
        )

    @translate_aws_errors
    async def schedule_purge(self, item: Item, *, purge_at: str) -> None:
        try:
            await self._call(
                "update_item",
                TableName=self._table,
                Key=_key(item.user_id, item.item_id),
                UpdateExpression="SET deleting = :true, purgeAt = :purge, purgeShard = :shard REMOVE trashUser, trashKey",
                ConditionExpression="attribute_exists(trashedAt)",
                ExpressionAttributeValues={
                    ":true": {"BOOL": True},
                    ":purge": {"S": _purge_at(item, purge_at)},
                    ":shard": {"S": _purge_shard(item.item_id)},
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
            due += map(_item, response.get("Items", []))
            if len(due) >= limit:
                break
        return due

    @translate_aws_errors
    async def delete(self, item: Item) -> None:
        row = {
            "Delete": {
                "TableName": self._table,
                "Key": _key(item.user_id, item.item_id),
                "ConditionExpression": "attribute_exists(fileId)",
            }
        }
        usage = [{"Update": self._usage_change(item.user_id, -(item.size or 0), -1)}] if not item.is_folder else []
        # A live item holds its name; a trashed one gave it up when it was trashed.
        guard = [self._free_guard(item)] if item.trashed_at is None else []
        reasons = await self._transact([row, *usage, *guard])
        if reasons is None or reasons[0] == "ConditionalCheckFailed":
            # A record already gone was taken off the totals by whoever removed it.
            return
        if guard and reasons[-1] == "ConditionalCheckFailed":
            reasons = await self._transact([row, *usage])
            if reasons is None or reasons[0] == "ConditionalCheckFailed":
                return
        raise ServiceUnavailable()

    # The deprecated flat listing, and the migration of files recorded before folders

    @translate_aws_errors
    async def list_newest(
        self, user_id: str, *, kind: ItemKind, limit: int, after_id: str | None
    ) -> tuple[list[Item], str | None]:
        # Ids are ULIDs: the owner index read backwards is newest first. Items of the other kind
        # are filtered out after the read, so a page may take more than one.
        records: list[dict[str, Any]] = []
        start = {"ownerId": {"S": user_id}, **_key(user_id, after_id)} if after_id else None
        while len(records) <= limit:
            response = await self._query_page(
                IndexName="byOwner",
                KeyConditionExpression="ownerId = :user",
                FilterExpression="kind = :kind",
                ExpressionAttributeValues={":user": {"S": user_id}, ":kind": {"S": kind.value}},
                ScanIndexForward=False,
                Limit=limit + 1 - len(records),
                **({"ExclusiveStartKey": start} if start else {}),
            )
            records += response.get("Items", [])
            start = response.get("LastEvaluatedKey")
            if not start:
                break
        return [_item(record) for record in records[:limit]], (
            records[limit - 1]["fileId"]["S"] if len(records) > limit else None
        )

    @translate_aws_errors
    async def list_unfiled(self, user_id: str) -> list[UnfiledFile]:
        files: list[UnfiledFile] = []
        async for records in self._items_of(user_id, FilterExpression="attribute_not_exists(kind)"):
            files += map(_unfiled_file, records)
        return files

    @translate_aws_errors
    async def file_into_root(self, file: UnfiledFile, *, name: str) -> None:
        item = Item(
            item_id=file.file_id,
            user_id=file.user_id,
            kind=ItemKind.FILE,
            name=name,
            parent_id=None,
            created_at=file.upload_date,
            modified_at=file.upload_date,
            size=file.file_size,
            content_type=file.content_type,
            object_key=file.object_key,
        )
        values = {**_live_values(item), "kind": {"S": "file"}, "createdAt": {"S": file.upload_date}}
        expression, names, attribute_values = _set_expression(values)
        update = {
            "Update": {
                "TableName": self._table,
                "Key": _key(file.user_id, file.file_id),
                "UpdateExpression": expression,
                "ConditionExpression": "attribute_exists(fileId) AND attribute_not_exists(#kind)",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": attribute_values,
            }
        }
        reasons = await self._transact([update, self._take_guard(item)])
        if reasons is None or reasons[0] == "ConditionalCheckFailed":
            return
        if reasons[1] == "ConditionalCheckFailed":
            raise await self._name_taken(item)
        raise ServiceUnavailable()

    # Archive links

    @translate_aws_errors
    async def save_archive(self, token_hash: str, request: ArchiveRequest) -> None:
        expires = int(datetime.fromisoformat(request.expires_at).timestamp())
        await self._call(
            "put_item",
            TableName=self._table,
            Item={
                **_key(ARCHIVE_PREFIX + token_hash, ARCHIVE_SORT_KEY),
                "archiveOwner": {"S": request.user_id},
                "itemIds": {"L": [{"S": item_id} for item_id in request.item_ids]},
                "archiveName": {"S": request.name},
                "expiresAt": {"S": request.expires_at},
                # DynamoDB's TTL removes links never used, some time after they expired.
                TTL_ATTRIBUTE: {"N": str(expires + 3600)},
            },
        )

    @translate_aws_errors
    async def claim_archive(self, token_hash: str, now: str) -> ArchiveRequest | None:
        try:
            response = await self._call(
                "delete_item",
                TableName=self._table,
                Key=_key(ARCHIVE_PREFIX + token_hash, ARCHIVE_SORT_KEY),
                ConditionExpression="expiresAt > :now",
                ExpressionAttributeValues={":now": {"S": now}},
                ReturnValues="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        record = response.get("Attributes")
        if not record:
            return None
        return ArchiveRequest(
            user_id=record["archiveOwner"]["S"],
            item_ids=[value["S"] for value in record["itemIds"]["L"]],
            name=record["archiveName"]["S"],
            expires_at=record["expiresAt"]["S"],
        )

    # Accounts and totals

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
                    [{"DeleteRequest": {"Key": _key(user_id, record["fileId"]["S"])}} for record in batch]
                )
        await self._set_usage(user_id, StorageUsage(0, 0), only_if_present=True)
        return files

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
        for attempt in range(BATCH_ATTEMPTS):
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
        async for records in self._items_of(
            user_id,
            ProjectionExpression="fileSize",
            FilterExpression="attribute_not_exists(kind) OR kind = :file",
            ExpressionAttributeValues={":file": {"S": "file"}},
        ):
            bytes_used += sum(int(record["fileSize"]["N"]) for record in records)
            file_count += len(records)
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
                return sorted(user_id for user_id in user_ids if not user_id.startswith("#"))

    @translate_aws_errors
    async def check_ready(self) -> None:
        await self._call("describe_table", TableName=self._table)
