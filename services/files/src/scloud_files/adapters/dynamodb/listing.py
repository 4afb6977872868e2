"""Listings of live items: a folder in any order, everything in a folder, and the newest items
(of a kind, or all: the names a search reads, a bounded slice at a time)."""

from collections.abc import AsyncIterator, Sequence
from typing import Any

from scloud_common.aws import translate_aws_errors
from scloud_files.adapters.dynamodb.access import TableAccess
from scloud_files.adapters.dynamodb.record import folder_key, item_key, item_of
from scloud_files.adapters.dynamodb.table import SORT_INDEXES
from scloud_files.domain import KEY_SEPARATOR, InvalidCursor, Item, ItemKind, SortField, segments, sort_key_item_id


class Listings(TableAccess):
    @translate_aws_errors
    async def list_children(
        self,
        user_id: str,
        parent_id: str | None,
        *,
        sort: SortField,
        descending: bool,
        kinds: Sequence[ItemKind],
        limit: int,
        after_key: str | None,
    ) -> tuple[list[Item], str | None]:
        index, attribute = SORT_INDEXES[sort]
        folder = folder_key(user_id, parent_id)
        ranks = segments(kinds)
        start: dict[str, Any] | None = None
        if after_key is not None:
            after_id = sort_key_item_id(after_key)
            if after_id is None or after_key[0] not in ranks:
                raise InvalidCursor()
            ranks = ranks[ranks.index(after_key[0]) :]
            start = {"folderKey": {"S": folder}, attribute: {"S": after_key}, **item_key(user_id, after_id)}
        # Ascending, folders (rank 0) then files (rank 1) is the index's own order: one Query
        # reads across both. Descending, each kind is read on its own, folders first.
        prefixes = [""] if not descending and len(ranks) == 2 else [rank + KEY_SEPARATOR for rank in ranks]
        records: list[dict[str, Any]] = []
        more = False
        for prefix in prefixes:
            page, more = await self._read_page(
                limit=limit - len(records),
                start=start,
                IndexName=index,
                ScanIndexForward=not descending,
                **_folder_condition(folder, attribute, prefix),
            )
            records += page
            start = None
            if more:
                break
        return [item_of(record) for record in records], records[-1][attribute]["S"] if more and records else None

    async def iter_children(self, user_id: str, parent_id: str | None) -> AsyncIterator[list[Item]]:
        async for records in self._query_all(
            IndexName="byName",
            KeyConditionExpression="folderKey = :folder",
            ExpressionAttributeValues={":folder": {"S": folder_key(user_id, parent_id)}},
        ):
            if records:
                yield [item_of(record) for record in records]

    @translate_aws_errors
    async def list_newest(
        self, user_id: str, *, kind: ItemKind | None, limit: int, after_id: str | None
    ) -> tuple[list[Item], str | None]:
        # Ids are ULIDs: byNewest (an owner's items by id) read backwards is newest first. Items of
        # the other kind are filtered out after the read, so a page may take more than one;
        # without a kind, a page reads exactly what it returns (and one more, to know whether more
        # follow). The thumbnail state comes with each entry (projected), never read again.
        values: dict[str, Any] = {":user": {"S": user_id}}
        only_kind: dict[str, Any] = {}
        if kind is not None:
            values[":kind"] = {"S": kind.value}
            only_kind["FilterExpression"] = "kind = :kind"
        records, more = await self._read_page(
            limit=limit,
            start={"ownerId": {"S": user_id}, **item_key(user_id, after_id)} if after_id else None,
            IndexName="byNewest",
            KeyConditionExpression="ownerId = :user",
            ExpressionAttributeValues=values,
            ScanIndexForward=False,
            **only_kind,
        )
        return [item_of(record) for record in records], records[-1]["fileId"]["S"] if more and records else None


def _folder_condition(folder: str, sort_attribute: str, prefix: str) -> dict[str, Any]:
    """The key condition of one folder's index, within the kind whose sort keys start with `prefix`."""
    if not prefix:
        return {
            "KeyConditionExpression": "folderKey = :folder",
            "ExpressionAttributeValues": {":folder": {"S": folder}},
        }
    return {
        "KeyConditionExpression": "folderKey = :folder AND begins_with(#sort, :prefix)",
        "ExpressionAttributeNames": {"#sort": sort_attribute},
        "ExpressionAttributeValues": {":folder": {"S": folder}, ":prefix": {"S": prefix}},
    }
