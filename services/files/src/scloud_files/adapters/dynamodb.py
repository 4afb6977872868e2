"""FileRepository on DynamoDB: table `<prefix>files`, partition key userId, sort key fileId.

File ids are ULIDs, which sort by upload time, so "newest first" is a reverse Query.
"""

import asyncio
import logging
from collections.abc import AsyncIterator

from botocore.client import BaseClient

from scloud_common.aws import translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.domain import StorageUsage, StoredFile

logger = logging.getLogger(__name__)

FILE_ID_INDEX = "fileId-index"
BATCH_WRITE_SIZE = 25
BATCH_WRITE_ATTEMPTS = 8


def table_definition(table_name: str) -> dict:
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": "userId", "AttributeType": "S"},
            {"AttributeName": "fileId", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "userId", "KeyType": "HASH"},
            {"AttributeName": "fileId", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": FILE_ID_INDEX,
                "KeySchema": [{"AttributeName": "fileId", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        "SSESpecification": {"Enabled": True},
    }


def _key(user_id: str, file_id: str) -> dict:
    return {"userId": {"S": user_id}, "fileId": {"S": file_id}}


def _item(file: StoredFile) -> dict:
    return {
        **_key(file.user_id, file.file_id),
        "fileName": {"S": file.file_name},
        "fileSize": {"N": str(file.file_size)},
        "contentType": {"S": file.content_type},
        "uploadDate": {"S": file.upload_date},
        "objectKey": {"S": file.object_key},
    }


def _file(item: dict) -> StoredFile:
    return StoredFile(
        file_id=item["fileId"]["S"],
        user_id=item["userId"]["S"],
        file_name=item["fileName"]["S"],
        file_size=int(item["fileSize"]["N"]),
        content_type=item["contentType"]["S"],
        upload_date=item["uploadDate"]["S"],
        object_key=item["objectKey"]["S"],
    )


class DynamoDbFileRepository:
    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    async def _call(self, operation: str, **kwargs) -> dict:
        return await asyncio.to_thread(getattr(self._client, operation), **kwargs)

    async def _query_pages(self, user_id: str, **kwargs) -> AsyncIterator[list[dict]]:
        start: dict | None = None
        while True:
            response = await self._call(
                "query",
                TableName=self._table,
                KeyConditionExpression="userId = :user",
                ExpressionAttributeValues={":user": {"S": user_id}},
                **kwargs,
                **({"ExclusiveStartKey": start} if start else {}),
            )
            yield response.get("Items", [])
            start = response.get("LastEvaluatedKey")
            if not start:
                return

    @translate_aws_errors
    async def add(self, file: StoredFile) -> None:
        await self._call("put_item", TableName=self._table, Item=_item(file))

    @translate_aws_errors
    async def get(self, user_id: str, file_id: str) -> StoredFile | None:
        response = await self._call("get_item", TableName=self._table, Key=_key(user_id, file_id), ConsistentRead=True)
        item = response.get("Item")
        return _file(item) if item else None

    @translate_aws_errors
    async def list_newest_first(
        self, user_id: str, *, limit: int, after_file_id: str | None
    ) -> tuple[list[StoredFile], bool]:
        # One item more than asked tells whether another page exists, so the last page never
        # hands out a cursor to an empty one.
        items: list[dict] = []
        start = _key(user_id, after_file_id) if after_file_id else None
        while len(items) <= limit:
            response = await self._call(
                "query",
                TableName=self._table,
                KeyConditionExpression="userId = :user",
                ExpressionAttributeValues={":user": {"S": user_id}},
                ScanIndexForward=False,
                Limit=limit + 1 - len(items),
                **({"ExclusiveStartKey": start} if start else {}),
            )
            items += response.get("Items", [])
            start = response.get("LastEvaluatedKey")
            if not start:
                break
        return [_file(item) for item in items[:limit]], len(items) > limit

    @translate_aws_errors
    async def delete(self, user_id: str, file_id: str) -> None:
        await self._call("delete_item", TableName=self._table, Key=_key(user_id, file_id))

    @translate_aws_errors
    async def delete_all(self, user_id: str) -> int:
        deleted = 0
        async for items in self._query_pages(user_id, ProjectionExpression="userId, fileId"):
            for start in range(0, len(items), BATCH_WRITE_SIZE):
                batch = items[start : start + BATCH_WRITE_SIZE]
                await self._batch_delete([{"DeleteRequest": {"Key": item}} for item in batch])
            deleted += len(items)
        return deleted

    async def _batch_delete(self, requests: list[dict]) -> None:
        pending = {self._table: requests}
        for attempt in range(BATCH_WRITE_ATTEMPTS):
            response = await self._call("batch_write_item", RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
            if not pending:
                return
            await asyncio.sleep(min(0.05 * 2**attempt, 2.0))
        logger.error("batch delete left unprocessed items", extra={"table": self._table})
        raise ServiceUnavailable()

    @translate_aws_errors
    async def usage(self, user_id: str) -> StorageUsage:
        bytes_used = file_count = 0
        async for items in self._query_pages(user_id, ProjectionExpression="fileSize"):
            bytes_used += sum(int(item["fileSize"]["N"]) for item in items)
            file_count += len(items)
        return StorageUsage(bytes_used, file_count)

    @translate_aws_errors
    async def check_ready(self) -> None:
        await self._call("describe_table", TableName=self._table)
