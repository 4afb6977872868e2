"""Sharing with people, the owner's side: share an item with an email as a viewer or an editor,
see who has access, change a role, remove a person. An email without a verified account gets an
invitation that waits 30 days for one; the owner's answer is the same either way, so sharing
never tells whether an address has an account. docs/data-model.md ("Sharing with people")."""

import dataclasses
import logging
import re
from dataclasses import dataclass

from scloud_common.email_address import normalize_email
from scloud_common.errors import NotFound
from scloud_files.domain import AccountClosed, EmailNotVerified, Item
from scloud_files.domain.activity import ActivityAction
from scloud_files.domain.grant import (
    INVITATION_TTL,
    MAX_PEOPLE_PER_ITEM,
    PERSON_ID_PATTERN,
    CannotShareWithSelf,
    Grant,
    PersonNotFound,
    Role,
    TooManyPeople,
    person_id_of,
)
from scloud_files.drive.activity import ActivityRecorder
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.shared_with_me import AccessEnded, nothing_to_end
from scloud_files.ports import GrantStore, PeopleDirectory, ShareNotices

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeoplePorts:
    grants: GrantStore
    people: PeopleDirectory
    notices: ShareNotices


class SharePerson:
    def __init__(self, ports: PeoplePorts, paths: FolderPaths, *, activity: ActivityRecorder, now: Clock) -> None:
        self._activity = activity
        self._grants = ports.grants
        self._people = ports.people
        self._notices = ports.notices
        self._paths = paths
        self._now = now

    async def __call__(self, owner_id: str, item_id: str, *, email: str, role: Role) -> Grant:
        """The grant as the owner sees it, whether the email has an account or is invited: the
        answer is built from what the owner sent, never from the lookup."""
        address = normalize_email(email)
        item = await self._paths.require_live(owner_id, item_id)
        try:
            owner_email = await self._people.verified_email(owner_id)
            owner = await self._people.get_profile(owner_id)
        except NotFound:
            raise AccountClosed() from None
        if owner_email is None:
            raise EmailNotVerified()
        if address == owner_email:
            raise CannotShareWithSelf()
        person_id = person_id_of(address)
        earlier = await self._grants.get(owner_id, item.item_id, person_id)
        if earlier is None and len(await self._grants.people_on(owner_id, item.item_id)) >= MAX_PEOPLE_PER_ITEM:
            raise TooManyPeople()
        found = await self._people.find_verified(address)
        if found is not None and found.user_id == owner_id:
            raise CannotShareWithSelf()
        now = self._now()
        grant = Grant(
            owner_id=owner_id,
            item_id=item.item_id,
            person_id=person_id,
            email=address,
            role=role,
            item_kind=item.kind,
            item_name=item.name,
            owner_name=owner.display_name,
            created_at=earlier.created_at if earlier else timestamp(now),
            grantee_id=found.user_id if found else None,
            expires_at=None if found else timestamp(now + INVITATION_TTL),
            in_drive=earlier.in_drive if earlier and found and earlier.grantee_id == found.user_id else False,
        )
        await self._grants.add(grant)
        if earlier is None or earlier.role is not role:
            self._notices.shared(grant)
            await self._activity.changed(
                ActivityAction.SHARE, before=item, after=item, at=timestamp(now), detail=person_id
            )
        logger.info("item shared with a person", extra={"user_id": owner_id, "item_id": item.item_id})
        return grant


class PeopleOnItem:
    """Who has access to an item, and the changes the owner makes to it."""

    def __init__(
        self,
        grants: GrantStore,
        paths: FolderPaths,
        *,
        activity: ActivityRecorder,
        now: Clock,
        editing_ended: AccessEnded = nothing_to_end,
    ) -> None:
        self._activity = activity
        self._grants = grants
        self._paths = paths
        self._now = now
        self._editing_ended = editing_ended

    async def _item(self, owner_id: str, item_id: str) -> Item:
        return await self._paths.require_live(owner_id, item_id)

    async def list(self, owner_id: str, item_id: str) -> list[Grant]:
        """Grants and invitations alike, oldest first; an invitation past its time is left out."""
        item = await self._item(owner_id, item_id)
        now = timestamp(self._now())
        people = await self._grants.people_on(owner_id, item.item_id)
        return [grant for grant in people if grant.expires_at is None or grant.expires_at > now]

    async def _person(self, owner_id: str, item_id: str, person_id: str) -> Grant:
        item = await self._item(owner_id, item_id)
        grant = (
            await self._grants.get(owner_id, item.item_id, person_id)
            if re.fullmatch(PERSON_ID_PATTERN, person_id)
            else None
        )
        if grant is None:
            raise PersonNotFound()
        return grant

    async def change_role(self, owner_id: str, item_id: str, person_id: str, role: Role) -> Grant:
        grant = await self._person(owner_id, item_id, person_id)
        if grant.role is not role:
            await self._grants.set_role(grant, role)
            if role is Role.VIEWER:
                await self._editing_ended(grant)
        return dataclasses.replace(grant, role=role)

    async def remove(self, owner_id: str, item_id: str, person_id: str) -> None:
        """Ends the person's access at once: their next request through it is refused."""
        grant = await self._person(owner_id, item_id, person_id)
        await self._grants.remove(grant)
        await self._editing_ended(grant)
        await self._activity.changed_by_id(ActivityAction.UNSHARE, owner_id, grant.item_id, detail=grant.person_id)
