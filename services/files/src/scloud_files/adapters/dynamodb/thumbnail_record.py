"""The thumbnail state of a file, and the files still waiting for one (byPurge, `thumb#<n>`)."""

import asyncio

from botocore.exceptions import ClientError

from scloud_common.aws import translate_aws_errors
from scloud_files.adapters.dynamodb.access import TableAccess
from scloud_files.adapters.dynamodb.record import item_key, item_of
from scloud_files.adapters.dynamodb.table import THUMBNAIL_SHARD_PREFIX, THUMBNAIL_SHARDS
from scloud_files.domain import Item, ThumbnailState


class ThumbnailRecords(TableAccess):
    @translate_aws_errors
    async def set_thumbnail(self, item: Item, state: ThumbnailState) -> bool:
        # Out of the waiting list only if it is in it: a trashed file's byPurge keys are the trash's.
        try:
            await self._update_state(item, state, leave_waiting=True)
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        try:
            await self._update_state(item, state, leave_waiting=False)
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        return False

    async def _update_state(self, item: Item, state: ThumbnailState, *, leave_waiting: bool) -> None:
        values = {":state": {"S": state.value}}
        condition = "attribute_exists(fileId)"
        expression = "SET thumbnail = :state"
        if leave_waiting:
            condition += " AND begins_with(purgeShard, :waiting)"
            expression += " REMOVE purgeShard, purgeAt"
            values[":waiting"] = {"S": THUMBNAIL_SHARD_PREFIX}
        await self._call(
            "update_item",
            TableName=self._table,
            Key=item_key(item.user_id, item.item_id),
            UpdateExpression=expression,
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
        )

    @translate_aws_errors
    async def pending_thumbnails(self, *, limit: int) -> list[Item]:
        pages = await asyncio.gather(
            *(
                self._query_page(
                    IndexName="byPurge",
                    KeyConditionExpression="purgeShard = :shard",
                    ExpressionAttributeValues={":shard": {"S": f"{THUMBNAIL_SHARD_PREFIX}{shard}"}},
                    Limit=limit,
                )
                for shard in range(THUMBNAIL_SHARDS)
            )
        )
        items = [item_of(record) for page in pages for record in page.get("Items", [])]
        return sorted(items, key=lambda item: item.item_id)[:limit]
