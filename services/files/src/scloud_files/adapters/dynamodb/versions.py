"""File versions: `#ver#<versionId>` items in the owner's partition, the file row's `versionIds`
(its earlier versions, oldest first, bounded by the retention's maximum), and the totals, changed
in one transaction; earlier versions are found by expiry through byPurge (`version#<n>`)."""

import zlib
from collections.abc import Sequence
from typing import Any

from scloud_common.aws import translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.dynamodb.access import TableAccess
from scloud_files.adapters.dynamodb.record import item_key, thumbnail_shard
from scloud_files.adapters.dynamodb.table import VERSION_PREFIX, VERSION_SHARD_PREFIX, VERSION_SHARDS
from scloud_files.adapters.dynamodb.transaction import Transaction
from scloud_files.domain import (
    AccountClosed,
    FileVersion,
    Item,
    ItemNotFound,
    SortField,
    ThumbnailState,
    content_id,
    sort_key,
)

# Attempts at taking a version off its file's list while other writes change the list.
LIST_EDIT_ATTEMPTS = 5


def version_key(user_id: str, version_id: str) -> dict[str, Any]:
    return item_key(user_id, f"{VERSION_PREFIX}{version_id}")


def version_shard(version_id: str) -> str:
    return f"{VERSION_SHARD_PREFIX}{zlib.crc32(version_id.encode()) % VERSION_SHARDS}"


def version_record(version: FileVersion) -> dict[str, Any]:
    # Not `objectKey` nor `fileSize`: those mark file rows for the reconcile pass and the totals.
    record: dict[str, Any] = {
        **version_key(version.user_id, version.version_id),
        "versionOf": {"S": version.file_id},
        "versionObjectKey": {"S": version.object_key},
        "versionSize": {"N": str(version.size)},
        "contentType": {"S": version.content_type},
        "createdAt": {"S": version.created_at},
        "current": {"BOOL": version.current},
    }
    if version.checksum_part_size is not None:
        record["checksumPartSize"] = {"N": str(version.checksum_part_size)}
    for name, value in (
        ("mediaType", version.media_type),
        ("sha256", version.sha256),
        ("uploadedBy", version.uploaded_by),
        ("expiresAt", version.expires_at),
    ):
        if value is not None:
            record[name] = {"S": value}
    if not version.current and version.expires_at is not None:
        record["purgeShard"] = {"S": version_shard(version.version_id)}
        record["purgeAt"] = {"S": f"{version.expires_at}#{version.user_id}#{version.version_id}"}
    return record


def version_of(record: dict[str, Any]) -> FileVersion:
    def text(name: str) -> str | None:
        return record[name]["S"] if name in record else None

    return FileVersion(
        version_id=record["fileId"]["S"].removeprefix(VERSION_PREFIX),
        file_id=record["versionOf"]["S"],
        user_id=record["userId"]["S"],
        object_key=record["versionObjectKey"]["S"],
        size=int(record["versionSize"]["N"]),
        content_type=text("contentType") or "",
        created_at=text("createdAt") or "",
        media_type=text("mediaType"),
        sha256=text("sha256"),
        checksum_part_size=int(record["checksumPartSize"]["N"]) if "checksumPartSize" in record else None,
        uploaded_by=text("uploadedBy"),
        current=record.get("current", {}).get("BOOL", False),
        expires_at=text("expiresAt"),
    )


def _content_update(file: Item, content: Item, superseded: FileVersion) -> dict[str, Any]:
    """The file row's new content, the superseded version appended to its list."""
    values: dict[str, Any] = {
        ":size": {"N": str(content.size or 0)},
        ":contentType": {"S": content.content_type or ""},
        ":objectKey": {"S": content.object_key or ""},
        ":modifiedAt": {"S": content.modified_at},
        ":sizeKey": {"S": sort_key(file.serving(content), SortField.SIZE)},
        ":modifiedKey": {"S": sort_key(file.serving(content), SortField.MODIFIED)},
        ":superseded": {"L": [{"S": superseded.version_id}]},
        ":none": {"L": []},
        ":oldKey": {"S": file.object_key or ""},
    }
    sets = [
        "fileSize = :size",
        "contentType = :contentType",
        "objectKey = :objectKey",
        "modifiedAt = :modifiedAt",
        "sizeKey = :sizeKey",
        "modifiedKey = :modifiedKey",
        "versionIds = list_append(if_not_exists(versionIds, :none), :superseded)",
    ]
    removes = []
    if content.checksum_part_size is not None:
        values[":checksumPartSize"] = {"N": str(content.checksum_part_size)}
        sets.append("checksumPartSize = :checksumPartSize")
    else:
        removes.append("checksumPartSize")
    for attribute, value in (
        ("mediaType", content.media_type),
        ("sha256", content.sha256),
        ("thumbnail", content.thumbnail.value if content.thumbnail is not None else None),
    ):
        if value is None:
            removes.append(attribute)
        else:
            values[f":{attribute}"] = {"S": value}
            sets.append(f"{attribute} = :{attribute}")
    # A live file is in byPurge only while its thumbnail is waiting.
    if content.thumbnail is ThumbnailState.PENDING:
        values[":thumbShard"] = {"S": thumbnail_shard(file.item_id)}
        values[":thumbAt"] = {"S": file.item_id}
        sets += ["purgeShard = :thumbShard", "purgeAt = :thumbAt"]
    else:
        removes += ["purgeShard", "purgeAt"]
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    return {
        "UpdateExpression": expression,
        "ConditionExpression": "objectKey = :oldKey AND attribute_not_exists(trashedAt) "
        "AND attribute_not_exists(deleting)",
        "ExpressionAttributeValues": values,
    }


class VersionRecords(TableAccess):
    @translate_aws_errors
    async def add_version(self, file: Item, content: Item, superseded: FileVersion) -> Item:
        row = {"Update": {"TableName": self._table, "Key": item_key(file.user_id, file.item_id)}}
        row["Update"].update(_content_update(file, content, superseded))
        usage = self._usage_change(file.user_id, content.size or 0, 0)
        usage["ConditionExpression"] = "attribute_not_exists(closed)"
        current = FileVersion.uploaded(content, file_id=file.item_id)
        transaction = (
            Transaction()
            .add("row", row)
            .add("superseded", {"Put": {"TableName": self._table, "Item": version_record(superseded)}})
            .add("current", {"Put": {"TableName": self._table, "Item": version_record(current)}})
            .add("account", {"Update": usage})
        )
        # Derived from what is written: a retry of this write is the same request.
        cancelled = await self._transact(transaction, token=transaction.fingerprint())
        if cancelled is None:
            return await self._written(file)
        if cancelled.refused("account"):
            raise AccountClosed()
        if cancelled.refused("row"):
            raise ItemNotFound()
        raise ServiceUnavailable()

    async def _written(self, file: Item) -> Item:
        written: Item | None = await self.get(file.user_id, file.item_id)  # type: ignore[attr-defined]
        if written is None:
            raise ItemNotFound()
        return written

    @translate_aws_errors
    async def list_versions(self, user_id: str, file_id: str) -> list[FileVersion]:
        response = await self._call(
            "get_item",
            TableName=self._table,
            Key=item_key(user_id, file_id),
            ConsistentRead=True,
            ProjectionExpression="versionIds",
        )
        ids = [entry["S"] for entry in response.get("Item", {}).get("versionIds", {}).get("L", [])]
        records = await self._batch_get([version_key(user_id, version_id) for version_id in ids], ConsistentRead=True)
        versions = [version_of(record) for record in records]
        return sorted((v for v in versions if not v.current), key=lambda v: v.version_id, reverse=True)

    @translate_aws_errors
    async def get_version(self, user_id: str, version_id: str) -> FileVersion | None:
        response = await self._call(
            "get_item", TableName=self._table, Key=version_key(user_id, version_id), ConsistentRead=True
        )
        record = response.get("Item")
        return version_of(record) if record else None

    @translate_aws_errors
    async def recorded_objects(self, user_id: str, object_ids: Sequence[str]) -> set[str]:
        keys = [version_key(user_id, object_id) for object_id in dict.fromkeys(object_ids)]
        records = await self._batch_get(keys, ConsistentRead=True, ProjectionExpression="fileId")
        return {record["fileId"]["S"].removeprefix(VERSION_PREFIX) for record in records}

    @translate_aws_errors
    async def due_versions(self, now: str, *, limit: int) -> list[FileVersion]:
        # "$" follows "#", so every expiry up to and including `now` is below the bound.
        due: list[FileVersion] = []
        for shard in range(VERSION_SHARDS):
            response = await self._query_page(
                IndexName="byPurge",
                KeyConditionExpression="purgeShard = :shard AND purgeAt < :bound",
                ExpressionAttributeValues={
                    ":shard": {"S": f"{VERSION_SHARD_PREFIX}{shard}"},
                    ":bound": {"S": now + "$"},
                },
                Limit=limit - len(due),
            )
            due += map(version_of, response.get("Items", []))
            if len(due) >= limit:
                break
        return due

    @translate_aws_errors
    async def delete_version(self, version: FileVersion) -> None:
        for _ in range(LIST_EDIT_ATTEMPTS):
            response = await self._call(
                "get_item",
                TableName=self._table,
                Key=item_key(version.user_id, version.file_id),
                ConsistentRead=True,
                ProjectionExpression="versionIds",
            )
            ids = [entry["S"] for entry in response.get("Item", {}).get("versionIds", {}).get("L", [])]
            record = {
                "Delete": {
                    "TableName": self._table,
                    "Key": version_key(version.user_id, version.version_id),
                    "ConditionExpression": "attribute_exists(fileId) AND #current = :false",
                    "ExpressionAttributeNames": {"#current": "current"},
                    "ExpressionAttributeValues": {":false": {"BOOL": False}},
                }
            }
            transaction = Transaction().add("version", record)
            transaction.add("usage", {"Update": self._usage_change(version.user_id, -version.size, 0)})
            if version.version_id in ids:
                position = ids.index(version.version_id)
                transaction.add(
                    "list",
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": item_key(version.user_id, version.file_id),
                            "UpdateExpression": f"REMOVE versionIds[{position}]",
                            "ConditionExpression": f"versionIds[{position}] = :id",
                            "ExpressionAttributeValues": {":id": {"S": version.version_id}},
                        }
                    },
                )
            cancelled = await self._transact(transaction)
            if cancelled is None or cancelled.refused("version"):
                # Gone already: taken off the totals by whoever removed it.
                return
            if not cancelled.refused("list"):
                raise ServiceUnavailable()
        raise ServiceUnavailable()


def current_version_key(file: Item) -> dict[str, Any] | None:
    """The key of the record naming the content a file serves; None for its first content."""
    version_id = content_id(file)
    return version_key(file.user_id, version_id) if version_id != file.item_id else None
