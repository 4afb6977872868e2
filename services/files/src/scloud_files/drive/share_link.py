"""The owner's share links: create (verified accounts only), list, read, edit, revoke, and read a
link's access log. docs/data-model.md ("Sharing") gives the rules."""

import dataclasses
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from scloud_common.errors import NotFound
from scloud_files.domain import (
    ACCESS_KEY_PATTERN,
    ITEM_ID_PATTERN,
    LINK_ID_BYTES,
    AccessEntry,
    AccountClosed,
    EmailNotVerified,
    InvalidCursor,
    InvalidExpiry,
    LinkNotFound,
    ShareLink,
    link_hash,
)
from scloud_files.domain.activity import ActivityAction
from scloud_files.drive.activity import ActivityRecorder
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.move import UNSET, Unset
from scloud_files.ports import AccountProfile, PasswordHasher, ShareLinkStore, UserDirectory


@dataclass(frozen=True)
class ShareLimits:
    max_expiry: timedelta = timedelta(days=7)
    log_retention: timedelta = timedelta(days=30)
    unlock_ttl: timedelta = timedelta(hours=1)
    attempt_window: timedelta = timedelta(minutes=15)
    attempts_per_link: int = 10
    attempts_per_client: int = 30

    @property
    def default_expiry(self) -> timedelta:
        return min(timedelta(days=7), self.max_expiry)


class LinkSettings:
    """Turns what the owner asks for into stored values, checking the expiry's bound."""

    def __init__(self, users: UserDirectory, hasher: PasswordHasher, limits: ShareLimits, *, now: Clock) -> None:
        self._users = users
        self._hasher = hasher
        self._limits = limits
        self._now = now

    async def profile(self, owner_id: str) -> AccountProfile:
        try:
            return await self._users.get_profile(owner_id)
        except NotFound:
            raise AccountClosed() from None

    def expiry(self, expires_at: datetime | None) -> tuple[str, str]:
        """The expiry and the forget time (expiry + the log's retention), as stored."""
        now = self._now()
        moment = expires_at or now + self._limits.default_expiry
        if not now < moment <= now + self._limits.max_expiry:
            raise InvalidExpiry(max_days=self._limits.max_expiry.days)
        return timestamp(moment), timestamp(moment + self._limits.log_retention)

    async def password_hash(self, password: str | None) -> str | None:
        return None if password is None else await self._hasher.hash(password)


class CreateShareLink:
    def __init__(
        self,
        links: ShareLinkStore,
        paths: FolderPaths,
        settings: LinkSettings,
        *,
        activity: ActivityRecorder,
        new_id: Callable[[], str],
        now: Clock,
    ) -> None:
        self._links = links
        self._paths = paths
        self._settings = settings
        self._activity = activity
        self._new_id = new_id
        self._now = now

    async def __call__(
        self,
        owner_id: str,
        item_id: str,
        *,
        expires_at: datetime | None = None,
        password: str | None = None,
        download_limit: int | None = None,
        show_owner_name: bool = False,
    ) -> tuple[ShareLink, str]:
        """The link and its id, which only this answer ever holds: the stores keep its hash."""
        profile = await self._settings.profile(owner_id)
        if not profile.email_verified:
            raise EmailNotVerified()
        item = await self._paths.require_live(owner_id, item_id)
        expiry, forget_at = self._settings.expiry(expires_at)
        link_id = secrets.token_urlsafe(LINK_ID_BYTES)
        link = ShareLink(
            link_ref=self._new_id(),
            token_hash=link_hash(link_id),
            owner_id=owner_id,
            item_id=item.item_id,
            item_kind=item.kind,
            created_at=timestamp(self._now()),
            expires_at=expiry,
            forget_at=forget_at,
            password_hash=await self._settings.password_hash(password),
            download_limit=download_limit,
            owner_name=profile.display_name if show_owner_name else None,
        )
        await self._links.add(link)
        await self._activity.changed(
            ActivityAction.LINK_CREATED, before=item, after=item, at=link.created_at, detail=link.link_ref
        )
        return link, link_id


class GetShareLink:
    def __init__(self, links: ShareLinkStore) -> None:
        self._links = links

    async def __call__(self, owner_id: str, link_ref: str) -> ShareLink:
        link = await self._links.get(owner_id, link_ref) if re.fullmatch(ITEM_ID_PATTERN, link_ref) else None
        if link is None:
            raise LinkNotFound()
        return link


class ListShareLinks:
    def __init__(self, links: ShareLinkStore) -> None:
        self._links = links

    async def __call__(self, owner_id: str, *, limit: int, cursor: str | None) -> tuple[list[ShareLink], str | None]:
        """The owner's links, newest first, revoked and expired ones too until they are forgotten."""
        if cursor is not None and not re.fullmatch(ITEM_ID_PATTERN, cursor):
            raise InvalidCursor()
        return await self._links.list_owned(owner_id, limit=limit, after_ref=cursor)


class UpdateShareLink:
    def __init__(self, links: ShareLinkStore, get_link: GetShareLink, settings: LinkSettings) -> None:
        self._links = links
        self._get_link = get_link
        self._settings = settings

    async def __call__(
        self,
        owner_id: str,
        link_ref: str,
        *,
        expires_at: datetime | Unset = UNSET,
        password: str | None | Unset = UNSET,
        download_limit: int | None | Unset = UNSET,
        show_owner_name: bool | Unset = UNSET,
    ) -> ShareLink:
        """Only what is given changes: a None password or limit removes it. A new expiry is
        bounded from now. The counters stay: a limit below the downloads made exhausts the link."""
        link = await self._get_link(owner_id, link_ref)
        changes: dict[str, object] = {}
        if not isinstance(expires_at, Unset):
            changes["expires_at"], changes["forget_at"] = self._settings.expiry(expires_at)
        if not isinstance(password, Unset):
            changes["password_hash"] = await self._settings.password_hash(password)
        if not isinstance(download_limit, Unset):
            changes["download_limit"] = download_limit
        if not isinstance(show_owner_name, Unset):
            changes["owner_name"] = (await self._settings.profile(owner_id)).display_name if show_owner_name else None
        updated = dataclasses.replace(link, **changes)  # type: ignore[arg-type]
        await self._links.update_settings(updated)
        return updated


class RevokeShareLink:
    def __init__(
        self, links: ShareLinkStore, get_link: GetShareLink, *, activity: ActivityRecorder, now: Clock
    ) -> None:
        self._links = links
        self._get_link = get_link
        self._activity = activity
        self._now = now

    async def __call__(self, owner_id: str, link_ref: str) -> None:
        """Ends the link at once; visitors are told it was withdrawn (410) until it is forgotten
        with its log. Revoking again changes nothing."""
        link = await self._get_link(owner_id, link_ref)
        if link.revoked_at is None:
            revoked_at = timestamp(self._now())
            await self._links.update_settings(dataclasses.replace(link, revoked_at=revoked_at))
            await self._activity.changed_by_id(
                ActivityAction.LINK_REVOKED, owner_id, link.item_id, at=revoked_at, detail=link.link_ref
            )


class ReadLinkLog:
    def __init__(self, links: ShareLinkStore, get_link: GetShareLink) -> None:
        self._links = links
        self._get_link = get_link

    async def __call__(
        self, owner_id: str, link_ref: str, *, limit: int, cursor: str | None
    ) -> tuple[ShareLink, list[AccessEntry], str | None]:
        """The link (with its counts and last access) and a page of its log, newest first."""
        if cursor is not None and not re.fullmatch(ACCESS_KEY_PATTERN, cursor):
            raise InvalidCursor()
        link = await self._get_link(owner_id, link_ref)
        entries, next_cursor = await self._links.access_log(link, limit=limit, after_key=cursor)
        return link, entries, next_cursor
