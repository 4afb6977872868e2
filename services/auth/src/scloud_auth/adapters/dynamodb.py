"""SessionRepository on DynamoDB. Table: PK sessionId; GSI userId-index; TTL on expiresAt."""

import asyncio

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from scloud_auth.domain import Session
from scloud_common.aws import translate_aws_errors

USER_INDEX = "userId-index"


def table_definition(table_name: str) -> dict:
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": "sessionId", "AttributeType": "S"},
            {"AttributeName": "userId", "AttributeType": "S"},
        ],
        "KeySchema": [{"AttributeName": "sessionId", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": USER_INDEX,
                "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        "SSESpecification": {"Enabled": True},
    }


class DynamoDbSessionRepository:
    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    async def _call(self, operation: str, **kwargs) -> dict:
        return await asyncio.to_thread(getattr(self._client, operation), TableName=self._table, **kwargs)

    @translate_aws_errors
    async def add(self, session: Session) -> None:
        await self._call(
            "put_item",
            Item={
                "sessionId": {"S": session.session_id},
                "userId": {"S": session.user_id},
                "tokenHash": {"S": session.token_hash},
                "expiresAt": {"N": str(session.expires_at)},
                "createdAt": {"N": str(session.created_at)},
                "revoked": {"BOOL": session.revoked},
            },
            ConditionExpression="attribute_not_exists(sessionId)",
        )

    @translate_aws_errors
    async def get(self, session_id: str) -> Session | None:
        response = await self._call("get_item", Key={"sessionId": {"S": session_id}}, ConsistentRead=True)
        item = response.get("Item")
        if item is None:
            return None
        return Session(
            session_id=item["sessionId"]["S"],
            user_id=item["userId"]["S"],
            token_hash=item["tokenHash"]["S"],
            expires_at=int(item["expiresAt"]["N"]),
            created_at=int(item["createdAt"]["N"]),
            revoked=item.get("revoked", {}).get("BOOL", False),
            previous_token_hash=item.get("previousTokenHash", {}).get("S"),
            rotated_at=int(item["rotatedAt"]["N"]) if "rotatedAt" in item else None,
        )

    @translate_aws_errors
    async def rotate(
        self, session_id: str, *, expected_token_hash: str, new_token_hash: str, expires_at: int, rotated_at: int
    ) -> bool:
        try:
            await self._call(
                "update_item",
                Key={"sessionId": {"S": session_id}},
                UpdateExpression="SET tokenHash = :new, previousTokenHash = :old, expiresAt = :exp, rotatedAt = :now",
                ConditionExpression="tokenHash = :old AND revoked = :false",
                ExpressionAttributeValues={
                    ":new": {"S": new_token_hash},
                    ":old": {"S": expected_token_hash},
                    ":exp": {"N": str(expires_at)},
                    ":now": {"N": str(rotated_at)},
                    ":false": {"BOOL": False},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    @translate_aws_errors
    async def revoke(self, session_id: str) -> None:
        try:
            await self._call(
                "update_item",
                Key={"sessionId": {"S": session_id}},
                UpdateExpression="SET revoked = :true",
                ConditionExpression="attribute_exists(sessionId)",
                ExpressionAttributeValues={":true": {"BOOL": True}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    @translate_aws_errors
    async def revoke_all_for_user(self, user_id: str, *, except_session_id: str | None = None) -> int:
        session_ids: list[str] = []
        query = {
            "IndexName": USER_INDEX,
            "KeyConditionExpression": "userId = :user",
            "ExpressionAttributeValues": {":user": {"S": user_id}},
        }
        while True:
            page = await self._call("query", **query)
            session_ids += [item["sessionId"]["S"] for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        targets = [session_id for session_id in session_ids if session_id != except_session_id]
        for session_id in targets:
            await self.revoke(session_id)
        return len(targets)

    @translate_aws_errors
    async def check_ready(self) -> None:
        await self._call("describe_table")
