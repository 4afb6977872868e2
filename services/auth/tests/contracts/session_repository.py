"""What every SessionRepository promises. Subclasses provide the `repository` fixture: the
in-memory fake in the unit tier, the DynamoDB adapter in the integration tier."""

import pytest

from scloud_auth.domain import Session
from scloud_common.errors import AlreadyExists


def session(session_id: str, user_id: str = "u1", **fields) -> Session:
    defaults = dict(token_hash="h0", expires_at=2_000_000_000, created_at=1_700_000_000)
    return Session(session_id, user_id, **{**defaults, **fields})


class SessionRepositoryContract:
    @pytest.fixture
    def repository(self):
        raise NotImplementedError

    async def test_add_and_get(self, repository):
        stored = session("s1", user_agent="Firefox", last_used_at=1_700_000_000)
        await repository.add(stored)
        assert await repository.get("s1") == stored
        assert await repository.get("missing") is None

    async def test_adding_an_existing_session_id_is_refused_and_keeps_the_first(self, repository):
        await repository.add(session("s1", user_id="u1"))
        with pytest.raises(AlreadyExists):
            await repository.add(session("s1", user_id="intruder"))
        assert (await repository.get("s1")).user_id == "u1"

    async def test_rotate_only_from_the_expected_hash_and_marks_the_last_use(self, repository):
        await repository.add(session("s1"))
        assert await repository.rotate(
            "s1", expected_token_hash="h0", new_token_hash="h1", expires_at=2_000_000_100, rotated_at=5
        )
        assert not await repository.rotate(
            "s1", expected_token_hash="h0", new_token_hash="h2", expires_at=1, rotated_at=6
        )
        stored = await repository.get("s1")
        assert (stored.token_hash, stored.previous_token_hash, stored.rotated_at) == ("h1", "h0", 5)
        assert (stored.expires_at, stored.last_used_at) == (2_000_000_100, 5)

    async def test_unknown_sessions_do_not_rotate(self, repository):
        assert not await repository.rotate(
            "missing", expected_token_hash="h0", new_token_hash="h1", expires_at=1, rotated_at=1
        )
        assert await repository.get("missing") is None

    async def test_revoked_sessions_do_not_rotate(self, repository):
        await repository.add(session("s1"))
        await repository.revoke("s1")
        await repository.revoke("missing")
        assert (await repository.get("s1")).revoked
        assert await repository.get("missing") is None
        assert not await repository.rotate(
            "s1", expected_token_hash="h0", new_token_hash="h1", expires_at=1, rotated_at=1
        )

    async def test_revoke_all_for_user_spares_the_named_session_and_other_users(self, repository):
        for session_id, user_id in [("a", "u1"), ("b", "u1"), ("c", "u1"), ("d", "u2")]:
            await repository.add(session(session_id, user_id))
        assert await repository.revoke_all_for_user("u1", except_session_id="a") == 2
        revoked = {sid: (await repository.get(sid)).revoked for sid in "abcd"}
        assert revoked == {"a": False, "b": True, "c": True, "d": False}

    async def test_list_for_user_holds_only_that_users_sessions(self, repository):
        for session_id, user_id in [("a", "u1"), ("b", "u1"), ("d", "u2")]:
            await repository.add(session(session_id, user_id))
        await repository.revoke("b")
        listed = {s.session_id: s.revoked for s in await repository.list_for_user("u1")}
        assert listed == {"a": False, "b": True}
        assert await repository.list_for_user("nobody") == []
