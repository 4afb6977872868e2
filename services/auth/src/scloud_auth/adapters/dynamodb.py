"""SessionRepository and AttemptStore on DynamoDB, in one table: PK sessionId; GSI userId-index;
TTL on expiresAt.

Failed-attempt counters live beside the sessions under `attempts#<key>` (session ids never hold a
`#`), without a userId so the index never sees them, and expire through the same TTL. So do each
user's two-factor settings (`2fa#<userId>`, no expiry) and the sign-ins waiting for their second
factor (`challenge#<token hash>`, expiring), the mail send counters (`sends#<key>`), and the tokens of emailed links
(`token#<purpose>#<sha256 of the token>`, expiring).

Personal access tokens are items `pat#<sha256 of the token>` (found by the hash a request
presents) with a userId, so the user index lists them beside the sessions: the session methods
skip index entries whose key holds a `#`. They expire through the same TTL.
"""

from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from scloud_auth.domain import (
    AttemptRecord,
    OneTimeToken,
    PersonalAccessToken,
    Session,
    SessionExists,
    SignInChallenge,
    TokenPurpose,
    TwoFactor,
)
from scloud_common.aws import AwsCall, translate_aws_errors
from scloud_common.errors import AlreadyExists
from scloud_common.scopes import Scope

USER_INDEX = "userId-index"
PERSONAL_ACCESS_TOKEN_KEY_PREFIX = "pat#"


async def _keys_of_user(call: AwsCall, user_id: str) -> list[str]:
    """Every key the user index holds for the user: sessions and personal access tokens."""
    keys: list[str] = []
    query = {
        "IndexName": USER_INDEX,
        "KeyConditionExpression": "userId = :user",
        "ExpressionAttributeValues": {":user": {"S": user_id}},
    }
    while True:
        page = await call("query", **query)
        keys += [item["sessionId"]["S"] for item in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return keys
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def table_definition(table_name: str) -> dict[str, Any]:
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
        self._table = table_name
        self._call = AwsCall(client, TableName=table_name)

    @translate_aws_errors(condition_failed=SessionExists)
    async def add(self, session: Session) -> None:
        item = {
            "sessionId": {"S": session.session_id},
            "userId": {"S": session.user_id},
            "tokenHash": {"S": session.token_hash},
            "expiresAt": {"N": str(session.expires_at)},
            "createdAt": {"N": str(session.created_at)},
            "revoked": {"BOOL": session.revoked},
            "userAgent": {"S": session.user_agent},
        }
        if session.last_used_at is not None:
            item["lastUsedAt"] = {"N": str(session.last_used_at)}
        await self._call("put_item", Item=item, ConditionExpression="attribute_not_exists(sessionId)")

    @translate_aws_errors
    async def get(self, session_id: str) -> Session | None:
        if "#" in session_id:
            # Another kind of item (a personal access token has every field a session has): a
            # forged refresh cookie naming one must find no session.
            return None
        response = await self._call("get_item", Key={"sessionId": {"S": session_id}}, ConsistentRead=True)
        item = response.get("Item")
        if item is None or "userId" not in item:
            return None
        return _session_from_item(item)

    @translate_aws_errors
    async def list_for_user(self, user_id: str) -> list[Session]:
        sessions = []
        for session_id in await self._session_ids_of(user_id):
            session = await self.get(session_id)
            if session is not None:
                sessions.append(session)
        return sessions

    async def _session_ids_of(self, user_id: str) -> list[str]:
        # Session ids never hold a `#`; other kinds of item the index lists do.
        return [key for key in await _keys_of_user(self._call, user_id) if "#" not in key]

    @translate_aws_errors
    async def rotate(
        self, session_id: str, *, expected_token_hash: str, new_token_hash: str, expires_at: int, rotated_at: int
    ) -> bool:
        try:
            await self._call(
                "update_item",
                Key={"sessionId": {"S": session_id}},
                UpdateExpression="SET tokenHash = :new, previousTokenHash = :old, expiresAt = :exp, "
                "rotatedAt = :now, lastUsedAt = :now",
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
        session_ids = await self._session_ids_of(user_id)
        targets = [session_id for session_id in session_ids if session_id != except_session_id]
        for session_id in targets:
            await self.revoke(session_id)
        return len(targets)

    @translate_aws_errors
    async def check_ready(self) -> None:
        await self._call("describe_table")


def _session_from_item(item: dict[str, Any]) -> Session:
    return Session(
        session_id=item["sessionId"]["S"],
        user_id=item["userId"]["S"],
        token_hash=item["tokenHash"]["S"],
        expires_at=int(item["expiresAt"]["N"]),
        created_at=int(item["createdAt"]["N"]),
        revoked=item.get("revoked", {}).get("BOOL", False),
        previous_token_hash=item.get("previousTokenHash", {}).get("S"),
        rotated_at=int(item["rotatedAt"]["N"]) if "rotatedAt" in item else None,
        user_agent=item.get("userAgent", {}).get("S", ""),
        last_used_at=int(item["lastUsedAt"]["N"]) if "lastUsedAt" in item else None,
    )


class DynamoDbPersonalAccessTokenRepository:
    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._call = AwsCall(client, TableName=table_name)

    @staticmethod
    def _key(token_hash: str) -> dict[str, Any]:
        return {"sessionId": {"S": f"{PERSONAL_ACCESS_TOKEN_KEY_PREFIX}{token_hash}"}}

    @translate_aws_errors(condition_failed=AlreadyExists)
    async def add(self, token: PersonalAccessToken) -> None:
        item = {
            **self._key(token.token_hash),
            "userId": {"S": token.user_id},
            "tokenId": {"S": token.token_id},
            "name": {"S": token.name},
            "tokenHash": {"S": token.token_hash},
            # A string set cannot be empty: the scopes travel as one space-separated string.
            "scopes": {"S": " ".join(sorted(token.scopes))},
            "createdAt": {"N": str(token.created_at)},
            "expiresAt": {"N": str(token.expires_at)},
            "revoked": {"BOOL": token.revoked},
        }
        if token.last_used_at is not None:
            item["lastUsedAt"] = {"N": str(token.last_used_at)}
        await self._call("put_item", Item=item, ConditionExpression="attribute_not_exists(sessionId)")

    @translate_aws_errors
    async def find_by_hash(self, token_hash: str) -> PersonalAccessToken | None:
        response = await self._call("get_item", Key=self._key(token_hash), ConsistentRead=True)
        item = response.get("Item")
        return _token_from_item(item) if item is not None else None

    @translate_aws_errors
    async def list_for_user(self, user_id: str) -> list[PersonalAccessToken]:
        tokens = []
        for key in await _keys_of_user(self._call, user_id):
            if key.startswith(PERSONAL_ACCESS_TOKEN_KEY_PREFIX):
                token = await self.find_by_hash(key.removeprefix(PERSONAL_ACCESS_TOKEN_KEY_PREFIX))
                if token is not None:
                    tokens.append(token)
        return tokens

    async def revoke(self, token: PersonalAccessToken) -> None:
        await self._update_if_present(token, "SET revoked = :value", {":value": {"BOOL": True}})

    async def record_use(self, token: PersonalAccessToken, used_at: int) -> None:
        await self._update_if_present(token, "SET lastUsedAt = :value", {":value": {"N": str(used_at)}})

    @translate_aws_errors
    async def _update_if_present(self, token: PersonalAccessToken, update: str, values: dict[str, Any]) -> None:
        try:
            await self._call(
                "update_item",
                Key=self._key(token.token_hash),
                UpdateExpression=update,
                ConditionExpression="attribute_exists(sessionId)",
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    @translate_aws_errors
    async def delete_all_for_user(self, user_id: str) -> None:
        for key in await _keys_of_user(self._call, user_id):
            if key.startswith(PERSONAL_ACCESS_TOKEN_KEY_PREFIX):
                await self._call("delete_item", Key={"sessionId": {"S": key}})


def _token_from_item(item: dict[str, Any]) -> PersonalAccessToken:
    return PersonalAccessToken(
        token_id=item["tokenId"]["S"],
        user_id=item["userId"]["S"],
        name=item["name"]["S"],
        token_hash=item["tokenHash"]["S"],
        scopes=frozenset(Scope(name) for name in item["scopes"]["S"].split()),
        created_at=int(item["createdAt"]["N"]),
        expires_at=int(item["expiresAt"]["N"]),
        last_used_at=int(item["lastUsedAt"]["N"]) if "lastUsedAt" in item else None,
        revoked=item.get("revoked", {}).get("BOOL", False),
    )


class DynamoDbAttemptStore:
    """Each record is replaced whole, on condition that the stored one is the one the caller read:
    a compare-and-swap, so concurrent checks on several instances are each counted once."""

    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._call = AwsCall(client, TableName=table_name)

    @staticmethod
    def _key(key: str) -> dict[str, Any]:
        return {"sessionId": {"S": f"attempts#{key}"}}

    @translate_aws_errors
    async def get(self, key: str) -> AttemptRecord | None:
        response = await self._call("get_item", Key=self._key(key), ConsistentRead=True)
        item = response.get("Item")
        # Records of the older layout (`failures`) count as none; their TTL removes them.
        if item is None or "attempts" not in item:
            return None
        return AttemptRecord(
            count=int(item["attempts"]["N"]),
            last_attempt_at=int(item["lastAttemptAt"]["N"]),
            locked_until=int(item["lockedUntil"]["N"]),
        )

    @translate_aws_errors
    async def replace(
        self, key: str, record: AttemptRecord | None, *, expected: AttemptRecord | None, keep_until: int
    ) -> bool:
        if expected is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(attempts)"}
        else:
            condition = {
                "ConditionExpression": "attempts = :count AND lastAttemptAt = :last AND lockedUntil = :locked",
                "ExpressionAttributeValues": {
                    ":count": {"N": str(expected.count)},
                    ":last": {"N": str(expected.last_attempt_at)},
                    ":locked": {"N": str(expected.locked_until)},
                },
            }
        try:
            if record is None:
                await self._call("delete_item", Key=self._key(key), **condition)
            else:
                await self._call("put_item", Item=self._item(key, record, keep_until), **condition)
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def _item(self, key: str, record: AttemptRecord, keep_until: int) -> dict[str, Any]:
        return {
            **self._key(key),
            "attempts": {"N": str(record.count)},
            "lastAttemptAt": {"N": str(record.last_attempt_at)},
            "lockedUntil": {"N": str(record.locked_until)},
            "expiresAt": {"N": str(keep_until)},
        }

    @translate_aws_errors
    async def clear(self, key: str) -> None:
        await self._call("delete_item", Key=self._key(key))


class DynamoDbSendLimitStore:
    """Counters under `sends#<key>`, beside the sessions like the attempt counters."""

    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._call = AwsCall(client, TableName=table_name)

    @staticmethod
    def _key(key: str) -> dict[str, Any]:
        return {"sessionId": {"S": f"sends#{key}"}}

    @translate_aws_errors
    async def count(self, key: str, *, now: int, window_seconds: int) -> int:
        values = {":one": {"N": "1"}, ":now": {"N": str(now)}, ":keep": {"N": str(now + window_seconds)}}
        try:
            # ADD keeps concurrent events from different instances all counted.
            response = await self._call(
                "update_item",
                Key=self._key(key),
                UpdateExpression="ADD events :one SET lastEventAt = :now, expiresAt = :keep",
                ConditionExpression="attribute_not_exists(lastEventAt) OR lastEventAt > :cutoff",
                ExpressionAttributeValues={**values, ":cutoff": {"N": str(now - window_seconds)}},
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise
            # The last event is older than the window: start counting again.
            response = await self._call(
                "update_item",
                Key=self._key(key),
                UpdateExpression="SET events = :one, lastEventAt = :now, expiresAt = :keep",
                ExpressionAttributeValues=values,
                ReturnValues="UPDATED_NEW",
            )
        return int(response["Attributes"]["events"]["N"])


def _condition_failed(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"


class DynamoDbTwoFactorRepository:
    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._call = AwsCall(client, TableName=table_name)

    @staticmethod
    def _key(user_id: str) -> dict[str, Any]:
        return {"sessionId": {"S": f"2fa#{user_id}"}}

    @translate_aws_errors
    async def get(self, user_id: str) -> TwoFactor | None:
        response = await self._call("get_item", Key=self._key(user_id), ConsistentRead=True)
        item = response.get("Item")
        if item is None:
            return None
        return TwoFactor(
            user_id=user_id,
            secret=item["secret"]["S"] if "secret" in item else None,
            pending_secret=item["pendingSecret"]["S"] if "pendingSecret" in item else None,
            last_used_step=int(item.get("lastUsedStep", {"N": "0"})["N"]),
            recovery_code_hashes=frozenset(item.get("recoveryCodes", {}).get("SS", [])),
            recovery_salt=item.get("recoverySalt", {"S": ""})["S"],
            enabled_at=int(item["enabledAt"]["N"]) if "enabledAt" in item else None,
        )

    @translate_aws_errors
    async def save(self, two_factor: TwoFactor) -> None:
        item: dict[str, Any] = {**self._key(two_factor.user_id), "lastUsedStep": {"N": str(two_factor.last_used_step)}}
        if two_factor.secret is not None:
            item["secret"] = {"S": two_factor.secret}
        if two_factor.pending_secret is not None:
            item["pendingSecret"] = {"S": two_factor.pending_secret}
        if two_factor.recovery_code_hashes:
            # A string set may not be empty: no codes left is no attribute.
            item["recoveryCodes"] = {"SS": sorted(two_factor.recovery_code_hashes)}
        if two_factor.recovery_salt:
            item["recoverySalt"] = {"S": two_factor.recovery_salt}
        if two_factor.enabled_at is not None:
            item["enabledAt"] = {"N": str(two_factor.enabled_at)}
        await self._call("put_item", Item=item)

    @translate_aws_errors
    async def use_step(self, user_id: str, step: int) -> bool:
        try:
            await self._call(
                "update_item",
                Key=self._key(user_id),
                UpdateExpression="SET lastUsedStep = :step",
                ConditionExpression="attribute_exists(secret) AND lastUsedStep < :step",
                ExpressionAttributeValues={":step": {"N": str(step)}},
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    @translate_aws_errors
    async def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        try:
            await self._call(
                "update_item",
                Key=self._key(user_id),
                UpdateExpression="DELETE recoveryCodes :code",
                ConditionExpression="contains(recoveryCodes, :hash)",
                ExpressionAttributeValues={":code": {"SS": [code_hash]}, ":hash": {"S": code_hash}},
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    @translate_aws_errors
    async def delete(self, user_id: str) -> None:
        await self._call("delete_item", Key=self._key(user_id))


class DynamoDbSignInChallengeStore:
    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._call = AwsCall(client, TableName=table_name)

    @staticmethod
    def _key(token_hash: str) -> dict[str, Any]:
        return {"sessionId": {"S": f"challenge#{token_hash}"}}

    @translate_aws_errors
    async def add(self, challenge: SignInChallenge) -> None:
        await self._call(
            "put_item",
            Item={
                **self._key(challenge.token_hash),
                # Not `userId`: the user index lists sessions only.
                "challengeUserId": {"S": challenge.user_id},
                "userAgent": {"S": challenge.user_agent},
                "expiresAt": {"N": str(challenge.expires_at)},
            },
        )

    @translate_aws_errors
    async def get(self, token_hash: str) -> SignInChallenge | None:
        response = await self._call("get_item", Key=self._key(token_hash), ConsistentRead=True)
        item = response.get("Item")
        if item is None:
            return None
        return SignInChallenge(
            token_hash=token_hash,
            user_id=item["challengeUserId"]["S"],
            user_agent=item["userAgent"]["S"],
            expires_at=int(item["expiresAt"]["N"]),
        )

    @translate_aws_errors
    async def delete(self, token_hash: str) -> None:
        await self._call("delete_item", Key=self._key(token_hash))


class DynamoDbOneTimeTokenStore:
    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._call = AwsCall(client, TableName=table_name)

    @staticmethod
    def _key(purpose: TokenPurpose, token_hash: str) -> dict[str, Any]:
        return {"sessionId": {"S": f"token#{purpose.value}#{token_hash}"}}

    @translate_aws_errors
    async def add(self, token: OneTimeToken) -> None:
        item = {
            **self._key(token.purpose, token.token_hash),
            "ownerId": {"S": token.user_id},
            "expiresAt": {"N": str(token.expires_at)},
        }
        if token.password_stamp:
            item["passwordStamp"] = {"S": token.password_stamp}
        await self._call("put_item", Item=item)

    @translate_aws_errors
    async def consume(self, purpose: TokenPurpose, token_hash: str) -> OneTimeToken | None:
        # Only the caller whose delete removed the item gets its old values back.
        response = await self._call("delete_item", Key=self._key(purpose, token_hash), ReturnValues="ALL_OLD")
        item = response.get("Attributes")
        if not item:
            return None
        return OneTimeToken(
            purpose,
            token_hash,
            item["ownerId"]["S"],
            int(item["expiresAt"]["N"]),
            item.get("passwordStamp", {}).get("S", ""),
        )
