"""What every OneTimeTokenStore promises. Subclasses provide the `store` fixture."""

import asyncio

import pytest

from scloud_auth.domain import OneTimeToken, TokenPurpose

VERIFY = TokenPurpose.VERIFY_EMAIL
RESET = TokenPurpose.RESET_PASSWORD


class OneTimeTokenStoreContract:
    @pytest.fixture
    def store(self):
        raise NotImplementedError

    async def test_a_token_is_consumed_once(self, store):
        token = OneTimeToken(VERIFY, "hash-1", "u1", 5000)
        await store.add(token)
        assert await store.consume(VERIFY, "hash-1") == token
        assert await store.consume(VERIFY, "hash-1") is None

    async def test_an_expired_token_is_still_returned_for_the_caller_to_judge(self, store):
        token = OneTimeToken(RESET, "hash-2", "u1", 1, password_stamp="stamp-1")
        await store.add(token)
        assert await store.consume(RESET, "hash-2") == token

    async def test_a_token_serves_only_its_own_purpose(self, store):
        await store.add(OneTimeToken(RESET, "hash-3", "u1", 5000))
        assert await store.consume(VERIFY, "hash-3") is None
        assert await store.consume(RESET, "hash-3") is not None

    async def test_unknown_tokens_are_none(self, store):
        assert await store.consume(VERIFY, "never-issued") is None

    async def test_of_concurrent_consumers_one_gets_the_token(self, store):
        await store.add(OneTimeToken(VERIFY, "hash-4", "u1", 5000))
        results = await asyncio.gather(*(store.consume(VERIFY, "hash-4") for _ in range(5)))
        assert sum(result is not None for result in results) == 1
