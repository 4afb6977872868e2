"""What every TwoFactorRepository and SignInChallengeStore promise. Subclasses provide the
`repository` or `store` fixture."""

import pytest

from scloud_auth.domain import SignInChallenge, TwoFactor

ENABLED = TwoFactor(
    user_id="u1",
    secret="SECRET",
    last_used_step=100,
    recovery_code_hashes=frozenset({"h1", "h2"}),
    recovery_salt="s4lt",
    enabled_at=5,
)


class TwoFactorRepositoryContract:
    @pytest.fixture
    def repository(self):
        raise NotImplementedError

    async def test_settings_round_trip_and_replace(self, repository):
        assert await repository.get("u1") is None
        pending = TwoFactor(user_id="u1", pending_secret="PENDING")
        await repository.save(pending)
        assert await repository.get("u1") == pending
        await repository.save(ENABLED)
        assert await repository.get("u1") == ENABLED
        assert await repository.get("u2") is None

    async def test_a_step_is_used_only_once_and_only_forwards(self, repository):
        await repository.save(ENABLED)
        assert not await repository.use_step("u1", 100)
        assert await repository.use_step("u1", 101)
        assert not await repository.use_step("u1", 101)
        assert not await repository.use_step("u1", 99)
        assert (await repository.get("u1")).last_used_step == 101

    async def test_no_step_is_used_while_two_factor_is_off(self, repository):
        assert not await repository.use_step("u1", 1)
        await repository.save(TwoFactor(user_id="u1", pending_secret="PENDING"))
        assert not await repository.use_step("u1", 1)

    async def test_each_recovery_code_works_once_and_the_last_one_too(self, repository):
        await repository.save(ENABLED)
        assert await repository.use_recovery_code("u1", "h1")
        assert not await repository.use_recovery_code("u1", "h1")
        assert not await repository.use_recovery_code("u1", "unknown")
        assert await repository.use_recovery_code("u1", "h2")
        assert (await repository.get("u1")).recovery_code_hashes == frozenset()
        assert not await repository.use_recovery_code("u2", "h2")

    async def test_delete_is_idempotent(self, repository):
        await repository.save(ENABLED)
        await repository.delete("u1")
        await repository.delete("u1")
        assert await repository.get("u1") is None


class SignInChallengeStoreContract:
    @pytest.fixture
    def store(self):
        raise NotImplementedError

    async def test_a_challenge_round_trips_until_deleted(self, store):
        challenge = SignInChallenge(token_hash="t1", user_id="u1", user_agent="Firefox", expires_at=2000)
        await store.add(challenge)
        assert await store.get("t1") == challenge
        assert await store.get("t2") is None
        await store.delete("t1")
        await store.delete("t1")
        assert await store.get("t1") is None
