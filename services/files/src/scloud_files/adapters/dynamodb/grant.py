"""GrantStore on DynamoDB, in the files table (docs/data-model.md, "Sharing with people"): a grant
is one record in the owner's partition (`#grant#<itemId>#<personId>`: the people on an item are
one range) and one in the grantee's (`#shared#<itemId>`: what is shared with them, and the check
of every request through it), or, while it is an invitation, one under the email's hash
(`#invite#<personId>`, `<ownerId>#<itemId>`). The sides are written in one transaction; an
invitation's records carry its expiry as TTL."""

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from scloud_common.aws import translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.dynamodb.access import TableAccess
from scloud_files.adapters.dynamodb.record import item_key
from scloud_files.adapters.dynamodb.table import TTL_ATTRIBUTE
from scloud_files.adapters.dynamodb.transaction import Transaction
from scloud_files.domain import ItemKind
from scloud_files.domain.grant import Grant, PersonNotFound, Role, ShareNotFound

GRANT_PREFIX = "#grant#"
SHARED_PREFIX = "#shared#"
INVITE_PREFIX = "#invite#"
# The shared mark of an item (docs/data-model.md): one record in the owner's partition with an
# attribute per person (`p<personId>`): "" for a grant, the expiry for an invitation.
ITEM_PEOPLE_PREFIX = "#itempeople#"
PERSON_ATTRIBUTE_PREFIX = "p"
TEXT = {
    "item_id": "itemId",
    "person_id": "personId",
    "email": "email",
    "item_name": "itemName",
    "owner_name": "ownerName",
    "created_at": "createdAt",
}


def _owner_key(grant: Grant) -> dict[str, Any]:
    return item_key(grant.owner_id, f"{GRANT_PREFIX}{grant.item_id}#{grant.person_id}")


def _grantee_key(grantee_id: str, item_id: str) -> dict[str, Any]:
    return item_key(grantee_id, SHARED_PREFIX + item_id)


def _invite_key(grant: Grant) -> dict[str, Any]:
    return item_key(INVITE_PREFIX + grant.person_id, f"{grant.owner_id}#{grant.item_id}")


def _mark_key(owner_id: str, item_id: str) -> dict[str, Any]:
    return item_key(owner_id, ITEM_PEOPLE_PREFIX + item_id)


def _mark_value(grant: Grant) -> dict[str, Any]:
    return {"S": grant.expires_at or ""}


def _other_key(grant: Grant) -> dict[str, Any]:
    """The record beside the owner's: the grantee's, or the invitation's."""
    return _grantee_key(grant.grantee_id, grant.item_id) if grant.grantee_id else _invite_key(grant)


def _attributes(grant: Grant) -> dict[str, Any]:
    attributes: dict[str, Any] = {attribute: {"S": getattr(grant, field)} for field, attribute in TEXT.items()}
    attributes |= {
        "grantOwner": {"S": grant.owner_id},
        "role": {"S": grant.role.value},
        "itemKind": {"S": grant.item_kind.value},
        "inDrive": {"BOOL": grant.in_drive},
    }
    if grant.grantee_id is not None:
        attributes["granteeId"] = {"S": grant.grantee_id}
    if grant.expires_at is not None:
        attributes["expiresAt"] = {"S": grant.expires_at}
        attributes[TTL_ATTRIBUTE] = {"N": str(int(datetime.fromisoformat(grant.expires_at).timestamp()))}
    return attributes


def _grant_of(record: dict[str, Any]) -> Grant:
    return Grant(
        **{field: record[attribute]["S"] for field, attribute in TEXT.items()},
        owner_id=record["grantOwner"]["S"],
        role=Role(record["role"]["S"]),
        item_kind=ItemKind(record["itemKind"]["S"]),
        grantee_id=record["granteeId"]["S"] if "granteeId" in record else None,
        expires_at=record["expiresAt"]["S"] if "expiresAt" in record else None,
        in_drive=record["inDrive"]["BOOL"],
    )


class DynamoDbGrants(TableAccess):
    def _put(self, key: dict[str, Any], grant: Grant, **condition: Any) -> dict[str, Any]:
        return {"Put": {"TableName": self._table, "Item": {**key, **_attributes(grant)}, **condition}}

    def _delete(self, key: dict[str, Any]) -> dict[str, Any]:
        return {"Delete": {"TableName": self._table, "Key": key}}

    def _mark(
        self, owner_id: str, item_id: str, *, put: Iterable[Grant] = (), gone: Iterable[str] = ()
    ) -> dict[str, Any]:
        """One update of the item's shared mark: the people in `put` set, the person ids in
        `gone` removed (one write per record in a transaction)."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        sets, removes = [], []
        for number, grant in enumerate(put):
            names[f"#set{number}"] = PERSON_ATTRIBUTE_PREFIX + grant.person_id
            values[f":set{number}"] = _mark_value(grant)
            sets.append(f"#set{number} = :set{number}")
        for number, person_id in enumerate(gone):
            names[f"#gone{number}"] = PERSON_ATTRIBUTE_PREFIX + person_id
            removes.append(f"#gone{number}")
        expression = " ".join(
            part
            for part in ("SET " + ", ".join(sets) if sets else "", "REMOVE " + ", ".join(removes) if removes else "")
            if part
        )
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": _mark_key(owner_id, item_id),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
        }
        if values:
            update["ExpressionAttributeValues"] = values
        return {"Update": update}

    async def _get(self, key: dict[str, Any]) -> Grant | None:
        response = await self._call("get_item", TableName=self._table, Key=key, ConsistentRead=True)
        record = response.get("Item")
        return _grant_of(record) if record else None

    async def _commit(self, transaction: Transaction) -> None:
        if await self._transact(transaction) is not None:
            raise ServiceUnavailable()

    @translate_aws_errors
    async def add(self, grant: Grant) -> None:
        writes = {str(_owner_key(grant)): ("owner", self._put(_owner_key(grant), grant))}
        writes[str(_other_key(grant))] = ("side", self._put(_other_key(grant), grant))
        # What this grant replaces: the person's earlier one, and the grantee's under another
        # spelling of their address (one account, one grant per item).
        earlier = [await self._get(_owner_key(grant))]
        if grant.grantee_id is not None:
            earlier.append(await self._get(_grantee_key(grant.grantee_id, grant.item_id)))
        replaced = [old for old in earlier if old is not None]
        for number, old in enumerate(replaced):
            for role, key in (("owner", _owner_key(old)), ("side", _other_key(old))):
                writes.setdefault(str(key), (f"old {role} {number}", self._delete(key)))
        gone = {old.person_id for old in replaced} - {grant.person_id}
        transaction = Transaction()
        for name, write in writes.values():
            transaction.add(name, write)
        transaction.add("mark", self._mark(grant.owner_id, grant.item_id, put=[grant], gone=sorted(gone)))
        await self._commit(transaction)

    @translate_aws_errors
    async def get(self, owner_id: str, item_id: str, person_id: str) -> Grant | None:
        return await self._get(item_key(owner_id, f"{GRANT_PREFIX}{item_id}#{person_id}"))

    async def _range(self, partition: str, prefix: str | None = None) -> list[Grant]:
        condition = "userId = :partition"
        values = {":partition": {"S": partition}}
        if prefix is not None:
            condition += " AND begins_with(fileId, :prefix)"
            values[":prefix"] = {"S": prefix}
        grants: list[Grant] = []
        async for records in self._query_all(
            KeyConditionExpression=condition, ExpressionAttributeValues=values, ConsistentRead=True
        ):
            grants += [_grant_of(record) for record in records]
        return grants

    @translate_aws_errors
    async def people_on(self, owner_id: str, item_id: str) -> list[Grant]:
        people = await self._range(owner_id, f"{GRANT_PREFIX}{item_id}#")
        return sorted(people, key=lambda grant: (grant.created_at, grant.person_id))

    async def _update_both(self, grant: Grant, expression: str, values: dict[str, Any]) -> bool:
        """Applies the update to the grant's two records; False if either is gone."""
        transaction = Transaction()
        for name, key in (("owner", _owner_key(grant)), ("side", _other_key(grant))):
            transaction.add(
                name,
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": key,
                        "UpdateExpression": expression,
                        "ConditionExpression": "attribute_exists(personId)",
                        # `role` is a reserved word.
                        **({"ExpressionAttributeNames": {"#role": "role"}} if "#role" in expression else {}),
                        "ExpressionAttributeValues": values,
                    }
                },
            )
        cancelled = await self._transact(transaction)
        if cancelled is None:
            return True
        if cancelled.refused("owner", "side"):
            return False
        raise ServiceUnavailable()

    @translate_aws_errors
    async def set_role(self, grant: Grant, role: Role) -> None:
        if not await self._update_both(grant, "SET #role = :role", {":role": {"S": role.value}}):
            raise PersonNotFound()

    @translate_aws_errors
    async def remove(self, grant: Grant) -> None:
        await self._commit(
            Transaction()
            .add("owner", self._delete(_owner_key(grant)))
            .add("side", self._delete(_other_key(grant)))
            .add("mark", self._mark(grant.owner_id, grant.item_id, gone=[grant.person_id]))
        )

    @translate_aws_errors
    async def shared_with(self, grantee_id: str, item_id: str) -> Grant | None:
        return await self._get(_grantee_key(grantee_id, item_id))

    @translate_aws_errors
    async def list_shared_with(
        self, grantee_id: str, *, limit: int, after_item_id: str | None
    ) -> tuple[list[Grant], str | None]:
        records, more = await self._read_page(
            limit=limit,
            start=_grantee_key(grantee_id, after_item_id) if after_item_id else None,
            KeyConditionExpression="userId = :grantee AND begins_with(fileId, :prefix)",
            ExpressionAttributeValues={":grantee": {"S": grantee_id}, ":prefix": {"S": SHARED_PREFIX}},
            ScanIndexForward=False,
            ConsistentRead=True,
        )
        grants = [_grant_of(record) for record in records]
        return grants, grants[-1].item_id if more and grants else None

    @translate_aws_errors
    async def set_in_drive(self, grant: Grant, in_drive: bool) -> None:
        if grant.grantee_id is None or not await self._update_both(
            grant, "SET inDrive = :in_drive", {":in_drive": {"BOOL": in_drive}}
        ):
            raise ShareNotFound()

    @translate_aws_errors
    async def invitations_to(self, person_id: str, now: str) -> list[Grant]:
        # The TTL removes an expired one some time after its expiry: until then it is skipped here.
        invitations = await self._range(INVITE_PREFIX + person_id)
        return [grant for grant in invitations if (grant.expires_at or "") > now]

    @translate_aws_errors
    async def claim(self, invitation: Grant, grantee_id: str) -> bool:
        claimed = dataclasses.replace(invitation, grantee_id=grantee_id, expires_at=None)
        unchanged = {
            "ConditionExpression": "#role = :role AND createdAt = :created AND attribute_not_exists(granteeId)",
            "ExpressionAttributeNames": {"#role": "role"},
            "ExpressionAttributeValues": {
                ":role": {"S": invitation.role.value},
                ":created": {"S": invitation.created_at},
            },
        }
        transaction = (
            Transaction()
            .add("owner", self._put(_owner_key(claimed), claimed, **unchanged))
            .add("invite", self._delete(_invite_key(invitation)))
            .add("mark", self._mark(invitation.owner_id, invitation.item_id, put=[claimed]))
            .add(
                "grantee",
                self._put(
                    _grantee_key(grantee_id, invitation.item_id),
                    claimed,
                    ConditionExpression="attribute_not_exists(personId)",
                ),
            )
        )
        cancelled = await self._transact(transaction)
        if cancelled is None:
            return True
        if cancelled.refused("grantee") and not cancelled.refused("owner"):
            await self.remove(invitation)
            return False
        if cancelled.refused("owner", "grantee"):
            return False
        raise ServiceUnavailable()

    @translate_aws_errors
    async def shared_items(self, owner_id: str, item_ids: Sequence[str], now: str) -> set[str]:
        keys = [_mark_key(owner_id, item_id) for item_id in dict.fromkeys(item_ids)]
        shared = set()
        for record in await self._batch_get(keys) if keys else []:
            ends = [value["S"] for name, value in record.items() if name.startswith(PERSON_ATTRIBUTE_PREFIX)]
            if any(end == "" or end > now for end in ends):
                shared.add(record["fileId"]["S"].removeprefix(ITEM_PEOPLE_PREFIX))
        return shared

    @translate_aws_errors
    async def delete_for_item(self, owner_id: str, item_id: str) -> int:
        people = await self._range(owner_id, f"{GRANT_PREFIX}{item_id}#")
        for grant in people:
            await self.remove(grant)
        await self._call("delete_item", TableName=self._table, Key=_mark_key(owner_id, item_id))
        return len(people)

    @translate_aws_errors
    async def delete_for_account(self, user_id: str) -> int:
        grants = await self._range(user_id, GRANT_PREFIX) + await self._range(user_id, SHARED_PREFIX)
        for grant in grants:
            await self.remove(grant)
        return len(grants)
