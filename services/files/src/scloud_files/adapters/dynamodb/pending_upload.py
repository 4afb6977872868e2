"""PendingUploadStore on DynamoDB, in the files table: each upload in progress is an item
`#upload#<id>` of its user's partition, and `#uploads` holds the user's count and reserved bytes
of them, changed in the same transaction as the items, so the per-user bound holds whatever runs
at once. Uploads are found by expiry through the byPurge index under partitions `upload#<0..3>`
(distinct from the trash's `purge#<n>`), and DynamoDB's TTL removes a record a day after its
expiry should the sweeper never get to it."""

import asyncio
import zlib
from datetime import datetime, timedelta
from typing import Any

from scloud_common.aws import translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.dynamodb.access import TableAccess
from scloud_files.adapters.dynamodb.record import item_key, parent_value
from scloud_files.adapters.dynamodb.table import ROOT, TTL_ATTRIBUTE, UPLOAD_PREFIX, UPLOAD_SHARDS, UPLOADS_SORT_KEY
from scloud_files.adapters.dynamodb.transaction import Transaction
from scloud_files.domain import OnConflict, PendingUpload, TooManyUploads, decode_batch_files, encode_batch_files

FORGET_AFTER = timedelta(days=1)


def _shard(upload_id: str) -> str:
    return f"upload#{zlib.crc32(upload_id.encode()) % UPLOAD_SHARDS}"


def _record(upload: PendingUpload) -> dict[str, Any]:
    forget_at = datetime.fromisoformat(upload.expires_at) + FORGET_AFTER
    record = {
        **item_key(upload.user_id, UPLOAD_PREFIX + upload.upload_id),
        "uploadId": {"S": upload.upload_id},
        "s3UploadId": {"S": upload.s3_upload_id},
        # Not `objectKey`: the reconcile pass reads items with that as file rows.
        "uploadKey": {"S": upload.object_key},
        "fileName": {"S": upload.name},
        "fileSize": {"N": str(upload.size)},
        "partSize": {"N": str(upload.part_size)},
        "contentType": {"S": upload.content_type},
        "parentId": {"S": parent_value(upload.parent_id)},
        "onConflict": {"S": upload.on_conflict.value},
        "createdAt": {"S": upload.created_at},
        "expiresAt": {"S": upload.expires_at},
        "purgeShard": {"S": _shard(upload.upload_id)},
        "purgeAt": {"S": f"{upload.expires_at}#{upload.user_id}#{upload.upload_id}"},
        TTL_ATTRIBUTE: {"N": str(int(forget_at.timestamp()))},
    }
    if upload.modified_at is not None:
        record["modifiedAt"] = {"S": upload.modified_at}
    if (batch_files := encode_batch_files(upload.batch_files)) is not None:
        record["batchFiles"] = {"S": batch_files}
    if upload.request_ref is not None:
        record["requestRef"] = {"S": upload.request_ref}
    if upload.share_ref is not None:
        record["shareRef"] = {"S": upload.share_ref}
    return record


def _upload_of(record: dict[str, Any]) -> PendingUpload:
    parent = record["parentId"]["S"]
    return PendingUpload(
        upload_id=record["uploadId"]["S"],
        user_id=record["userId"]["S"],
        s3_upload_id=record["s3UploadId"]["S"],
        object_key=record["uploadKey"]["S"],
        name=record["fileName"]["S"],
        size=int(record["fileSize"]["N"]),
        part_size=int(record["partSize"]["N"]),
        content_type=record["contentType"]["S"],
        parent_id=None if parent == ROOT else parent,
        on_conflict=OnConflict(record["onConflict"]["S"]),
        modified_at=record["modifiedAt"]["S"] if "modifiedAt" in record else None,
        created_at=record["createdAt"]["S"],
        expires_at=record["expiresAt"]["S"],
        batch_files=decode_batch_files(record["batchFiles"]["S"] if "batchFiles" in record else None),
        request_ref=record["requestRef"]["S"] if "requestRef" in record else None,
        share_ref=record["shareRef"]["S"] if "shareRef" in record else None,
    )


class DynamoDbPendingUploads(TableAccess):
    def _count_change(self, user_id: str, size: int, count: int) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Key": item_key(user_id, UPLOADS_SORT_KEY),
            "UpdateExpression": "ADD pendingCount :count, pendingBytes :size",
            "ExpressionAttributeValues": {":count": {"N": str(count)}, ":size": {"N": str(size)}},
        }

    @translate_aws_errors
    async def add(self, upload: PendingUpload, *, max_per_user: int) -> None:
        count = self._count_change(upload.user_id, upload.size, 1)
        count["ConditionExpression"] = "attribute_not_exists(pendingCount) OR pendingCount < :max"
        count["ExpressionAttributeValues"][":max"] = {"N": str(max_per_user)}
        row = {
            "Put": {
                "TableName": self._table,
                "Item": _record(upload),
                "ConditionExpression": "attribute_not_exists(fileId)",
            }
        }
        transaction = Transaction().add("count", {"Update": count}).add("row", row)
        cancelled = await self._transact(transaction, token=transaction.fingerprint())
        if cancelled is None:
            return
        if cancelled.refused("count"):
            raise TooManyUploads()
        # The row there already: an earlier try of this same add landed unseen.
        if not cancelled.refused("row"):
            raise ServiceUnavailable()

    @translate_aws_errors
    async def get(self, user_id: str, upload_id: str) -> PendingUpload | None:
        response = await self._call(
            "get_item", TableName=self._table, Key=item_key(user_id, UPLOAD_PREFIX + upload_id), ConsistentRead=True
        )
        record = response.get("Item")
        return _upload_of(record) if record else None

    @translate_aws_errors
    async def of_user(self, user_id: str, *, limit: int) -> list[PendingUpload]:
        uploads: list[PendingUpload] = []
        async for records in self._query_all(
            KeyConditionExpression="userId = :user AND begins_with(fileId, :uploads)",
            ExpressionAttributeValues={":user": {"S": user_id}, ":uploads": {"S": UPLOAD_PREFIX}},
            ConsistentRead=True,
            Limit=limit,
        ):
            uploads += [_upload_of(record) for record in records]
            if len(uploads) >= limit:
                break
        return uploads[:limit]

    @translate_aws_errors
    async def remove(self, upload: PendingUpload) -> None:
        key = item_key(upload.user_id, UPLOAD_PREFIX + upload.upload_id)
        if upload.is_settled:
            # Settling took it off the count already.
            await self._call("delete_item", TableName=self._table, Key=key)
            return
        row = {
            "Delete": {
                "TableName": self._table,
                "Key": key,
                # Settled since it was read: the count no longer holds it.
                "ConditionExpression": "attribute_exists(fileId) AND attribute_not_exists(settled)",
            }
        }
        count = {"Update": self._count_change(upload.user_id, -upload.size, -1)}
        cancelled = await self._transact(Transaction().add("row", row).add("count", count))
        # A record already gone was taken off the count by whoever removed it.
        if cancelled is not None and not cancelled.refused("row"):
            raise ServiceUnavailable()

    @translate_aws_errors
    async def settle(self, batch: PendingUpload, settled: PendingUpload) -> None:
        row = {
            "Update": {
                "TableName": self._table,
                "Key": item_key(batch.user_id, UPLOAD_PREFIX + batch.upload_id),
                "UpdateExpression": "SET batchFiles = :files, fileSize = :zero, settled = :settled",
                "ConditionExpression": "attribute_exists(fileId) AND attribute_not_exists(settled)",
                "ExpressionAttributeValues": {
                    ":files": {"S": encode_batch_files(settled.batch_files) or ""},
                    ":zero": {"N": "0"},
                    ":settled": {"BOOL": True},
                },
            }
        }
        count = {"Update": self._count_change(batch.user_id, -batch.size, -1)}
        cancelled = await self._transact(Transaction().add("row", row).add("count", count))
        # Gone or settled already: nothing is left to do.
        if cancelled is not None and not cancelled.refused("row"):
            raise ServiceUnavailable()

    @translate_aws_errors
    async def reserved_bytes(self, user_id: str) -> int:
        response = await self._call(
            "get_item",
            TableName=self._table,
            Key=item_key(user_id, UPLOADS_SORT_KEY),
            ConsistentRead=True,
            ProjectionExpression="pendingBytes",
        )
        return max(0, int(response.get("Item", {}).get("pendingBytes", {"N": "0"})["N"]))

    @translate_aws_errors
    async def expired(self, now: str, *, limit: int) -> list[PendingUpload]:
        # "$" follows "#", so every expiry up to and including `now` is below the bound.
        pages = await asyncio.gather(
            *(
                self._query_page(
                    IndexName="byPurge",
                    KeyConditionExpression="purgeShard = :shard AND purgeAt < :bound",
                    ExpressionAttributeValues={":shard": {"S": f"upload#{shard}"}, ":bound": {"S": now + "$"}},
                    Limit=limit,
                )
                for shard in range(UPLOAD_SHARDS)
            )
        )
        uploads = [_upload_of(record) for page in pages for record in page.get("Items", [])]
        return sorted(uploads, key=lambda upload: upload.expires_at)[:limit]
