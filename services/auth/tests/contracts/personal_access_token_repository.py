"""What every PersonalAccessTokenRepository promises. Subclasses provide the `repository`
fixture: the in-memory fake and SQLite in the unit tier, the DynamoDB adapter in the integration
tier."""

import pytest

from scloud_auth.domain import PersonalAccessToken
from scloud_common.errors import AlreadyExists
from scloud_common.scopes import Scope


def token(token_id: str, user_id: str = "u1", **fields) -> PersonalAccessToken:
    defaults = dict(
        name=f"script {token_id}",
        token_hash=f"hash-{token_id}",
        scopes=frozenset({Scope.FILES_READ, Scope.SHARES_WRITE}),
        created_at=1_700_000_000,
        expires_at=2_000_000_000,
    )
    return PersonalAccessToken(token_id, user_id, **{**defaults, **fields})


class PersonalAccessTokenRepositoryContract:
    @pytest.fixture
    def repository(self):
        raise NotImplementedError

    async def test_add_and_find_by_hash(self, repository):
        stored = token("t1", last_used_at=1_700_000_100)
        await repository.add(stored)
        assert await repository.find_by_hash("hash-t1") == stored
        assert await repository.find_by_hash("hash-missing") is None

    async def test_a_token_without_scopes_keeps_none(self, repository):
        await repository.add(token("t1", scopes=frozenset()))
        assert (await repository.find_by_hash("hash-t1")).scopes == frozenset()

    async def test_adding_a_taken_hash_is_refused_and_keeps_the_first(self, repository):
        await repository.add(token("t1", user_id="u1"))
        with pytest.raises(AlreadyExists):
            await repository.add(token("t2", user_id="intruder", token_hash="hash-t1"))
        assert (await repository.find_by_hash("hash-t1")).user_id == "u1"

    async def test_list_for_user_holds_only_that_users_tokens_revoked_ones_too(self, repository):
        await repository.add(token("t1", user_id="u1"))
        await repository.add(token("t2", user_id="u1"))
        await repository.add(token("t3", user_id="u2"))
        await repository.revoke(token("t2", user_id="u1"))
        listed = await repository.list_for_user("u1")
        assert sorted((t.token_id, t.revoked) for t in listed) == [("t1", False), ("t2", True)]
        assert await repository.list_for_user("nobody") == []

    async def test_revoke_is_idempotent_and_ignores_unknown_tokens(self, repository):
        await repository.add(token("t1"))
        await repository.revoke(token("t1"))
        await repository.revoke(token("t1"))
        await repository.revoke(token("missing"))
        assert (await repository.find_by_hash("hash-t1")).revoked is True
        assert await repository.find_by_hash("hash-missing") is None

    async def test_record_use_sets_the_last_use_only(self, repository):
        await repository.add(token("t1"))
        await repository.record_use(token("t1"), 1_800_000_000)
        await repository.record_use(token("missing"), 1_800_000_000)
        found = await repository.find_by_hash("hash-t1")
        assert found == token("t1", last_used_at=1_800_000_000)
        assert await repository.find_by_hash("hash-missing") is None

    async def test_delete_all_for_user_forgets_only_that_users_tokens(self, repository):
        await repository.add(token("t1", user_id="u1"))
        await repository.add(token("t2", user_id="u2"))
        await repository.delete_all_for_user("u1")
        await repository.delete_all_for_user("u1")
        assert await repository.find_by_hash("hash-t1") is None
        assert await repository.list_for_user("u1") == []
        assert [t.token_id for t in await repository.list_for_user("u2")] == ["t2"]
