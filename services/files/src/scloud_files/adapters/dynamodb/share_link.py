"""ShareLinkStore on DynamoDB, in the files table (docs/data-model.md, "Sharing"): a link's state is
one item in a partition of its own, `#share#<hash of the link id>`, so a busy link never writes
its owner's partition; the owner's partition holds `#link#<ref>` pointing at it; the log is the
partition `#sharelog#<ref>`; wrong-password windows are `#attempts#<key>`. Each carries the TTL
of what it belongs to."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from scloud_common.aws import translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.dynamodb.access import BATCH_WRITE_SIZE, TableAccess
from scloud_files.adapters.dynamodb.record import item_key
from scloud_files.adapters.dynamodb.table import TTL_ATTRIBUTE
from scloud_files.adapters.dynamodb.transaction import Transaction
from scloud_files.domain import (
    AccessEntry,
    AccessEvent,
    ItemKind,
    LinkNotFound,
    RefusalReason,
    ShareLink,
    link_attempts_key,
)

LINK_PREFIX = "#share#"
LINK_SORT_KEY = "#share"
OWNED_PREFIX = "#link#"
LOG_PREFIX = "#sharelog#"
ATTEMPTS_PREFIX = "#attempts#"
# In the owner's partition, one per item that ever had a link: an attribute per link that is not
# revoked (its ref, prefixed, holding its expiry), for the listings' "shared" mark in one
# BatchGetItem per page.
ITEM_LINKS_PREFIX = "#itemlinks#"
LINK_ATTRIBUTE_PREFIX = "l"
# Optional text attributes of a link record, by field name.
OPTIONAL_TEXT = {"password_hash": "passwordHash", "owner_name": "ownerName", "revoked_at": "revokedAt"}


def ttl_of(moment: str) -> dict[str, str]:
    return {"N": str(int(datetime.fromisoformat(moment).timestamp()))}


def moment_of(ttl: dict[str, str]) -> str:
    return datetime.fromtimestamp(int(ttl["N"]), UTC).isoformat()


def _record_key(token_hash: str) -> dict[str, Any]:
    return item_key(LINK_PREFIX + token_hash, LINK_SORT_KEY)


def _record(link: ShareLink) -> dict[str, Any]:
    record = {
        **_record_key(link.token_hash),
        "linkOwner": {"S": link.owner_id},
        "linkRef": {"S": link.link_ref},
        "itemId": {"S": link.item_id},
        "itemKind": {"S": link.item_kind.value},
        "createdAt": {"S": link.created_at},
        "expiresAt": {"S": link.expires_at},
        "downloadCount": {"N": str(link.download_count)},
        "openCount": {"N": str(link.open_count)},
        "refusedCount": {"N": str(link.refused_count)},
        TTL_ATTRIBUTE: ttl_of(link.forget_at),
    }
    for field, attribute in OPTIONAL_TEXT.items():
        if getattr(link, field) is not None:
            record[attribute] = {"S": getattr(link, field)}
    if link.download_limit is not None:
        record["downloadLimit"] = {"N": str(link.download_limit)}
    if link.last_access_at is not None:
        record["lastAccessAt"] = {"S": link.last_access_at}
    return record


def _link_of(record: dict[str, Any]) -> ShareLink:
    def text(attribute: str) -> str | None:
        return record[attribute]["S"] if attribute in record else None

    return ShareLink(
        link_ref=record["linkRef"]["S"],
        token_hash=record["userId"]["S"].removeprefix(LINK_PREFIX),
        owner_id=record["linkOwner"]["S"],
        item_id=record["itemId"]["S"],
        item_kind=ItemKind(record["itemKind"]["S"]),
        created_at=record["createdAt"]["S"],
        expires_at=record["expiresAt"]["S"],
        forget_at=moment_of(record[TTL_ATTRIBUTE]),
        password_hash=text("passwordHash"),
        download_limit=int(record["downloadLimit"]["N"]) if "downloadLimit" in record else None,
        owner_name=text("ownerName"),
        revoked_at=text("revokedAt"),
        download_count=int(record["downloadCount"]["N"]),
        open_count=int(record["openCount"]["N"]),
        refused_count=int(record["refusedCount"]["N"]),
        last_access_at=text("lastAccessAt"),
    )


def _entry_of(record: dict[str, Any]) -> AccessEntry:
    return AccessEntry(
        key=record["fileId"]["S"],
        at=record["at"]["S"],
        event=AccessEvent(record["event"]["S"]),
        reason=RefusalReason(record["reason"]["S"]) if "reason" in record else None,
        browser=record["browser"]["S"],
        network=record["network"]["S"],
        forget_at=moment_of(record[TTL_ATTRIBUTE]),
    )


def _item_links_key(owner_id: str, item_id: str) -> dict[str, Any]:
    return item_key(owner_id, ITEM_LINKS_PREFIX + item_id)


def _item_links_update(table: str, link: ShareLink) -> dict[str, Any]:
    """The link's mark on its item: its expiry while it is not revoked, nothing once it is. The
    mark's TTL is that of the latest link written, which outlives every link's expiry (an expiry
    is at most FILES_SHARE_MAX_EXPIRY_DAYS from its write, the TTL the retention past it)."""
    names = {"#link": LINK_ATTRIBUTE_PREFIX + link.link_ref, "#ttl": TTL_ATTRIBUTE}
    values: dict[str, Any] = {":ttl": ttl_of(link.forget_at)}
    if link.revoked_at is None:
        expression = "SET #link = :expires, #ttl = :ttl"
        values[":expires"] = {"S": link.expires_at}
    else:
        expression = "REMOVE #link SET #ttl = :ttl"
    return {
        "Update": {
            "TableName": table,
            "Key": _item_links_key(link.owner_id, link.item_id),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class DynamoDbShareLinks(TableAccess):
    @translate_aws_errors
    async def add(self, link: ShareLink) -> None:
        owned = {
            **item_key(link.owner_id, OWNED_PREFIX + link.link_ref),
            "linkHash": {"S": link.token_hash},
            "itemId": {"S": link.item_id},
            "createdAt": {"S": link.created_at},
            TTL_ATTRIBUTE: ttl_of(link.forget_at),
        }
        transaction = (
            Transaction()
            .add("record", {"Put": {"TableName": self._table, "Item": _record(link)}})
            .add("owned", {"Put": {"TableName": self._table, "Item": owned}})
            .add("item links", _item_links_update(self._table, link))
        )
        if await self._transact(transaction, token=transaction.fingerprint()) is not None:
            raise ServiceUnavailable()

    @translate_aws_errors
    async def find(self, token_hash: str) -> ShareLink | None:
        response = await self._call("get_item", TableName=self._table, Key=_record_key(token_hash), ConsistentRead=True)
        record = response.get("Item")
        return _link_of(record) if record else None

    @translate_aws_errors
    async def get(self, owner_id: str, link_ref: str) -> ShareLink | None:
        response = await self._call(
            "get_item", TableName=self._table, Key=item_key(owner_id, OWNED_PREFIX + link_ref), ConsistentRead=True
        )
        owned = response.get("Item")
        if not owned:
            return None
        link = await self.find(owned["linkHash"]["S"])
        return link if link is not None and link.owner_id == owner_id else None

    @translate_aws_errors
    async def list_owned(
        self, owner_id: str, *, limit: int, after_ref: str | None
    ) -> tuple[list[ShareLink], str | None]:
        owned, more = await self._read_page(
            limit=limit,
            start=item_key(owner_id, OWNED_PREFIX + after_ref) if after_ref else None,
            KeyConditionExpression="userId = :owner AND begins_with(fileId, :prefix)",
            ExpressionAttributeValues={":owner": {"S": owner_id}, ":prefix": {"S": OWNED_PREFIX}},
            ScanIndexForward=False,
        )
        records = await self._batch_get([_record_key(entry["linkHash"]["S"]) for entry in owned], ConsistentRead=True)
        by_hash = {_link_of(record).token_hash: _link_of(record) for record in records}
        # A record its TTL removed before its index entry is left out.
        links = [by_hash[entry["linkHash"]["S"]] for entry in owned if entry["linkHash"]["S"] in by_hash]
        last = owned[-1]["fileId"]["S"].removeprefix(OWNED_PREFIX) if owned else None
        return links, last if more else None

    @translate_aws_errors
    async def update_settings(self, link: ShareLink) -> None:
        values: dict[str, Any] = {":expires": {"S": link.expires_at}, ":ttl": ttl_of(link.forget_at)}
        sets, removes = ["expiresAt = :expires", "#ttl = :ttl"], []
        optional = {**OPTIONAL_TEXT, "download_limit": "downloadLimit"}
        for field, attribute in optional.items():
            value = getattr(link, field)
            if value is None:
                removes.append(attribute)
            else:
                sets.append(f"{attribute} = :{attribute}")
                values[f":{attribute}"] = {"N": str(value)} if isinstance(value, int) else {"S": value}
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        record = {
            "Update": {
                "TableName": self._table,
                "Key": _record_key(link.token_hash),
                "UpdateExpression": expression,
                "ConditionExpression": "attribute_exists(linkRef)",
                "ExpressionAttributeNames": {"#ttl": TTL_ATTRIBUTE},
                "ExpressionAttributeValues": values,
            }
        }
        owned = {
            "Update": {
                "TableName": self._table,
                "Key": item_key(link.owner_id, OWNED_PREFIX + link.link_ref),
                "UpdateExpression": "SET #ttl = :ttl",
                "ConditionExpression": "attribute_exists(linkHash)",
                "ExpressionAttributeNames": {"#ttl": TTL_ATTRIBUTE},
                "ExpressionAttributeValues": {":ttl": ttl_of(link.forget_at)},
            }
        }
        transaction = (
            Transaction()
            .add("record", record)
            .add("owned", owned)
            .add("item links", _item_links_update(self._table, link))
        )
        cancelled = await self._transact(transaction)
        if cancelled is None:
            return
        if cancelled.refused("record", "owned"):
            raise LinkNotFound()
        raise ServiceUnavailable()

    @translate_aws_errors
    async def shared_items(self, owner_id: str, item_ids: Sequence[str], now: str) -> set[str]:
        keys = [_item_links_key(owner_id, item_id) for item_id in dict.fromkeys(item_ids)]
        shared = set()
        for record in await self._batch_get(keys) if keys else []:
            expiries = [value["S"] for name, value in record.items() if name.startswith(LINK_ATTRIBUTE_PREFIX)]
            if any(expiry > now for expiry in expiries):
                shared.add(record["fileId"]["S"].removeprefix(ITEM_LINKS_PREFIX))
        return shared

    @translate_aws_errors
    async def count_download(self, token_hash: str, now: str) -> bool:
        try:
            await self._call(
                "update_item",
                TableName=self._table,
                Key=_record_key(token_hash),
                UpdateExpression="ADD downloadCount :one",
                ConditionExpression="attribute_exists(linkRef) AND attribute_not_exists(revokedAt) "
                "AND expiresAt > :now AND (attribute_not_exists(downloadLimit) OR downloadCount < downloadLimit)",
                ExpressionAttributeValues={":one": {"N": "1"}, ":now": {"S": now}},
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    @translate_aws_errors
    async def record_access(self, link: ShareLink, entry: AccessEntry) -> None:
        # Statistics: two plain writes, not a transaction (a lost increment is harmless).
        try:
            await self._call(
                "update_item",
                TableName=self._table,
                Key=_record_key(link.token_hash),
                UpdateExpression="ADD openCount :opens, refusedCount :refusals SET lastAccessAt = :at",
                ConditionExpression="attribute_exists(linkRef)",
                ExpressionAttributeValues={
                    ":opens": {"N": str(int(entry.event is AccessEvent.OPEN))},
                    ":refusals": {"N": str(int(entry.event is AccessEvent.REFUSED))},
                    ":at": {"S": entry.at},
                },
            )
        except ClientError as exc:
            if condition_failed(exc):
                return
            raise
        record = {
            **item_key(LOG_PREFIX + link.link_ref, entry.key),
            "at": {"S": entry.at},
            "event": {"S": entry.event.value},
            "browser": {"S": entry.browser},
            "network": {"S": entry.network},
            TTL_ATTRIBUTE: ttl_of(entry.forget_at),
        }
        if entry.reason is not None:
            record["reason"] = {"S": entry.reason.value}
        await self._call("put_item", TableName=self._table, Item=record)

    @translate_aws_errors
    async def access_log(
        self, link: ShareLink, *, limit: int, after_key: str | None
    ) -> tuple[list[AccessEntry], str | None]:
        partition = LOG_PREFIX + link.link_ref
        records, more = await self._read_page(
            limit=limit,
            start=item_key(partition, after_key) if after_key else None,
            KeyConditionExpression="userId = :log",
            ExpressionAttributeValues={":log": {"S": partition}},
            ScanIndexForward=False,
        )
        entries = [_entry_of(record) for record in records]
        return entries, entries[-1].key if more and entries else None

    @translate_aws_errors
    async def delete_links(self, owner_id: str, *, item_id: str | None = None) -> int:
        values: dict[str, Any] = {":owner": {"S": owner_id}, ":prefix": {"S": OWNED_PREFIX}}
        params: dict[str, Any] = {}
        if item_id is not None:
            # Reads all the owner's index entries: a purge's cost, never a request's.
            params = {"FilterExpression": "itemId = :item"}
            values[":item"] = {"S": item_id}
        deleted = 0
        async for entries in self._query_all(
            KeyConditionExpression="userId = :owner AND begins_with(fileId, :prefix)",
            ExpressionAttributeValues=values,
            **params,
        ):
            # The items' marks first: a deletion cut short leaves links unmarked, never marks
            # without links.
            marks = [_item_links_key(owner_id, item) for item in sorted({entry["itemId"]["S"] for entry in entries})]
            for start in range(0, len(marks), BATCH_WRITE_SIZE):
                await self._batch_delete(
                    [{"DeleteRequest": {"Key": key}} for key in marks[start : start + BATCH_WRITE_SIZE]]
                )
            for entry in entries:
                await self._delete_link(owner_id, entry["fileId"]["S"], entry["linkHash"]["S"])
                deleted += 1
        return deleted

    async def _delete_link(self, owner_id: str, owned_key: str, token_hash: str) -> None:
        # The log and the windows first, the index entry last: a deletion cut short is found
        # again by the next one.
        keys: list[dict[str, Any]] = []
        link_ref = owned_key.removeprefix(OWNED_PREFIX)
        for partition in (LOG_PREFIX + link_ref, ATTEMPTS_PREFIX + link_attempts_key(token_hash)):
            async for records in self._query_all(
                KeyConditionExpression="userId = :partition",
                ExpressionAttributeValues={":partition": {"S": partition}},
                ProjectionExpression="userId, fileId",
            ):
                keys.extend(item_key(partition, record["fileId"]["S"]) for record in records)
        keys += [_record_key(token_hash), item_key(owner_id, owned_key)]
        for start in range(0, len(keys), BATCH_WRITE_SIZE):
            await self._batch_delete(
                [{"DeleteRequest": {"Key": key}} for key in keys[start : start + BATCH_WRITE_SIZE]]
            )

    @translate_aws_errors
    async def failed_attempts(self, key: str, window_start: str) -> int:
        response = await self._call(
            "get_item",
            TableName=self._table,
            Key=item_key(ATTEMPTS_PREFIX + key, window_start),
            ConsistentRead=True,
            ProjectionExpression="attempts",
        )
        return int(response.get("Item", {}).get("attempts", {"N": "0"})["N"])

    @translate_aws_errors
    async def count_failed_attempt(self, key: str, window_start: str, *, forget_at: str) -> int:
        response = await self._call(
            "update_item",
            TableName=self._table,
            Key=item_key(ATTEMPTS_PREFIX + key, window_start),
            UpdateExpression="ADD attempts :one SET #ttl = :ttl",
            ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
            ExpressionAttributeValues={":one": {"N": "1"}, ":ttl": ttl_of(forget_at)},
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["attempts"]["N"])
