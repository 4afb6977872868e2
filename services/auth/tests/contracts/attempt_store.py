"""What every AttemptStore promises. Subclasses provide the `store` fixture.

Not here: that concurrent failures are all counted. The DynamoDB adapter relies on an atomic `ADD`
for it, which moto server does not honour under concurrent requests, so a test of it would only
measure moto."""

import pytest

from scloud_auth.domain import FailedAttempts

WINDOW = 900


class AttemptStoreContract:
    @pytest.fixture
    def store(self):
        raise NotImplementedError

    async def record(self, store, key: str, now: int) -> FailedAttempts:
        return await store.record_failure(key, now=now, window_seconds=WINDOW, keep_until=now + 2 * WINDOW)

    async def test_an_account_without_failures_has_no_record(self, store):
        assert await store.get("email#a@example.com") is None

    async def test_failures_within_the_window_add_up(self, store):
        for count, now in enumerate((1000, 1100, 1800), start=1):
            assert await self.record(store, "k", now) == FailedAttempts(count, now)
        assert await store.get("k") == FailedAttempts(3, 1800)
        assert await store.get("other") is None

    async def test_a_failure_after_a_quiet_window_starts_again_from_one(self, store):
        await self.record(store, "k", 1000)
        await self.record(store, "k", 1100)
        assert await self.record(store, "k", 1100 + WINDOW) == FailedAttempts(1, 1100 + WINDOW)

    async def test_clear_forgets_and_is_idempotent(self, store):
        await self.record(store, "k", 1000)
        await store.clear("k")
        await store.clear("k")
        assert await store.get("k") is None
        assert await self.record(store, "k", 1001) == FailedAttempts(1, 1001)
