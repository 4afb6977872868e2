"""What every SendLimitStore promises. Subclasses provide the `store` fixture.

Not here: that concurrent events are all counted. The DynamoDB adapter relies on an atomic `ADD`
for it, which moto server does not honour under concurrent requests, so a test of it would only
measure moto."""

import pytest

WINDOW = 3600


class SendLimitStoreContract:
    @pytest.fixture
    def store(self):
        raise NotImplementedError

    async def test_events_within_the_window_add_up_per_key(self, store):
        assert [await store.count("k", now=now, window_seconds=WINDOW) for now in (1000, 1100, 4500)] == [1, 2, 3]
        assert await store.count("other", now=4500, window_seconds=WINDOW) == 1

    async def test_an_event_after_a_quiet_window_counts_from_one_again(self, store):
        await store.count("k", now=1000, window_seconds=WINDOW)
        await store.count("k", now=1100, window_seconds=WINDOW)
        assert await store.count("k", now=1100 + WINDOW, window_seconds=WINDOW) == 1
        assert await store.count("k", now=1101 + WINDOW, window_seconds=WINDOW) == 2
