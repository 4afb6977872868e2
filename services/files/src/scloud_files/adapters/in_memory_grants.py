"""In-memory implementations of the sharing-with-people ports, for unit tests: the grants and the
users directory that can look people up by email."""

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from scloud_files.adapters.in_memory_share import InMemoryUserDirectory
from scloud_files.domain.grant import Grant, PersonNotFound, Role, ShareNotFound
from scloud_files.ports import AccountProfile, Person

if TYPE_CHECKING:
    from scloud_files.ports import GrantStore, PeopleDirectory, ShareNotices


class InMemoryGrants:
    def __init__(self) -> None:
        # By (owner, item, person): one record holds every side, as SQLite's row does.
        self.grants: dict[tuple[str, str, str], Grant] = {}

    @staticmethod
    def _key(grant: Grant) -> tuple[str, str, str]:
        return grant.owner_id, grant.item_id, grant.person_id

    async def add(self, grant: Grant) -> None:
        self.grants[self._key(grant)] = grant

    async def get(self, owner_id: str, item_id: str, person_id: str) -> Grant | None:
        return self.grants.get((owner_id, item_id, person_id))

    async def people_on(self, owner_id: str, item_id: str) -> list[Grant]:
        found = [g for g in self.grants.values() if (g.owner_id, g.item_id) == (owner_id, item_id)]
        return sorted(found, key=lambda grant: (grant.created_at, grant.person_id))

    async def set_role(self, grant: Grant, role: Role) -> None:
        stored = self.grants.get(self._key(grant))
        if stored is None:
            raise PersonNotFound()
        self.grants[self._key(grant)] = dataclasses.replace(stored, role=role)

    async def remove(self, grant: Grant) -> None:
        self.grants.pop(self._key(grant), None)

    async def shared_with(self, grantee_id: str, item_id: str) -> Grant | None:
        return next((g for g in self.grants.values() if (g.grantee_id, g.item_id) == (grantee_id, item_id)), None)

    async def list_shared_with(
        self, grantee_id: str, *, limit: int, after_item_id: str | None
    ) -> tuple[list[Grant], str | None]:
        mine = sorted((g for g in self.grants.values() if g.grantee_id == grantee_id), key=_item, reverse=True)
        if after_item_id is not None:
            mine = [grant for grant in mine if grant.item_id < after_item_id]
        page = mine[:limit]
        return page, page[-1].item_id if len(mine) > limit and page else None

    async def set_in_drive(self, grant: Grant, in_drive: bool) -> None:
        stored = self.grants.get(self._key(grant))
        if stored is None or stored.grantee_id is None:
            raise ShareNotFound()
        self.grants[self._key(grant)] = dataclasses.replace(stored, in_drive=in_drive)

    async def invitations_to(self, person_id: str, now: str) -> list[Grant]:
        return [
            grant
            for grant in self.grants.values()
            if grant.is_invitation and grant.person_id == person_id and (grant.expires_at or "") > now
        ]

    async def claim(self, invitation: Grant, grantee_id: str) -> bool:
        if self.grants.get(self._key(invitation)) != invitation:
            return False
        if await self.shared_with(grantee_id, invitation.item_id) is not None:
            del self.grants[self._key(invitation)]
            return False
        self.grants[self._key(invitation)] = dataclasses.replace(invitation, grantee_id=grantee_id, expires_at=None)
        return True

    async def shared_items(self, owner_id: str, item_ids: Sequence[str], now: str) -> set[str]:
        wanted = set(item_ids)
        return {
            grant.item_id
            for grant in self.grants.values()
            if grant.owner_id == owner_id
            and grant.item_id in wanted
            and (grant.expires_at is None or grant.expires_at > now)
        }

    async def delete_for_item(self, owner_id: str, item_id: str) -> int:
        gone = [key for key in self.grants if key[:2] == (owner_id, item_id)]
        for key in gone:
            del self.grants[key]
        return len(gone)

    async def delete_for_account(self, user_id: str) -> int:
        gone = [key for key, grant in self.grants.items() if user_id in (grant.owner_id, grant.grantee_id)]
        for key in gone:
            del self.grants[key]
        return len(gone)


def _item(grant: Grant) -> str:
    return grant.item_id


class InMemoryPeopleDirectory(InMemoryUserDirectory):
    """Profiles by id, as the links' fake, plus each account's email and whether it is verified."""

    def __init__(self) -> None:
        super().__init__()
        self.emails: dict[str, tuple[str, bool]] = {}

    def add(self, user_id: str, email: str, *, name: str, verified: bool = True) -> None:
        self.profiles[user_id] = AccountProfile(email_verified=verified, display_name=name)
        self.emails[user_id] = (email, verified)

    def remove(self, user_id: str) -> None:
        self.profiles.pop(user_id, None)
        self.emails.pop(user_id, None)

    async def find_verified(self, email: str) -> Person | None:
        for user_id, (address, verified) in self.emails.items():
            if address == email and verified:
                return Person(user_id=user_id, display_name=self.profiles[user_id].display_name)
        return None

    async def verified_email(self, user_id: str) -> str | None:
        await self.get_profile(user_id)
        address, verified = self.emails.get(user_id, ("", False))
        return address if verified else None


class RecordingShareNotices:
    """Keeps each notice instead of mailing it."""

    def __init__(self) -> None:
        self.sent: list[Grant] = []

    def shared(self, grant: Grant) -> None:
        self.sent.append(grant)


if TYPE_CHECKING:
    _grants: GrantStore = InMemoryGrants()
    _people: PeopleDirectory = InMemoryPeopleDirectory()
    _notices: ShareNotices = RecordingShareNotices()
