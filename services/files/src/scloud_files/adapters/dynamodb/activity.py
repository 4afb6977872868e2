"""ActivityLog on DynamoDB, in the files table (docs/data-model.md, "Activity and Recent"). An
event is written whole under the user's partition once for the feed (`#act#<eventKey>`), once
for its item's history (`#acti#<itemId>#<eventKey>`) and once per folder it names
(`#actf#<folderId>#<eventKey>`), so each list is one Query of one range with no second read.
The keys come from the change: a write repeated puts the same records again. Recent is one entry
per file (`#recent#<touchedAt>|<itemId>`, listed newest first) with a pointer to it
(`#recentof#<itemId>`), moved together in one transaction. Every record carries the TTL."""

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scloud_common.aws import translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.dynamodb.access import BATCH_WRITE_SIZE, TableAccess
from scloud_files.adapters.dynamodb.record import item_key
from scloud_files.adapters.dynamodb.table import TTL_ATTRIBUTE
from scloud_files.adapters.dynamodb.transaction import Transaction
from scloud_files.domain import ItemKind
from scloud_files.domain.activity import ActivityAction, ActivityEvent, RecentTouch

FEED_PREFIX = "#act#"
ITEM_PREFIX = "#acti#"
FOLDER_PREFIX = "#actf#"
RECENT_PREFIX = "#recent#"
RECENT_POINTER_PREFIX = "#recentof#"
# Touches of one file racing each other: the loser reads the pointer again, this many times.
TOUCH_ATTEMPTS = 4
OPTIONAL_TEXT = {
    "actor_id": "actorId",
    "name_before": "nameBefore",
    "name_after": "nameAfter",
    "path_before": "pathBefore",
    "path_after": "pathAfter",
}


def _ttl(expires_at: str) -> dict[str, str]:
    return {"N": str(int(datetime.fromisoformat(expires_at).timestamp()))}


def _attributes(event: ActivityEvent) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "eventKey": {"S": event.event_key},
        "at": {"S": event.at},
        "itemId": {"S": event.item_id},
        "itemKind": {"S": event.item_kind.value},
        "action": {"S": event.action.value},
        "detail": {"S": event.detail},
        "expiresAt": {"S": event.expires_at},
        "folderIds": {"S": json.dumps(list(event.folder_ids))},
        TTL_ATTRIBUTE: _ttl(event.expires_at),
    }
    for field, attribute in OPTIONAL_TEXT.items():
        value = getattr(event, field)
        if value is not None:
            attributes[attribute] = {"S": value}
    return attributes


def _event_of(record: dict[str, Any]) -> ActivityEvent:
    return ActivityEvent(
        user_id=record["userId"]["S"],
        at=record["at"]["S"],
        item_id=record["itemId"]["S"],
        item_kind=ItemKind(record["itemKind"]["S"]),
        action=ActivityAction(record["action"]["S"]),
        expires_at=record["expiresAt"]["S"],
        detail=record["detail"]["S"],
        folder_ids=tuple(json.loads(record["folderIds"]["S"])),
        **{
            field: record[attribute]["S"] if attribute in record else None for field, attribute in OPTIONAL_TEXT.items()
        },
    )


def _sort_keys(event: ActivityEvent) -> list[str]:
    keys = [FEED_PREFIX + event.event_key, f"{ITEM_PREFIX}{event.item_id}#{event.event_key}"]
    return keys + [f"{FOLDER_PREFIX}{folder_id}#{event.event_key}" for folder_id in dict.fromkeys(event.folder_ids)]


def event_records(event: ActivityEvent) -> list[dict[str, Any]]:
    """The items one event is written as: in the feed, the item's history and each folder's."""
    attributes = _attributes(event)
    return [{**item_key(event.user_id, key), **attributes} for key in _sort_keys(event)]


class DynamoDbActivityLog(TableAccess):
    @translate_aws_errors
    async def record(self, event: ActivityEvent) -> None:
        puts = [{"PutRequest": {"Item": record}} for record in event_records(event)]
        for start in range(0, len(puts), BATCH_WRITE_SIZE):
            await self._batch_delete(puts[start : start + BATCH_WRITE_SIZE])

    async def _events(
        self, user_id: str, prefix: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        records, more = await self._read_page(
            limit=limit,
            start=item_key(user_id, prefix + after_key) if after_key else None,
            KeyConditionExpression="userId = :user AND begins_with(fileId, :prefix)",
            FilterExpression="expiresAt > :now",
            ExpressionAttributeValues={":user": {"S": user_id}, ":prefix": {"S": prefix}, ":now": {"S": now}},
            ScanIndexForward=False,
        )
        events = [_event_of(record) for record in records]
        return events, events[-1].event_key if more and events else None

    @translate_aws_errors
    async def list_for_user(
        self, user_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        return await self._events(user_id, FEED_PREFIX, limit=limit, after_key=after_key, now=now)

    @translate_aws_errors
    async def list_for_item(
        self, user_id: str, item_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        return await self._events(user_id, f"{ITEM_PREFIX}{item_id}#", limit=limit, after_key=after_key, now=now)

    @translate_aws_errors
    async def list_for_folder(
        self, user_id: str, folder_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        return await self._events(user_id, f"{FOLDER_PREFIX}{folder_id}#", limit=limit, after_key=after_key, now=now)

    @translate_aws_errors
    async def touch(self, touch: RecentTouch) -> None:
        pointer_key = item_key(touch.user_id, RECENT_POINTER_PREFIX + touch.item_id)
        entry = {
            "itemId": {"S": touch.item_id},
            "touchedAt": {"S": touch.touched_at},
            "expiresAt": {"S": touch.expires_at},
            TTL_ATTRIBUTE: _ttl(touch.expires_at),
        }
        for _ in range(TOUCH_ATTEMPTS):
            response = await self._call("get_item", TableName=self._table, Key=pointer_key, ConsistentRead=True)
            earlier = response.get("Item", {}).get("touchedAt", {}).get("S")
            if earlier is not None and earlier >= touch.touched_at:
                return
            unchanged: dict[str, Any] = (
                {
                    "ConditionExpression": "touchedAt = :earlier",
                    "ExpressionAttributeValues": {":earlier": {"S": earlier}},
                }
                if earlier is not None
                else {"ConditionExpression": "attribute_not_exists(fileId)"}
            )
            transaction = Transaction().add(
                "pointer", {"Put": {"TableName": self._table, "Item": {**pointer_key, **entry}, **unchanged}}
            )
            transaction.add(
                "entry",
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": {**item_key(touch.user_id, RECENT_PREFIX + touch.recent_key), **entry},
                    }
                },
            )
            if earlier is not None:
                earlier_key = RecentTouch(touch.user_id, touch.item_id, earlier, touch.expires_at).recent_key
                transaction.add(
                    "earlier",
                    {"Delete": {"TableName": self._table, "Key": item_key(touch.user_id, RECENT_PREFIX + earlier_key)}},
                )
            cancelled = await self._transact(transaction, token=transaction.fingerprint())
            if cancelled is None:
                return
            if not cancelled.refused("pointer"):
                raise ServiceUnavailable()
        raise ServiceUnavailable()

    @translate_aws_errors
    async def list_recent(
        self, user_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[RecentTouch], str | None]:
        records, more = await self._read_page(
            limit=limit,
            start=item_key(user_id, RECENT_PREFIX + after_key) if after_key else None,
            KeyConditionExpression="userId = :user AND begins_with(fileId, :prefix)",
            FilterExpression="expiresAt > :now",
            ExpressionAttributeValues={":user": {"S": user_id}, ":prefix": {"S": RECENT_PREFIX}, ":now": {"S": now}},
            ScanIndexForward=False,
        )
        touches = [
            RecentTouch(user_id, record["itemId"]["S"], record["touchedAt"]["S"], record["expiresAt"]["S"])
            for record in records
        ]
        return touches, touches[-1].recent_key if more and touches else None

    @translate_aws_errors
    async def delete_all(self, user_id: str) -> None:
        for prefix in (FEED_PREFIX, ITEM_PREFIX, FOLDER_PREFIX, RECENT_PREFIX, RECENT_POINTER_PREFIX):
            async for records in self._query_all(
                KeyConditionExpression="userId = :user AND begins_with(fileId, :prefix)",
                ExpressionAttributeValues={":user": {"S": user_id}, ":prefix": {"S": prefix}},
                ProjectionExpression="userId, fileId",
            ):
                for start in range(0, len(records), BATCH_WRITE_SIZE):
                    batch = records[start : start + BATCH_WRITE_SIZE]
                    await self._batch_delete(
                        [{"DeleteRequest": {"Key": item_key(user_id, r["fileId"]["S"])}} for r in batch]
                    )


if TYPE_CHECKING:
    from scloud_files.ports import ActivityLog

    _activity: ActivityLog = DynamoDbActivityLog.__new__(DynamoDbActivityLog)
