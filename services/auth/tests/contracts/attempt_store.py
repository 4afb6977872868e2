"""What every AttemptStore promises: a compare-and-swap of each account's record. Subclasses
provide the `store` fixture."""

import asyncio

import pytest

from scloud_auth.domain import AttemptRecord

FIRST = AttemptRecord(count=1, last_attempt_at=1000, locked_until=1000)
SECOND = AttemptRecord(count=2, last_attempt_at=1001, locked_until=1001)
KEEP = 5000


class AttemptStoreContract:
    @pytest.fixture
    def store(self):
        raise NotImplementedError

    async def test_an_account_without_checks_has_no_record(self, store):
        assert await store.get("email#a@example.com") is None

    async def test_a_record_is_written_only_over_the_expected_one(self, store):
        assert await store.replace("k", FIRST, expected=None, keep_until=KEEP)
        assert not await store.replace("k", SECOND, expected=None, keep_until=KEEP)
        assert await store.get("k") == FIRST
        assert await store.replace("k", SECOND, expected=FIRST, keep_until=KEEP)
        assert not await store.replace("k", FIRST, expected=FIRST, keep_until=KEEP)
        assert await store.get("k") == SECOND
        assert await store.get("other") is None

    async def test_a_record_is_removed_only_when_still_the_expected_one(self, store):
        await store.replace("k", FIRST, expected=None, keep_until=KEEP)
        assert not await store.replace("k", None, expected=SECOND, keep_until=0)
        assert await store.replace("k", None, expected=FIRST, keep_until=0)
        assert await store.get("k") is None

    async def test_of_concurrent_swaps_from_one_record_one_succeeds(self, store):
        await store.replace("k", FIRST, expected=None, keep_until=KEEP)
        records = [AttemptRecord(2, 1000 + n, 1000 + n) for n in range(10)]
        swapped = await asyncio.gather(*(store.replace("k", r, expected=FIRST, keep_until=KEEP) for r in records))
        assert sum(swapped) == 1
        assert await store.get("k") == records[swapped.index(True)]

    async def test_clear_forgets_and_is_idempotent(self, store):
        await store.replace("k", FIRST, expected=None, keep_until=KEEP)
        await store.clear("k")
        await store.clear("k")
        assert await store.get("k") is None
        assert await store.replace("k", SECOND, expected=None, keep_until=KEEP)
