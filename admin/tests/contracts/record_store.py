"""The RecordStore contract (scloud_admin.ports), run against the in-memory fake (unit tier) and
each service's SQLite and DynamoDB transfer adapters (integration tier). A test module provides
`store` (an empty store) and `samples` (records that store holds, and one of them changed)."""

from dataclasses import dataclass

from scloud_common.transfer import TransferRecord, WriteOutcome


@dataclass(frozen=True)
class Samples:
    records: list[TransferRecord]
    changed: TransferRecord


async def everything(store) -> list[TransferRecord]:
    found = []
    async for page in store.pages(2):
        assert 0 < len(page) <= 2
        found += page
    return sorted(found, key=lambda record: (record.kind, record.key))


class RecordStoreContract:
    async def test_an_empty_store_lists_nothing(self, store):
        assert await everything(store) == []

    async def test_what_is_written_is_listed_equal_once(self, store, samples):
        assert await store.write(samples.records) == WriteOutcome(written=len(samples.records))
        assert await everything(store) == sorted(samples.records, key=lambda record: (record.kind, record.key))

    async def test_writing_again_leaves_equal_records_untouched(self, store, samples):
        await store.write(samples.records)
        assert await store.write(samples.records) == WriteOutcome(unchanged=len(samples.records))

    async def test_a_changed_record_replaces_the_stored_one(self, store, samples):
        await store.write(samples.records)
        assert await store.write([samples.changed]) == WriteOutcome(written=1)
        listed = await everything(store)
        assert samples.changed in listed
        assert len(listed) == len(samples.records)
