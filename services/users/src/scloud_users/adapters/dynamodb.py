"""UserRepository on DynamoDB.

One table, two kinds of item under the key `pk`: `user#<id>` holds the account, and
`email#<email>` points at its owner. Both are written in one transaction conditioned on
neither existing, which keeps emails unique even when two registrations race.
"""

from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from scloud_common.aws import AwsCall, translate_aws_errors
from scloud_users.domain import Account, EmailTaken, User, UserNotFound


def table_definition(table_name: str) -> dict[str, Any]:
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "SSESpecification": {"Enabled": True},
    }


def _user_key(user_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"user#{user_id}"}}


def _email_key(email: str) -> dict[str, Any]:
    return {"pk": {"S": f"email#{email}"}}


def _account_from_item(item: dict[str, Any]) -> Account:
    user = User(
        user_id=item["userId"]["S"],
        email=item["email"]["S"],
        username=item["username"]["S"],
        gender=item.get("gender", {}).get("S"),
        date_of_birth=item.get("dateOfBirth", {}).get("S"),
        created_at=item["createdAt"]["S"],
        email_verified=item.get("emailVerified", {}).get("BOOL", False),
        locked=item.get("locked", {}).get("BOOL", False),
    )
    return Account(user, item["passwordHash"]["S"])


class DynamoDbUserRepository:
    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._table = table_name
        # No shared TableName: transactions name the table per item.
        self._call = AwsCall(client)

    @translate_aws_errors
    async def add(self, account: Account) -> None:
        user = account.user
        item = {
            **_user_key(user.user_id),
            "userId": {"S": user.user_id},
            "email": {"S": user.email},
            "username": {"S": user.username},
            "createdAt": {"S": user.created_at},
            "passwordHash": {"S": account.password_hash},
        }
        if user.gender:
            item["gender"] = {"S": user.gender}
        if user.date_of_birth:
            item["dateOfBirth"] = {"S": user.date_of_birth}
        try:
            await self._call(
                "transact_write_items",
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {**_email_key(user.email), "userId": {"S": user.user_id}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ],
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException" and _email_condition_failed(exc):
                raise EmailTaken() from None
            raise

    @translate_aws_errors
    async def get(self, user_id: str) -> Account | None:
        response = await self._call("get_item", TableName=self._table, Key=_user_key(user_id), ConsistentRead=True)
        item = response.get("Item")
        return _account_from_item(item) if item else None

    @translate_aws_errors
    async def get_by_email(self, email: str) -> Account | None:
        response = await self._call("get_item", TableName=self._table, Key=_email_key(email), ConsistentRead=True)
        pointer = response.get("Item")
        if pointer is None:
            return None
        return await self.get(pointer["userId"]["S"])

    @translate_aws_errors(condition_failed=UserNotFound)
    async def update_profile(self, user: User) -> None:
        sets = ["username = :username"]
        removes = []
        values = {":username": {"S": user.username}}
        for attribute, value in (("gender", user.gender), ("dateOfBirth", user.date_of_birth)):
            if value:
                sets.append(f"{attribute} = :{attribute}")
                values[f":{attribute}"] = {"S": value}
            else:
                removes.append(attribute)
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        await self._update_existing(user.user_id, UpdateExpression=expression, ExpressionAttributeValues=values)

    @translate_aws_errors(condition_failed=UserNotFound)
    async def update_password_hash(self, user_id: str, password_hash: str) -> None:
        await self._update_existing(
            user_id,
            UpdateExpression="SET passwordHash = :hash",
            ExpressionAttributeValues={":hash": {"S": password_hash}},
        )

    @translate_aws_errors(condition_failed=UserNotFound)
    async def mark_email_verified(self, user_id: str) -> None:
        await self._update_existing(
            user_id, UpdateExpression="SET emailVerified = :true", ExpressionAttributeValues={":true": {"BOOL": True}}
        )

    @translate_aws_errors(condition_failed=UserNotFound)
    async def set_locked(self, user_id: str, locked: bool) -> None:
        await self._update_existing(
            user_id, UpdateExpression="SET locked = :locked", ExpressionAttributeValues={":locked": {"BOOL": locked}}
        )

    async def _update_existing(self, user_id: str, **update: Any) -> None:
        # A missing user fails the condition, which the callers' decorator turns into UserNotFound.
        await self._call(
            "update_item",
            TableName=self._table,
            Key=_user_key(user_id),
            ConditionExpression="attribute_exists(pk)",
            **update,
        )

    @translate_aws_errors
    async def delete(self, user_id: str) -> None:
        account = await self.get(user_id)
        if account is None:
            return
        await self._call(
            "transact_write_items",
            TransactItems=[
                {"Delete": {"TableName": self._table, "Key": _user_key(user_id)}},
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": _email_key(account.user.email),
                        # Never free an email that now belongs to someone else.
                        "ConditionExpression": "attribute_not_exists(pk) OR userId = :user",
                        "ExpressionAttributeValues": {":user": {"S": user_id}},
                    }
                },
            ],
        )

    @translate_aws_errors
    async def check_ready(self) -> None:
        await self._call("describe_table", TableName=self._table)


def _email_condition_failed(exc: ClientError) -> bool:
    reasons = exc.response.get("CancellationReasons") or []
    if not reasons:
        # Some endpoints omit the reasons; a fresh random user id cannot collide, so it was the email.
        return True
    return reasons[0].get("Code") == "ConditionalCheckFailed"
