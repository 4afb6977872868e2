"""UserRepository on DynamoDB.

One table, two kinds of item under the key `pk`: `user#<id>` holds the account, and
`email#<email>` points at its owner. Both are written in one transaction conditioned on
neither existing, which keeps emails unique even when two registrations race.

Invitations are `invitation#<id>` items of the same table, so that an account made with one is
written in the transaction that marks it used (conditioned on it being unused and unexpired).
Listing them scans the table: an operator's command, never a request's.
"""

from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from scloud_common.aws import AwsCall, translate_aws_errors
from scloud_common.errors import AlreadyExists
from scloud_users.domain import Account, EmailTaken, Invitation, InvitationClaim, InvitationInvalid, User, UserNotFound

INVITATION_PREFIX = "invitation#"


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


def _invitation_key(invitation_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"{INVITATION_PREFIX}{invitation_id}"}}


def _invitation_item(invitation: Invitation) -> dict[str, Any]:
    item = {
        **_invitation_key(invitation.invitation_id),
        "invitationId": {"S": invitation.invitation_id},
        "tokenHash": {"S": invitation.token_hash},
        "createdBy": {"S": invitation.created_by},
        "createdAt": {"N": str(invitation.created_at)},
        "expiresAt": {"N": str(invitation.expires_at)},
    }
    if invitation.email is not None:
        item["email"] = {"S": invitation.email}
    if invitation.used_at is not None:
        item["usedAt"] = {"N": str(invitation.used_at)}
    return item


def _invitation_from_item(item: dict[str, Any]) -> Invitation:
    used_at = item.get("usedAt")
    return Invitation(
        invitation_id=item["invitationId"]["S"],
        token_hash=item["tokenHash"]["S"],
        email=item.get("email", {}).get("S"),
        created_by=item["createdBy"]["S"],
        created_at=int(item["createdAt"]["N"]),
        expires_at=int(item["expiresAt"]["N"]),
        used_at=int(used_at["N"]) if used_at else None,
    )


def _invitation_claim(table: str, claim: InvitationClaim) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": _invitation_key(claim.invitation_id),
            "UpdateExpression": "SET usedAt = :now",
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAt > :now",
            "ExpressionAttributeValues": {":now": {"N": str(claim.used_at)}},
        }
    }


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
    async def add(self, account: Account, *, invitation: InvitationClaim | None = None) -> None:
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
        writes = {
            "email": {
                "Put": {
                    "TableName": self._table,
                    "Item": {**_email_key(user.email), "userId": {"S": user.user_id}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            "account": {
                "Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}
            },
        }
        if invitation is not None:
            writes["invitation"] = _invitation_claim(self._table, invitation)
        try:
            await self._call("transact_write_items", TransactItems=list(writes.values()))
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            failed = _failed_writes(exc, list(writes))
            if failed is None:
                # Some endpoints omit the reasons. A fresh random user id cannot collide, so it was
                # the email, or the invitation if the email is free.
                taken = invitation is None or await self.get_by_email(user.email) is not None
                raise (EmailTaken() if taken else InvitationInvalid()) from None
            if "email" in failed:
                raise EmailTaken() from None
            if "invitation" in failed:
                raise InvitationInvalid() from None
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


def _failed_writes(exc: ClientError, names: list[str]) -> set[str] | None:
    """The names of the transaction's writes whose condition failed; None if the endpoint did
    not say."""
    reasons = exc.response.get("CancellationReasons") or []
    if not reasons:
        return None
    return {
        name for name, reason in zip(names, reasons, strict=False) if reason.get("Code") == "ConditionalCheckFailed"
    }


class DynamoDbInvitationRepository:
    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._call = AwsCall(client, TableName=table_name)

    @translate_aws_errors(condition_failed=AlreadyExists)
    async def add(self, invitation: Invitation) -> None:
        await self._call("put_item", Item=_invitation_item(invitation), ConditionExpression="attribute_not_exists(pk)")

    @translate_aws_errors
    async def get(self, invitation_id: str) -> Invitation | None:
        response = await self._call("get_item", Key=_invitation_key(invitation_id), ConsistentRead=True)
        item = response.get("Item")
        return _invitation_from_item(item) if item else None

    @translate_aws_errors
    async def list_all(self) -> list[Invitation]:
        invitations: list[Invitation] = []
        start: dict[str, Any] | None = None
        while True:
            response = await self._call(
                "scan",
                ConsistentRead=True,
                FilterExpression="begins_with(pk, :invitation)",
                ExpressionAttributeValues={":invitation": {"S": INVITATION_PREFIX}},
                **({"ExclusiveStartKey": start} if start else {}),
            )
            invitations += [_invitation_from_item(item) for item in response.get("Items", [])]
            start = response.get("LastEvaluatedKey")
            if not start:
                return invitations

    @translate_aws_errors
    async def delete(self, invitation_id: str) -> bool:
        response = await self._call("delete_item", Key=_invitation_key(invitation_id), ReturnValues="ALL_OLD")
        return "Attributes" in response
