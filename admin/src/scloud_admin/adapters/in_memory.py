"""In-memory record and object stores, for the unit tests of the move and the comparison."""

import io
from collections.abc import AsyncIterator, Sequence
from typing import BinaryIO

from scloud_admin.ports import ObjectHead
from scloud_common.transfer import TransferRecord, WriteOutcome


class InMemoryRecordStore:
    def __init__(self, service: str, records: Sequence[TransferRecord] = ()) -> None:
        self.service = service
        self.records = {(record.kind, record.key): record for record in records}

    async def pages(self, size: int) -> AsyncIterator[list[TransferRecord]]:
        # Newest first: no store promises an order, and neither does this one.
        records = list(reversed(self.records.values()))
        for start in range(0, len(records), size):
            yield records[start : start + size]

    async def write(self, records: Sequence[TransferRecord]) -> WriteOutcome:
        outcome = WriteOutcome()
        for record in records:
            if self.records.get((record.kind, record.key)) == record:
                outcome += WriteOutcome(unchanged=1)
            else:
                self.records[(record.kind, record.key)] = record
                outcome += WriteOutcome(written=1)
        return outcome

    async def close(self) -> None:
        return None


class InMemoryObjectStore:
    def __init__(self, objects: dict[str, tuple[bytes, str]] | None = None) -> None:
        self.objects = dict(objects or {})

    def list_page(self, *, after: str | None, limit: int) -> list[ObjectHead]:
        keys = sorted(key for key in self.objects if after is None or key > after)[:limit]
        return [ObjectHead(key, len(self.objects[key][0]), "") for key in keys]

    def head(self, key: str) -> ObjectHead | None:
        if key not in self.objects:
            return None
        data, content_type = self.objects[key]
        return ObjectHead(key, len(data), content_type)

    def open(self, key: str) -> BinaryIO:
        return io.BytesIO(self.objects[key][0])

    def upload(self, key: str, stream: BinaryIO, *, content_type: str) -> None:
        self.objects[key] = (stream.read(), content_type)

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)
