"""StarStore on DynamoDB, in the files table (docs/data-model.md, "Starred"): a star is one item in
the user's partition, `#star#<itemId>`, which the marks of a page read by key (BatchGetItem). The
order by star time is served by the existing sparse index byTrash, under a partition of its own
(`<userId>#star`): a star is one PutItem and its index entry, never a transaction of two records,
and a new index would cost the same writes for nothing more."""

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from scloud_common.aws import translate_aws_errors
from scloud_files.adapters.dynamodb.access import BATCH_WRITE_SIZE, TableAccess
from scloud_files.adapters.dynamodb.record import item_key
from scloud_files.domain.star import Star, star_key_item_id

STAR_PREFIX = "#star#"
# byTrash's keys; the `#star` suffix keeps the stars out of the user's trash partition.
STAR_INDEX = "byTrash"
STAR_INDEX_PARTITION = "trashUser"
STAR_INDEX_SORT = "trashKey"
STAR_PARTITION_SUFFIX = "#star"


def _star_key(user_id: str, item_id: str) -> dict[str, Any]:
    return item_key(user_id, STAR_PREFIX + item_id)


def _star_of(record: dict[str, Any]) -> Star:
    return Star(
        user_id=record["userId"]["S"],
        item_id=record["fileId"]["S"].removeprefix(STAR_PREFIX),
        starred_at=record["starredAt"]["S"],
    )


class DynamoDbStars(TableAccess):
    @translate_aws_errors
    async def star(self, star: Star) -> None:
        record = {
            **_star_key(star.user_id, star.item_id),
            "starredAt": {"S": star.starred_at},
            STAR_INDEX_PARTITION: {"S": star.user_id + STAR_PARTITION_SUFFIX},
            STAR_INDEX_SORT: {"S": star.key},
        }
        try:
            await self._call(
                "put_item", TableName=self._table, Item=record, ConditionExpression="attribute_not_exists(fileId)"
            )
        except ClientError as exc:
            # Starred already: the first star time stays.
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    @translate_aws_errors
    async def unstar(self, user_id: str, item_id: str) -> None:
        await self._call("delete_item", TableName=self._table, Key=_star_key(user_id, item_id))

    @translate_aws_errors
    async def list_starred(self, user_id: str, *, limit: int, after_key: str | None) -> tuple[list[Star], str | None]:
        partition = user_id + STAR_PARTITION_SUFFIX
        start = None
        if after_key is not None:
            start = {
                STAR_INDEX_PARTITION: {"S": partition},
                STAR_INDEX_SORT: {"S": after_key},
                **_star_key(user_id, star_key_item_id(after_key)),
            }
        records, more = await self._read_page(
            limit=limit,
            start=start,
            IndexName=STAR_INDEX,
            KeyConditionExpression=f"{STAR_INDEX_PARTITION} = :partition",
            ExpressionAttributeValues={":partition": {"S": partition}},
            ScanIndexForward=False,
        )
        stars = [_star_of(record) for record in records]
        return stars, stars[-1].key if more and stars else None

    @translate_aws_errors
    async def starred_items(self, user_id: str, item_ids: Sequence[str]) -> set[str]:
        keys = [_star_key(user_id, item_id) for item_id in dict.fromkeys(item_ids)]
        records = await self._batch_get(keys, ProjectionExpression="fileId") if keys else []
        return {record["fileId"]["S"].removeprefix(STAR_PREFIX) for record in records}

    @translate_aws_errors
    async def delete_all(self, user_id: str) -> int:
        deleted = 0
        async for records in self._query_all(
            KeyConditionExpression="userId = :user AND begins_with(fileId, :prefix)",
            ExpressionAttributeValues={":user": {"S": user_id}, ":prefix": {"S": STAR_PREFIX}},
            ProjectionExpression="userId, fileId",
        ):
            for start in range(0, len(records), BATCH_WRITE_SIZE):
                batch = records[start : start + BATCH_WRITE_SIZE]
                await self._batch_delete(
                    [{"DeleteRequest": {"Key": item_key(user_id, r["fileId"]["S"])}} for r in batch]
                )
            deleted += len(records)
        return deleted
