"""What every GrantStore must do, written once: the fake and SQLite in the unit tier, DynamoDB
(moto) in the integration tier."""

import dataclasses

import pytest

from scloud_files.domain import FileIdGenerator, ItemKind
from scloud_files.domain.grant import Grant, PersonNotFound, Role, ShareNotFound, person_id_of
from scloud_files.ports import GrantStore

new_id = FileIdGenerator()
NOW = "2026-11-25T09:30:00+00:00"
LATER = "2026-12-25T09:30:00+00:00"


def a_grant(
    *, owner_id: str = "alice", grantee_id: str | None = "bob", item_id: str | None = None, email: str | None = None
) -> Grant:
    address = email or f"{grantee_id or 'someone'}@example.com"
    return Grant(
        owner_id=owner_id,
        item_id=item_id or new_id(),
        person_id=person_id_of(address),
        email=address,
        role=Role.VIEWER,
        item_kind=ItemKind.FOLDER,
        item_name="Holiday",
        owner_name="Alice",
        created_at=NOW,
        grantee_id=grantee_id,
        expires_at=None if grantee_id else LATER,
    )


class GrantStoreContract:
    @pytest.fixture
    def grants(self) -> GrantStore:
        raise NotImplementedError

    async def test_a_grant_is_found_from_the_owners_side_and_the_grantees(self, grants):
        grant = a_grant()
        await grants.add(grant)
        assert await grants.get("alice", grant.item_id, grant.person_id) == grant
        assert await grants.shared_with("bob", grant.item_id) == grant
        assert await grants.people_on("alice", grant.item_id) == [grant]
        assert await grants.shared_with("carol", grant.item_id) is None
        assert await grants.get("carol", grant.item_id, grant.person_id) is None

    async def test_the_people_on_an_item_are_its_grants_and_invitations_only(self, grants):
        bob = a_grant()
        carol = a_grant(grantee_id="carol", item_id=bob.item_id)
        invited = dataclasses.replace(a_grant(grantee_id=None, item_id=bob.item_id, email="dan@example.com"))
        await grants.add(a_grant())
        for grant in (bob, carol, invited):
            await grants.add(grant)
        people = await grants.people_on("alice", bob.item_id)
        assert sorted(grant.person_id for grant in people) == sorted(g.person_id for g in (bob, carol, invited))

    async def test_adding_again_replaces_the_persons_grant(self, grants):
        grant = a_grant()
        await grants.add(grant)
        editor = dataclasses.replace(grant, role=Role.EDITOR)
        await grants.add(editor)
        assert await grants.people_on("alice", grant.item_id) == [editor]
        assert await grants.shared_with("bob", grant.item_id) == editor

    async def test_a_role_changes_on_every_side(self, grants):
        grant = a_grant()
        await grants.add(grant)
        await grants.set_role(grant, Role.EDITOR)
        assert (await grants.get("alice", grant.item_id, grant.person_id)).role is Role.EDITOR
        assert (await grants.shared_with("bob", grant.item_id)).role is Role.EDITOR
        await grants.remove(grant)
        with pytest.raises(PersonNotFound):
            await grants.set_role(grant, Role.VIEWER)

    async def test_removing_ends_the_grant_on_every_side_and_is_idempotent(self, grants):
        grant = a_grant()
        invited = a_grant(grantee_id=None, item_id=grant.item_id)
        await grants.add(grant)
        await grants.add(invited)
        await grants.remove(grant)
        await grants.remove(invited)
        await grants.remove(grant)
        assert await grants.shared_with("bob", grant.item_id) is None
        assert await grants.people_on("alice", grant.item_id) == []
        assert await grants.invitations_to(invited.person_id, NOW) == []

    async def test_what_is_shared_with_someone_comes_a_page_at_a_time_newest_item_first(self, grants):
        made = [a_grant(owner_id=owner) for owner in ("alice", "carol", "alice", "dan", "alice")]
        for grant in made:
            await grants.add(grant)
        await grants.add(a_grant(grantee_id="erin"))
        page, cursor = await grants.list_shared_with("bob", limit=3, after_item_id=None)
        assert [grant.item_id for grant in page] == [grant.item_id for grant in reversed(made[2:])]
        rest, end = await grants.list_shared_with("bob", limit=3, after_item_id=cursor)
        assert [grant.item_id for grant in rest] == [made[1].item_id, made[0].item_id]
        assert end is None
        assert rest[0].owner_id == "carol"
        assert await grants.list_shared_with("frank", limit=3, after_item_id=None) == ([], None)

    async def test_in_drive_is_the_grantees_choice(self, grants):
        grant = a_grant()
        await grants.add(grant)
        await grants.set_in_drive(grant, True)
        assert (await grants.shared_with("bob", grant.item_id)).in_drive
        assert (await grants.get("alice", grant.item_id, grant.person_id)).role is Role.VIEWER
        await grants.remove(grant)
        with pytest.raises(ShareNotFound):
            await grants.set_in_drive(grant, False)

    async def test_invitations_wait_for_their_email_until_they_expire(self, grants):
        invited = a_grant(grantee_id=None, email="dan@example.com")
        other = a_grant(grantee_id=None, email="erin@example.com")
        await grants.add(invited)
        await grants.add(other)
        assert await grants.invitations_to(invited.person_id, NOW) == [invited]
        assert await grants.invitations_to(invited.person_id, LATER) == []
        assert await grants.shared_with("dan", invited.item_id) is None

    async def test_claiming_an_invitation_makes_it_a_grant_once(self, grants):
        invited = a_grant(grantee_id=None, email="dan@example.com")
        await grants.add(invited)
        assert await grants.claim(invited, "dan")
        claimed = await grants.shared_with("dan", invited.item_id)
        assert claimed == dataclasses.replace(invited, grantee_id="dan", expires_at=None)
        assert await grants.people_on("alice", invited.item_id) == [claimed]
        assert await grants.invitations_to(invited.person_id, NOW) == []
        assert not await grants.claim(invited, "dan")

    async def test_a_removed_or_changed_invitation_is_not_claimed(self, grants):
        invited = a_grant(grantee_id=None)
        await grants.add(invited)
        await grants.set_role(invited, Role.EDITOR)
        assert not await grants.claim(invited, "dan")
        await grants.remove(invited)
        assert not await grants.claim(invited, "dan")
        assert await grants.shared_with("dan", invited.item_id) is None

    async def test_claiming_what_the_account_has_already_drops_the_invitation(self, grants):
        grant = a_grant(grantee_id="dan")
        invited = a_grant(grantee_id=None, item_id=grant.item_id, email="dan.other@example.com")
        await grants.add(grant)
        await grants.add(invited)
        assert not await grants.claim(invited, "dan")
        assert await grants.people_on("alice", grant.item_id) == [grant]
        assert await grants.invitations_to(invited.person_id, NOW) == []

    async def test_an_items_grants_go_with_it(self, grants):
        grant = a_grant()
        await grants.add(grant)
        await grants.add(a_grant(grantee_id=None, item_id=grant.item_id))
        kept = a_grant()
        await grants.add(kept)
        assert await grants.delete_for_item("alice", grant.item_id) == 2
        assert await grants.delete_for_item("alice", grant.item_id) == 0
        assert await grants.shared_with("bob", grant.item_id) is None
        assert await grants.shared_with("bob", kept.item_id) == kept

    async def test_an_accounts_grants_go_on_both_sides(self, grants):
        owned = a_grant()
        invited = a_grant(grantee_id=None)
        received = a_grant(owner_id="carol", grantee_id="alice")
        unrelated = a_grant(owner_id="carol", grantee_id="bob")
        for grant in (owned, invited, received, unrelated):
            await grants.add(grant)
        assert await grants.delete_for_account("alice") == 3
        assert await grants.delete_for_account("alice") == 0
        assert await grants.shared_with("bob", owned.item_id) is None
        assert await grants.invitations_to(invited.person_id, NOW) == []
        assert await grants.people_on("carol", received.item_id) == []
        assert await grants.list_shared_with("alice", limit=10, after_item_id=None) == ([], None)
        assert await grants.shared_with("bob", unrelated.item_id) == unrelated

    async def test_an_item_is_marked_shared_while_someone_has_it(self, grants):
        granted = a_grant()
        invited = a_grant(grantee_id=None)
        other_owners = a_grant(owner_id="carol")
        never = new_id()
        for grant in (granted, invited, other_owners):
            await grants.add(grant)
        ids = [granted.item_id, invited.item_id, other_owners.item_id, never]
        assert await grants.shared_items("alice", ids, NOW) == {granted.item_id, invited.item_id}
        # An invitation past its time no longer marks; a grant has no end.
        assert await grants.shared_items("alice", ids, LATER) == {granted.item_id}
        assert await grants.shared_items("alice", [], NOW) == set()

        await grants.remove(granted)
        assert await grants.claim(invited, "dan")
        assert await grants.shared_items("alice", ids, LATER) == {invited.item_id}
        await grants.delete_for_item("alice", invited.item_id)
        assert await grants.shared_items("alice", ids, NOW) == set()

    async def test_the_mark_stays_while_one_of_several_people_has_the_item(self, grants):
        bob = a_grant()
        carol = a_grant(grantee_id="carol", item_id=bob.item_id)
        await grants.add(bob)
        await grants.add(carol)
        await grants.remove(bob)
        assert await grants.shared_items("alice", [bob.item_id], NOW) == {bob.item_id}
        await grants.remove(carol)
        assert await grants.shared_items("alice", [bob.item_id], NOW) == set()
