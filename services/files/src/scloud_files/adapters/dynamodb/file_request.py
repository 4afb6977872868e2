"""FileRequestStore on DynamoDB, in the files table (docs/data-model.md, "Sharing"): a request's
state is one item in a partition of its own, `#request#<hash of the request id>`, so visitors'
uploads never write the owner's partition; the owner's partition holds `#request#<ref>` pointing
at it. The total received is changed by single conditional UpdateItems on that item, never by a
transaction: DynamoDB serialises concurrent updates of one item where it would cancel
concurrent transactions. `bytesLeft` (the limit less what was received) is kept beside the
total because a condition cannot add. A notice due is also a marker `#requestnotices` /
`<due>#<hash>`, which the notice task queries by time."""

from typing import Any

from botocore.exceptions import ClientError

from scloud_common.aws import translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.dynamodb.access import BATCH_WRITE_SIZE, TableAccess
from scloud_files.adapters.dynamodb.record import item_key
from scloud_files.adapters.dynamodb.share_link import condition_failed, moment_of, ttl_of
from scloud_files.adapters.dynamodb.table import TTL_ATTRIBUTE
from scloud_files.adapters.dynamodb.transaction import Transaction
from scloud_files.domain import MAX_NOTICE_FILES, FileRequest, ReceivedFile, RequestNotFound

REQUEST_PREFIX = "#request#"
REQUEST_SORT_KEY = "#request"
OWNED_PREFIX = "#request#"
NOTICES_PARTITION = "#requestnotices"
OPTIONAL_TEXT = {"owner_name": "ownerName", "revoked_at": "revokedAt"}


def _record_key(token_hash: str) -> dict[str, Any]:
    return item_key(REQUEST_PREFIX + token_hash, REQUEST_SORT_KEY)


def _marker_key(due_at: str, token_hash: str) -> dict[str, Any]:
    return item_key(NOTICES_PARTITION, f"{due_at}#{token_hash}")


def _received(file: ReceivedFile) -> dict[str, Any]:
    entry = {"name": {"S": file.name}, "size": {"N": str(file.size)}, "at": {"S": file.at}}
    if file.note is not None:
        entry["note"] = {"S": file.note}
    return {"M": entry}


def _received_of(value: dict[str, Any]) -> ReceivedFile:
    entry = value["M"]
    return ReceivedFile(
        entry["name"]["S"], int(entry["size"]["N"]), entry["at"]["S"], entry["note"]["S"] if "note" in entry else None
    )


def _record(request: FileRequest) -> dict[str, Any]:
    record = {
        **_record_key(request.token_hash),
        "requestOwner": {"S": request.owner_id},
        "requestRef": {"S": request.request_ref},
        "folderId": {"S": request.folder_id},
        "createdAt": {"S": request.created_at},
        "expiresAt": {"S": request.expires_at},
        "maxFileBytes": {"N": str(request.max_file_bytes)},
        "bytesReceived": {"N": str(request.bytes_received)},
        "filesReceived": {"N": str(request.files_received)},
        "noticePending": {"L": [_received(file) for file in request.notice_pending]},
        "noticeMore": {"N": str(request.notice_more)},
        TTL_ATTRIBUTE: ttl_of(request.forget_at),
    }
    if request.max_total_bytes is not None:
        record["maxTotalBytes"] = {"N": str(request.max_total_bytes)}
        record["bytesLeft"] = {"N": str(request.max_total_bytes - request.bytes_received)}
    for field, attribute in OPTIONAL_TEXT.items():
        if getattr(request, field) is not None:
            record[attribute] = {"S": getattr(request, field)}
    return record


def _request_of(record: dict[str, Any]) -> FileRequest:
    def text(attribute: str) -> str | None:
        return record[attribute]["S"] if attribute in record else None

    return FileRequest(
        request_ref=record["requestRef"]["S"],
        token_hash=record["userId"]["S"].removeprefix(REQUEST_PREFIX),
        owner_id=record["requestOwner"]["S"],
        folder_id=record["folderId"]["S"],
        created_at=record["createdAt"]["S"],
        expires_at=record["expiresAt"]["S"],
        forget_at=moment_of(record[TTL_ATTRIBUTE]),
        max_file_bytes=int(record["maxFileBytes"]["N"]),
        max_total_bytes=int(record["maxTotalBytes"]["N"]) if "maxTotalBytes" in record else None,
        owner_name=text("ownerName"),
        revoked_at=text("revokedAt"),
        bytes_received=int(record["bytesReceived"]["N"]),
        files_received=int(record["filesReceived"]["N"]),
        notice_pending=tuple(_received_of(value) for value in record["noticePending"]["L"]),
        notice_more=int(record["noticeMore"]["N"]),
        notice_due_at=text("noticeDueAt"),
    )


class DynamoDbFileRequests(TableAccess):
    @translate_aws_errors
    async def add(self, request: FileRequest) -> None:
        owned = {
            **item_key(request.owner_id, OWNED_PREFIX + request.request_ref),
            "requestHash": {"S": request.token_hash},
            "folderId": {"S": request.folder_id},
            "createdAt": {"S": request.created_at},
            TTL_ATTRIBUTE: ttl_of(request.forget_at),
        }
        transaction = (
            Transaction()
            .add("record", {"Put": {"TableName": self._table, "Item": _record(request)}})
            .add("owned", {"Put": {"TableName": self._table, "Item": owned}})
        )
        if await self._transact(transaction, token=transaction.fingerprint()) is not None:
            raise ServiceUnavailable()

    @translate_aws_errors
    async def find(self, token_hash: str) -> FileRequest | None:
        response = await self._call("get_item", TableName=self._table, Key=_record_key(token_hash), ConsistentRead=True)
        record = response.get("Item")
        return _request_of(record) if record else None

    @translate_aws_errors
    async def get(self, owner_id: str, request_ref: str) -> FileRequest | None:
        response = await self._call(
            "get_item", TableName=self._table, Key=item_key(owner_id, OWNED_PREFIX + request_ref), ConsistentRead=True
        )
        owned = response.get("Item")
        if not owned:
            return None
        request = await self.find(owned["requestHash"]["S"])
        return request if request is not None and request.owner_id == owner_id else None

    @translate_aws_errors
    async def list_owned(
        self, owner_id: str, *, limit: int, after_ref: str | None
    ) -> tuple[list[FileRequest], str | None]:
        owned, more = await self._read_page(
            limit=limit,
            start=item_key(owner_id, OWNED_PREFIX + after_ref) if after_ref else None,
            KeyConditionExpression="userId = :owner AND begins_with(fileId, :prefix)",
            ExpressionAttributeValues={":owner": {"S": owner_id}, ":prefix": {"S": OWNED_PREFIX}},
            ScanIndexForward=False,
        )
        hashes = [entry["requestHash"]["S"] for entry in owned]
        records = await self._batch_get([_record_key(token_hash) for token_hash in hashes], ConsistentRead=True)
        by_hash = {request.token_hash: request for request in map(_request_of, records)}
        # A record its TTL removed before its index entry is left out.
        requests = [by_hash[token_hash] for token_hash in hashes if token_hash in by_hash]
        last = owned[-1]["fileId"]["S"].removeprefix(OWNED_PREFIX) if owned else None
        return requests, last if more else None

    @translate_aws_errors
    async def update_settings(self, request: FileRequest) -> None:
        values: dict[str, Any] = {
            ":expires": {"S": request.expires_at},
            ":ttl": ttl_of(request.forget_at),
            ":file": {"N": str(request.max_file_bytes)},
        }
        sets, removes = ["expiresAt = :expires", "#ttl = :ttl", "maxFileBytes = :file"], []
        if request.max_total_bytes is None:
            removes.append("maxTotalBytes")
        else:
            # Against the total as it is now, whatever completions did since the owner's read.
            sets += ["maxTotalBytes = :total", "bytesLeft = :total - bytesReceived"]
            values[":total"] = {"N": str(request.max_total_bytes)}
        for field, attribute in OPTIONAL_TEXT.items():
            value = getattr(request, field)
            if value is None:
                removes.append(attribute)
            else:
                sets.append(f"{attribute} = :{attribute}")
                values[f":{attribute}"] = {"S": value}
        record = {
            "Update": {
                "TableName": self._table,
                "Key": _record_key(request.token_hash),
                "UpdateExpression": "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
                "ConditionExpression": "attribute_exists(requestRef)",
                "ExpressionAttributeNames": {"#ttl": TTL_ATTRIBUTE},
                "ExpressionAttributeValues": values,
            }
        }
        owned = {
            "Update": {
                "TableName": self._table,
                "Key": item_key(request.owner_id, OWNED_PREFIX + request.request_ref),
                "UpdateExpression": "SET #ttl = :ttl",
                "ConditionExpression": "attribute_exists(requestHash)",
                "ExpressionAttributeNames": {"#ttl": TTL_ATTRIBUTE},
                "ExpressionAttributeValues": {":ttl": ttl_of(request.forget_at)},
            }
        }
        cancelled = await self._transact(Transaction().add("record", record).add("owned", owned))
        if cancelled is None:
            return
        if cancelled.refused("record", "owned"):
            raise RequestNotFound()
        raise ServiceUnavailable()

    async def _update(self, token_hash: str, **params: Any) -> dict[str, Any] | None:
        """The update's answer, or None if its condition refused it."""
        try:
            return await self._call("update_item", TableName=self._table, Key=_record_key(token_hash), **params)
        except ClientError as exc:
            if condition_failed(exc):
                return None
            raise

    @translate_aws_errors
    async def receive(self, token_hash: str, size: int, *, now: str) -> bool:
        answer = await self._update(
            token_hash,
            UpdateExpression="ADD bytesReceived :size, filesReceived :one, bytesLeft :taken",
            ConditionExpression="attribute_exists(requestRef) AND attribute_not_exists(revokedAt) "
            "AND expiresAt > :now AND (attribute_not_exists(maxTotalBytes) OR bytesLeft >= :size)",
            ExpressionAttributeValues={
                ":size": {"N": str(size)},
                ":one": {"N": "1"},
                ":taken": {"N": str(-size)},
                ":now": {"S": now},
            },
        )
        return answer is not None

    @translate_aws_errors
    async def give_back(self, token_hash: str, size: int) -> None:
        await self._update(
            token_hash,
            UpdateExpression="ADD bytesReceived :taken, filesReceived :minus, bytesLeft :size",
            ConditionExpression="attribute_exists(requestRef)",
            ExpressionAttributeValues={
                ":size": {"N": str(size)},
                ":minus": {"N": "-1"},
                ":taken": {"N": str(-size)},
            },
        )

    @translate_aws_errors
    async def add_notice(self, token_hash: str, received: ReceivedFile, *, due_at: str) -> None:
        due = {":due": {"S": due_at}}
        answer = await self._update(
            token_hash,
            UpdateExpression="SET noticePending = list_append(noticePending, :file), "
            "noticeDueAt = if_not_exists(noticeDueAt, :due)",
            ConditionExpression="attribute_exists(requestRef) AND size(noticePending) < :max",
            ExpressionAttributeValues={
                ":file": {"L": [_received(received)]},
                ":max": {"N": str(MAX_NOTICE_FILES)},
                **due,
            },
            ReturnValues="ALL_OLD",
        )
        if answer is None:
            answer = await self._update(
                token_hash,
                UpdateExpression="ADD noticeMore :one SET noticeDueAt = if_not_exists(noticeDueAt, :due)",
                ConditionExpression="attribute_exists(requestRef)",
                ExpressionAttributeValues={":one": {"N": "1"}, **due},
                ReturnValues="ALL_OLD",
            )
        old = (answer or {}).get("Attributes")
        if old and "noticeDueAt" not in old:
            await self._mark_due(due_at, token_hash, old[TTL_ATTRIBUTE])

    async def _mark_due(self, due_at: str, token_hash: str, ttl: dict[str, str]) -> None:
        await self._call(
            "put_item", TableName=self._table, Item={**_marker_key(due_at, token_hash), TTL_ATTRIBUTE: ttl}
        )

    @translate_aws_errors
    async def due_notices(self, now: str, *, limit: int) -> list[FileRequest]:
        response = await self._query_page(
            KeyConditionExpression="userId = :notices AND fileId <= :now",
            ExpressionAttributeValues={":notices": {"S": NOTICES_PARTITION}, ":now": {"S": now + "#~"}},
            Limit=limit,
        )
        markers = [marker["fileId"]["S"].rpartition("#") for marker in response.get("Items", [])]
        records = await self._batch_get([_record_key(token_hash) for _, _, token_hash in markers], ConsistentRead=True)
        by_hash = {request.token_hash: request for request in map(_request_of, records)}
        due = []
        for due_at, _, token_hash in markers:
            request = by_hash.get(token_hash)
            if request is not None and request.notice_due_at == due_at:
                due.append(request)
            else:
                # Its request is gone, or its notice was moved: a marker left by a cut-short clear.
                await self._call("delete_item", TableName=self._table, Key=_marker_key(due_at, token_hash))
        return due

    @translate_aws_errors
    async def clear_notice(self, sent: FileRequest, *, next_due_at: str) -> None:
        count = len(sent.notice_pending)
        # Files are only ever appended: the first `count` are those the notice listed.
        removes = ", ".join(f"noticePending[{index}]" for index in range(count))
        answer = await self._update(
            sent.token_hash,
            UpdateExpression=f"ADD noticeMore :more{' REMOVE ' + removes if removes else ''}",
            ConditionExpression="attribute_exists(requestRef) AND size(noticePending) >= :count",
            ExpressionAttributeValues={":more": {"N": str(-sent.notice_more)}, ":count": {"N": str(count)}},
            ReturnValues="ALL_NEW",
        )
        if answer is None:
            return
        current = _request_of(answer["Attributes"])
        settled = not current.notice_pending and current.notice_more <= 0
        if settled:
            settled = (
                await self._update(
                    sent.token_hash,
                    UpdateExpression="REMOVE noticeDueAt",
                    ConditionExpression="size(noticePending) = :zero AND noticeMore <= :zero",
                    ExpressionAttributeValues={":zero": {"N": "0"}},
                )
                is not None
            )
        if not settled:
            # Files arrived while the notice went: they are due one interval later.
            await self._update(
                sent.token_hash,
                UpdateExpression="SET noticeDueAt = :next",
                ConditionExpression="attribute_exists(requestRef)",
                ExpressionAttributeValues={":next": {"S": next_due_at}},
            )
            await self._mark_due(next_due_at, sent.token_hash, answer["Attributes"][TTL_ATTRIBUTE])
        if sent.notice_due_at is not None and (settled or sent.notice_due_at != next_due_at):
            await self._call("delete_item", TableName=self._table, Key=_marker_key(sent.notice_due_at, sent.token_hash))

    @translate_aws_errors
    async def delete_requests(self, owner_id: str, *, folder_id: str | None = None) -> int:
        values: dict[str, Any] = {":owner": {"S": owner_id}, ":prefix": {"S": OWNED_PREFIX}}
        params: dict[str, Any] = {}
        if folder_id is not None:
            params = {"FilterExpression": "folderId = :folder"}
            values[":folder"] = {"S": folder_id}
        keys: list[dict[str, Any]] = []
        async for entries in self._query_all(
            KeyConditionExpression="userId = :owner AND begins_with(fileId, :prefix)",
            ExpressionAttributeValues=values,
            **params,
        ):
            for entry in entries:
                request = await self.find(entry["requestHash"]["S"])
                if request is not None and request.notice_due_at is not None:
                    keys.append(_marker_key(request.notice_due_at, request.token_hash))
                keys += [_record_key(entry["requestHash"]["S"]), item_key(owner_id, entry["fileId"]["S"])]
        for start in range(0, len(keys), BATCH_WRITE_SIZE):
            await self._batch_delete(
                [{"DeleteRequest": {"Key": key}} for key in keys[start : start + BATCH_WRITE_SIZE]]
            )
        return sum(1 for key in keys if key["fileId"]["S"] == REQUEST_SORT_KEY)
