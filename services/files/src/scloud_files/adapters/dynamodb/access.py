"""What every part of the files repository uses to reach its table: calls, queries read a page at
a time or to the end, batch reads, and named transactions retried while only contention cancels
them."""

import asyncio
import logging
import random
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Executor
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError

from scloud_common.aws import AwsCall, AwsFailure, cancellation_reasons, classify_aws_error, translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.dynamodb.record import guard_key, item_key, usage_key
from scloud_files.adapters.dynamodb.table import ITEM_BOUNDS, ITEM_RANGE
from scloud_files.adapters.dynamodb.transaction import Cancelled, Transaction
from scloud_files.domain import Item, NameTaken

logger = logging.getLogger(__name__)

BATCH_GET_SIZE = 100
BATCH_ATTEMPTS = 8
BATCH_WRITE_SIZE = 25
# How long a transaction is retried while contention or a transient store error stops it: well
# inside a request's 8 s deadline.
TRANSACTION_BUDGET_SECONDS = 3.0
BACKOFF_BASE_SECONDS = 0.025
BACKOFF_CAP_SECONDS = 0.8


def _cancelled(transaction: Transaction, exc: BaseException) -> Cancelled | None:
    """Why each named item cancelled the transaction, if that is what `exc` says."""
    if not isinstance(exc, ClientError) or exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return None
    reasons = cancellation_reasons(exc)
    return Cancelled.of(transaction, reasons) if reasons else None


class TableAccess:
    def __init__(self, client: BaseClient, table_name: str) -> None:
        self._table = table_name
        # No shared TableName: transactions name the table per item.
        self._call = AwsCall(client)

    @property
    def executor(self) -> Executor:
        """The pool its calls run on, for the health watchdog."""
        return self._call.executor

    @translate_aws_errors
    async def _query_page(self, **params: Any) -> dict[str, Any]:
        return await self._call("query", TableName=self._table, **params)

    async def _query_all(self, **params: Any) -> AsyncIterator[list[dict[str, Any]]]:
        start: dict[str, Any] | None = None
        while True:
            response = await self._query_page(**params, **({"ExclusiveStartKey": start} if start else {}))
            yield response.get("Items", [])
            start = response.get("LastEvaluatedKey")
            if not start:
                return

    async def _read_page(
        self, *, limit: int, start: dict[str, Any] | None = None, **params: Any
    ) -> tuple[list[dict[str, Any]], bool]:
        """Up to `limit` records of the query from `start`, and whether more follow: reads one
        more than asked, across as many DynamoDB pages as a filter leaves short, so the last page
        never hands out a cursor to an empty one. `limit` 0 only asks whether any record follows."""
        records: list[dict[str, Any]] = []
        while True:
            response = await self._query_page(
                **params, Limit=limit + 1 - len(records), **({"ExclusiveStartKey": start} if start else {})
            )
            records += response.get("Items", [])
            start = response.get("LastEvaluatedKey")
            if len(records) > limit or not start:
                return records[:limit], len(records) > limit

    def _items_of(self, user_id: str, **params: Any) -> AsyncIterator[list[dict[str, Any]]]:
        values = {":user": {"S": user_id}, **ITEM_BOUNDS, **params.pop("ExpressionAttributeValues", {})}
        return self._query_all(**ITEM_RANGE, ExpressionAttributeValues=values, **params)

    async def _batch_get(self, keys: list[dict[str, Any]], **params: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), BATCH_GET_SIZE):
            pending: dict[str, Any] = {self._table: {"Keys": keys[start : start + BATCH_GET_SIZE], **params}}
            for attempt in range(BATCH_ATTEMPTS):
                response = await self._call("batch_get_item", RequestItems=pending)
                found += response.get("Responses", {}).get(self._table, [])
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
                await asyncio.sleep(min(0.05 * 2**attempt, 2.0))
            else:
                raise ServiceUnavailable()
        return found

    async def _batch_delete(self, requests: list[dict[str, Any]]) -> None:
        pending = {self._table: requests}
        for attempt in range(BATCH_ATTEMPTS):
            response = await self._call("batch_write_item", RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
            if not pending:
                return
            await asyncio.sleep(min(0.05 * 2**attempt, 2.0))
        logger.error("batch delete left unprocessed items", extra={"table": self._table})
        raise ServiceUnavailable()

    async def _transact(self, transaction: Transaction, *, token: str | None = None) -> Cancelled | None:
        """Runs the transaction; None if it committed, else why each named item cancelled it.

        A user's writes in parallel all touch their totals item (and a folder's, its row), so a
        transaction cancelled only by another one in progress, or failed by a transient store
        error (throttling, a 5xx, a timeout or a dropped connection), is tried again with
        full-jitter backoff within TRANSACTION_BUDGET_SECONDS. Every try carries the same
        ClientRequestToken (`token`, else one drawn for this call), so on DynamoDB a retry of a
        transaction that committed unseen is a no-op rather than a second write."""
        token = token or uuid.uuid4().hex
        deadline = time.monotonic() + TRANSACTION_BUDGET_SECONDS
        attempt = 0
        while True:
            try:
                await self._call("transact_write_items", TransactItems=transaction.items, ClientRequestToken=token)
                return None
            except (BotoCoreError, ClientError) as exc:
                failure = classify_aws_error(exc)
                if failure is AwsFailure.FAULT:
                    raise
                cancelled = _cancelled(transaction, exc)
                if failure is AwsFailure.CONDITION_FAILED and cancelled is not None:
                    return cancelled
                delay = random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt))
                if time.monotonic() + delay > deadline:
                    if cancelled is not None:
                        return cancelled
                    raise
            await asyncio.sleep(delay)
            attempt += 1

    # Transaction items shared by several writes

    def _usage_change(self, user_id: str, size: int, count: int, trash: int = 0) -> dict[str, Any]:
        values = {":size": {"N": str(size)}, ":count": {"N": str(count)}}
        expression = "ADD bytesUsed :size, fileCount :count"
        if trash:
            values[":trash"] = {"N": str(trash)}
            expression += ", trashBytes :trash"
        return {
            "TableName": self._table,
            "Key": usage_key(user_id),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
        }

    def _trash_change(self, item: Item, sign: int) -> dict[str, Any]:
        """A file trashed (sign 1) or restored (-1) by the user: its size in or out of the trash's share."""
        return {
            "Update": {
                "TableName": self._table,
                "Key": usage_key(item.user_id),
                "UpdateExpression": "ADD trashBytes :trash",
                "ExpressionAttributeValues": {":trash": {"N": str(sign * (item.size or 0))}},
            }
        }

    def _open_account(self, user_id: str) -> dict[str, Any]:
        return {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": usage_key(user_id),
                "ConditionExpression": "attribute_not_exists(closed)",
            }
        }

    def _take_guard(self, item: Item) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": {**guard_key(item.user_id, item.parent_id, item.name), "itemId": {"S": item.item_id}},
                "ConditionExpression": "attribute_not_exists(fileId)",
            }
        }

    def _free_guard(self, item: Item) -> dict[str, Any]:
        return {
            "Delete": {
                "TableName": self._table,
                "Key": guard_key(item.user_id, item.parent_id, item.name),
                "ConditionExpression": "itemId = :id",
                "ExpressionAttributeValues": {":id": {"S": item.item_id}},
            }
        }

    def _row_check(self, item: Item, condition: str, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": item_key(item.user_id, item.item_id),
                "ConditionExpression": condition,
                "ExpressionAttributeValues": values,
            }
        }

    @translate_aws_errors
    async def name_holders(self, user_id: str, parent_id: str | None, names: Sequence[str]) -> dict[str, str]:
        guard_ids = {name: guard_key(user_id, parent_id, name)["fileId"]["S"] for name in names}
        guards = await self._batch_get(
            [item_key(user_id, guard_id) for guard_id in set(guard_ids.values())],
            ConsistentRead=True,
            ProjectionExpression="fileId, itemId",
        )
        holders = {guard["fileId"]["S"]: guard["itemId"]["S"] for guard in guards}
        return {name: holders[guard_id] for name, guard_id in guard_ids.items() if guard_id in holders}

    async def _name_taken(self, item: Item) -> NameTaken:
        holders = await self.name_holders(item.user_id, item.parent_id, [item.name])
        return NameTaken(holders.get(item.name, ""))
