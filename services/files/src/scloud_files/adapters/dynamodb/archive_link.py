"""One-time ZIP links in the table: saved with a TTL, claimed once by a conditional delete."""

from datetime import datetime

from botocore.exceptions import ClientError

from scloud_common.aws import translate_aws_errors
from scloud_files.adapters.dynamodb.access import TableAccess
from scloud_files.adapters.dynamodb.record import item_key
from scloud_files.adapters.dynamodb.table import ARCHIVE_PREFIX, ARCHIVE_SORT_KEY, TTL_ATTRIBUTE
from scloud_files.domain import ArchiveRequest


class ArchiveLinks(TableAccess):
    @translate_aws_errors
    async def save_archive(self, token_hash: str, request: ArchiveRequest) -> None:
        expires = int(datetime.fromisoformat(request.expires_at).timestamp())
        await self._call(
            "put_item",
            TableName=self._table,
            Item={
                **item_key(ARCHIVE_PREFIX + token_hash, ARCHIVE_SORT_KEY),
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
                Key=item_key(ARCHIVE_PREFIX + token_hash, ARCHIVE_SORT_KEY),
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
