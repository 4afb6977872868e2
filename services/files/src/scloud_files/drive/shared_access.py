"""What a visitor holding a share link may do, signed out: see what it shares, unlock it with its
password, download it. Every answer about a known link, refusals included, goes to its log."""

import base64
import hashlib
import hmac
import math
from collections.abc import Callable
from datetime import UTC, datetime

from scloud_common.errors import AppError, NotFound
from scloud_files.domain import (
    DEFAULT_CONTENT_TYPE,
    AccessEntry,
    AccessEvent,
    Item,
    LinkExhausted,
    LinkExpired,
    LinkIsFolder,
    LinkNotFound,
    LinkRevoked,
    PasswordRequired,
    RefusalReason,
    SharedItem,
    ShareLink,
    TooManyAttempts,
    Visitor,
    WrongPassword,
    client_attempts_key,
    link_attempts_key,
    link_hash,
    media_type_of_name,
    preview_kind,
)
from scloud_files.domain.activity import ActivityAction
from scloud_files.drive.activity import ActivityRecorder
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.download_link import CreateDownloadLink
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.share_link import ShareLimits
from scloud_files.ports import FileRepository, PasswordHasher, ShareLinkStore

REFUSALS: dict[RefusalReason, type[AppError]] = {
    RefusalReason.REVOKED: LinkRevoked,
    RefusalReason.EXPIRED: LinkExpired,
    RefusalReason.EXHAUSTED: LinkExhausted,
    RefusalReason.PASSWORD_REQUIRED: PasswordRequired,
    RefusalReason.WRONG_PASSWORD: WrongPassword,
}


def unlock_token(link: ShareLink, expires: int) -> str:
    """Keyed with the stored password hash: no secret of its own, and void once the password
    changes or is cleared."""
    key = (link.password_hash or "").encode()
    digest = hmac.new(key, f"{link.token_hash}.{expires}".encode(), hashlib.sha256).digest()
    return f"{expires}.{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"


def unlocks(link: ShareLink, token: str | None, now: datetime) -> bool:
    expires, _, _ = (token or "").partition(".")
    if not expires.isdigit() or int(expires) <= now.timestamp():
        return False
    return hmac.compare_digest(unlock_token(link, int(expires)), token or "")


class LinkGate:
    """Finds a link and lets a visitor through it, or refuses them and logs why."""

    def __init__(
        self,
        links: ShareLinkStore,
        repository: FileRepository,
        paths: FolderPaths,
        limits: ShareLimits,
        *,
        new_id: Callable[[], str],
        now: Clock,
    ) -> None:
        self._links = links
        self._repository = repository
        self._paths = paths
        self.limits = limits
        self._new_id = new_id
        self._now = now

    async def find(self, link_id: str) -> tuple[ShareLink, Item]:
        """The link and its item, or LinkNotFound, whatever the reason: the link is unknown, its
        item (or a folder above it) is trashed or gone, or its owner's account is closed."""
        link = await self._links.find(link_hash(link_id))
        if link is None or await self._repository.account_closed(link.owner_id):
            raise LinkNotFound()
        try:
            item = await self._paths.require_live(link.owner_id, link.item_id)
        except NotFound:
            raise LinkNotFound() from None
        return link, item

    async def enter(self, link_id: str, visitor: Visitor, *, unlock: str | None) -> tuple[ShareLink, Item]:
        link, item = await self.find(link_id)
        await self.check_live(link, visitor)
        if link.password_hash is not None and not unlocks(link, unlock, self._now()):
            await self.refuse(link, visitor, RefusalReason.PASSWORD_REQUIRED)
        return link, item

    async def check_live(self, link: ShareLink, visitor: Visitor) -> None:
        refusal = link.refusal(timestamp(self._now()))
        if refusal is not None:
            await self.refuse(link, visitor, refusal)

    async def count_download(self, link: ShareLink, visitor: Visitor) -> None:
        """Counts one download against the link's limit, or refuses the visitor: concurrent
        downloads never pass the limit."""
        if not await self._links.count_download(link.token_hash, timestamp(self._now())):
            # Revoked, expired or used up since it was read: say which.
            current = await self._links.find(link.token_hash)
            reason = current.refusal(timestamp(self._now())) if current else None
            await self.refuse(link, visitor, reason or RefusalReason.EXHAUSTED)

    async def refuse(
        self, link: ShareLink, visitor: Visitor, reason: RefusalReason, error: AppError | None = None
    ) -> None:
        await self.log(link, visitor, AccessEvent.REFUSED, reason)
        raise error or REFUSALS[reason]()

    async def log(
        self, link: ShareLink, visitor: Visitor, event: AccessEvent, reason: RefusalReason | None = None
    ) -> None:
        now = self._now()
        at = timestamp(now)
        forget_at = min(timestamp(now + self.limits.log_retention), link.forget_at)
        entry = AccessEntry(f"{at}#{self._new_id()}", at, event, reason, visitor.browser, visitor.network, forget_at)
        await self._links.record_access(link, entry)


def shared_item(link: ShareLink, item: Item) -> SharedItem:
    left = None if link.download_limit is None else max(0, link.download_limit - link.download_count)
    return SharedItem(
        name=item.name,
        kind=item.kind,
        size=None if item.is_folder else item.size,
        media_type=None if item.is_folder else item.media_type or media_type_of_name(item.name) or DEFAULT_CONTENT_TYPE,
        modified_at=item.modified_at,
        expires_at=link.expires_at,
        downloads_left=left,
        owner_name=link.owner_name,
        preview=None if item.is_folder else preview_kind(item),
    )


class OpenSharedLink:
    def __init__(self, gate: LinkGate, *, activity: ActivityRecorder) -> None:
        self._gate = gate
        self._activity = activity

    async def __call__(self, link_id: str, visitor: Visitor, *, unlock: str | None) -> SharedItem:
        link, item = await self._gate.enter(link_id, visitor, unlock=unlock)
        await self._gate.log(link, visitor, AccessEvent.OPEN)
        # The owner's activity: a visitor (not signed in) opened the link.
        await self._activity.changed(
            ActivityAction.LINK_OPENED, before=item, after=item, actor_id=None, detail=link.link_ref
        )
        return shared_item(link, item)


class UnlockSharedLink:
    def __init__(self, gate: LinkGate, links: ShareLinkStore, hasher: PasswordHasher, *, now: Clock) -> None:
        self._gate = gate
        self._links = links
        self._hasher = hasher
        self._now = now

    async def __call__(self, link_id: str, password: str, visitor: Visitor) -> tuple[str, datetime]:
        """A token that opens the link until it expires. Wrong guesses are counted per link and
        per client network, in fixed windows; past either bound the check is refused before
        bcrypt runs, until the window ends."""
        link, _ = await self._gate.find(link_id)
        await self._gate.check_live(link, visitor)
        now = self._now()
        limits = self._gate.limits
        window = limits.attempt_window.total_seconds()
        start = math.floor(now.timestamp() / window) * window
        window_start = timestamp(datetime.fromtimestamp(start, UTC))
        window_end = datetime.fromtimestamp(start + window, UTC)
        keys = {
            link_attempts_key(link.token_hash): limits.attempts_per_link,
            client_attempts_key(visitor.network): limits.attempts_per_client,
        }
        for key, bound in keys.items():
            if await self._links.failed_attempts(key, window_start) >= bound:
                retry_after = max(1, math.ceil((window_end - now).total_seconds()))
                await self._gate.refuse(
                    link, visitor, RefusalReason.THROTTLED, TooManyAttempts(retry_after_seconds=retry_after)
                )
        if link.password_hash is not None and not await self._hasher.verify(password, link.password_hash):
            for key in keys:
                await self._links.count_failed_attempt(key, window_start, forget_at=timestamp(window_end))
            await self._gate.refuse(link, visitor, RefusalReason.WRONG_PASSWORD)
        expires_at = min(now + limits.unlock_ttl, datetime.fromisoformat(link.expires_at))
        return unlock_token(link, int(expires_at.timestamp())), expires_at


class DownloadSharedLink:
    def __init__(self, gate: LinkGate, signer: CreateDownloadLink) -> None:
        self._gate = gate
        self._signer = signer

    async def __call__(self, link_id: str, visitor: Visitor, *, unlock: str | None) -> tuple[str, datetime]:
        """A short-lived URL of the shared file's bytes, counted against the link's download
        limit atomically: concurrent visitors never pass it."""
        link, item = await self._gate.enter(link_id, visitor, unlock=unlock)
        if item.is_folder:
            raise LinkIsFolder()
        await self._gate.count_download(link, visitor)
        signed = self._signer.sign(item)
        await self._gate.log(link, visitor, AccessEvent.DOWNLOAD)
        return signed
