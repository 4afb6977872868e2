"""What every InvitationRepository promises, and what UserRepository.add promises about claiming
an invitation. Subclasses provide the `stores` fixture, a (UserRepository, InvitationRepository)
pair over one store: the in-memory fake and the SQLite adapters in the unit tier, the DynamoDB
adapters in the integration tier."""

import asyncio

import pytest

from scloud_common.errors import AlreadyExists
from scloud_users.domain import Account, EmailTaken, Invitation, InvitationClaim, InvitationInvalid, User

NOW = 1_800_000_000


def invitation(invitation_id: str = "inv1", *, email: str | None = None, expires_at: int = NOW + 3600) -> Invitation:
    return Invitation(invitation_id, f"hash-of-{invitation_id}", email, "operator", NOW - 60, expires_at)


def account(user_id: str, email: str) -> Account:
    return Account(User(user_id, email, "Ada", None, None, "2026-11-25T00:00:00+00:00"), "hash")


class InvitationRepositoryContract:
    @pytest.fixture
    def stores(self):
        raise NotImplementedError

    async def test_add_get_list_and_delete(self, stores):
        _, invitations = stores
        await invitations.add(invitation("inv1", email="ada@example.com"))
        await invitations.add(invitation("inv2"))
        assert await invitations.get("inv1") == invitation("inv1", email="ada@example.com")
        assert await invitations.get("missing") is None
        assert sorted(await invitations.list_all(), key=lambda i: i.invitation_id) == [
            invitation("inv1", email="ada@example.com"),
            invitation("inv2"),
        ]
        assert await invitations.delete("inv1") is True
        assert await invitations.delete("inv1") is False
        assert [i.invitation_id for i in await invitations.list_all()] == ["inv2"]

    async def test_an_invitation_id_is_unique(self, stores):
        _, invitations = stores
        await invitations.add(invitation("inv1"))
        with pytest.raises(AlreadyExists):
            await invitations.add(invitation("inv1", email="other@example.com"))
        assert await invitations.get("inv1") == invitation("inv1")

    async def test_an_account_claims_its_invitation_in_the_same_write(self, stores):
        users, invitations = stores
        await invitations.add(invitation("inv1"))
        await users.add(account("u1", "ada@example.com"), invitation=InvitationClaim("inv1", used_at=NOW))
        assert (await invitations.get("inv1")).used_at == NOW
        assert await users.get("u1") == account("u1", "ada@example.com")

    async def test_a_used_expired_or_missing_invitation_creates_no_account(self, stores):
        users, invitations = stores
        await invitations.add(invitation("used"))
        await users.add(account("u1", "ada@example.com"), invitation=InvitationClaim("used", used_at=NOW))
        await invitations.add(invitation("expired", expires_at=NOW))
        for invitation_id in ("used", "expired", "missing"):
            with pytest.raises(InvitationInvalid):
                await users.add(account("u2", "bob@example.com"), invitation=InvitationClaim(invitation_id, NOW))
        assert await users.get("u2") is None
        assert await users.get_by_email("bob@example.com") is None
        assert (await invitations.get("expired")).used_at is None

    async def test_a_taken_email_leaves_the_invitation_unused(self, stores):
        users, invitations = stores
        await users.add(account("u1", "ada@example.com"))
        await invitations.add(invitation("inv1"))
        with pytest.raises(EmailTaken):
            await users.add(account("u2", "ada@example.com"), invitation=InvitationClaim("inv1", used_at=NOW))
        assert (await invitations.get("inv1")).used_at is None

    async def test_concurrent_registrations_with_one_invitation_make_one_account(self, stores):
        users, invitations = stores
        await invitations.add(invitation("inv1"))
        results = await asyncio.gather(
            *(
                users.add(account(f"u{i}", f"person{i}@example.com"), invitation=InvitationClaim("inv1", NOW))
                for i in range(5)
            ),
            return_exceptions=True,
        )
        assert sum(result is None for result in results) == 1
        assert all(isinstance(result, InvitationInvalid) for result in results if result is not None)
        created = [await users.get(f"u{i}") for i in range(5)]
        assert sum(found is not None for found in created) == 1
