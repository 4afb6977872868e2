"""What every UserRepository promises. Subclasses provide the `repository` fixture: the
in-memory fake and the SQLite adapter in the unit tier, the DynamoDB adapter in the integration
tier."""

import asyncio

import pytest

from scloud_users.domain import Account, EmailTaken, User, UserNotFound


def account(user_id: str, email: str = "ada@example.com") -> Account:
    return Account(User(user_id, email, "Ada", "female", "1990-01-02", "2026-11-25T00:00:00+00:00"), "hash")


class UserRepositoryContract:
    @pytest.fixture
    def repository(self):
        raise NotImplementedError

    async def test_add_get_and_lookup_by_email(self, repository):
        await repository.add(account("u1"))
        assert await repository.get("u1") == account("u1")
        assert await repository.get_by_email("ada@example.com") == account("u1")
        assert await repository.get_by_email("other@example.com") is None
        assert await repository.get("missing") is None

    async def test_concurrent_registrations_with_one_email_let_exactly_one_in(self, repository):
        results = await asyncio.gather(*(repository.add(account(f"u{i}")) for i in range(5)), return_exceptions=True)
        assert sum(result is None for result in results) == 1
        assert all(isinstance(result, EmailTaken) for result in results if result is not None)

    async def test_update_profile_and_password(self, repository):
        await repository.add(account("u1"))
        user = (await repository.get("u1")).user
        await repository.update_profile(User(user.user_id, user.email, "Countess", None, None, user.created_at))
        await repository.update_password_hash("u1", "new-hash")
        stored = await repository.get("u1")
        assert (stored.user.username, stored.user.gender, stored.user.date_of_birth) == ("Countess", None, None)
        assert stored.password_hash == "new-hash"

    async def test_updating_a_missing_user_is_not_found_and_creates_nothing(self, repository):
        with pytest.raises(UserNotFound):
            await repository.update_profile(account("ghost").user)
        with pytest.raises(UserNotFound):
            await repository.update_password_hash("ghost", "h")
        assert await repository.get("ghost") is None

    async def test_mark_email_verified_survives_profile_updates(self, repository):
        await repository.add(account("u1"))
        assert not (await repository.get("u1")).user.email_verified
        await repository.mark_email_verified("u1")
        await repository.update_profile(User("u1", "ada@example.com", "Countess", None, None, "2026"))
        stored = await repository.get("u1")
        assert (stored.user.email_verified, stored.user.username) == (True, "Countess")
        with pytest.raises(UserNotFound):
            await repository.mark_email_verified("ghost")
        assert await repository.get("ghost") is None

    async def test_delete_frees_the_email_and_is_idempotent(self, repository):
        await repository.add(account("u1"))
        await repository.delete("u1")
        await repository.delete("u1")
        assert await repository.get("u1") is None
        assert await repository.get_by_email("ada@example.com") is None
        await repository.add(account("u2"))
        assert (await repository.get_by_email("ada@example.com")).user.user_id == "u2"

    async def test_lock_and_unlock_survive_other_updates_and_a_missing_user_is_not_found(self, repository):
        await repository.add(account("u1"))
        assert not (await repository.get("u1")).user.locked
        await repository.set_locked("u1", True)
        await repository.set_locked("u1", True)
        await repository.update_profile(User("u1", "ada@example.com", "Countess", None, None, "2026"))
        await repository.update_password_hash("u1", "new-hash")
        await repository.mark_email_verified("u1")
        assert (await repository.get("u1")).user.locked
        assert (await repository.get_by_email("ada@example.com")).user.locked
        await repository.set_locked("u1", False)
        assert not (await repository.get("u1")).user.locked
        with pytest.raises(UserNotFound):
            await repository.set_locked("ghost", True)
        assert await repository.get("ghost") is None
