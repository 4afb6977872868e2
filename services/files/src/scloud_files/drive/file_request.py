"""The owner's file requests: create one for a folder (verified accounts only), list, read, edit,
revoke. docs/data-model.md ("Sharing") gives the rules."""

import dataclasses
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from scloud_files.domain import (
    ITEM_ID_PATTERN,
    LINK_ID_BYTES,
    EmailNotVerified,
    FileRequest,
    InvalidCursor,
    InvalidExpiry,
    InvalidRequestLimit,
    ItemKind,
    RequestNotFound,
    link_hash,
)
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.move import UNSET, Unset
from scloud_files.drive.share_link import LinkSettings
from scloud_files.ports import FileRequestStore


@dataclass(frozen=True)
class RequestLimits:
    """`max_file_bytes`: the largest file any upload may be (the direct uploads' limit);
    `default_file_bytes`: a request's per-file limit when the owner sets none; `notice_interval`:
    at least this long between two notices of one request, files arriving meanwhile wait for the
    next; `retention`: how long a request is kept after its expiry (answering 410)."""

    max_expiry: timedelta = timedelta(days=30)
    default_file_bytes: int = 1024 * 1024 * 1024
    max_file_bytes: int = 5 * 1024 * 1024 * 1024
    notice_interval: timedelta = timedelta(minutes=15)
    retention: timedelta = timedelta(days=30)

    @property
    def default_expiry(self) -> timedelta:
        return min(timedelta(days=7), self.max_expiry)


class RequestSettings:
    """Turns what the owner asks for into stored values, checking the expiry and the limits."""

    def __init__(self, limits: RequestLimits, *, now: Clock) -> None:
        self.limits = limits
        self._now = now

    def expiry(self, expires_at: datetime | None) -> tuple[str, str]:
        now = self._now()
        moment = expires_at or now + self.limits.default_expiry
        if not now < moment <= now + self.limits.max_expiry:
            raise InvalidExpiry(max_days=self.limits.max_expiry.days)
        return timestamp(moment), timestamp(moment + self.limits.retention)

    def sizes(self, max_file_bytes: int | None, max_total_bytes: int | None) -> tuple[int, int | None]:
        per_file = max_file_bytes or min(self.limits.default_file_bytes, max_total_bytes or self.limits.max_file_bytes)
        if per_file > self.limits.max_file_bytes or (max_total_bytes is not None and per_file > max_total_bytes):
            raise InvalidRequestLimit(max_file_bytes=self.limits.max_file_bytes)
        return per_file, max_total_bytes


class CreateFileRequest:
    def __init__(
        self,
        requests: FileRequestStore,
        paths: FolderPaths,
        links: LinkSettings,
        settings: RequestSettings,
        *,
        new_id: Callable[[], str],
        now: Clock,
    ) -> None:
        self._requests = requests
        self._paths = paths
        self._links = links
        self._settings = settings
        self._new_id = new_id
        self._now = now

    async def __call__(
        self,
        owner_id: str,
        folder_id: str,
        *,
        expires_at: datetime | None = None,
        max_file_bytes: int | None = None,
        max_total_bytes: int | None = None,
        show_owner_name: bool = True,
    ) -> tuple[FileRequest, str]:
        """The request and its id, which only this answer ever holds: the stores keep its hash.
        EmailNotVerified, FolderNotFound, InvalidExpiry, InvalidRequestLimit."""
        profile = await self._links.profile(owner_id)
        if not profile.email_verified:
            raise EmailNotVerified()
        folder = await self._paths.require_live(owner_id, folder_id, ItemKind.FOLDER)
        expiry, forget_at = self._settings.expiry(expires_at)
        per_file, total = self._settings.sizes(max_file_bytes, max_total_bytes)
        request_id = secrets.token_urlsafe(LINK_ID_BYTES)
        request = FileRequest(
            request_ref=self._new_id(),
            token_hash=link_hash(request_id),
            owner_id=owner_id,
            folder_id=folder.item_id,
            created_at=timestamp(self._now()),
            expires_at=expiry,
            forget_at=forget_at,
            max_file_bytes=per_file,
            max_total_bytes=total,
            owner_name=profile.display_name if show_owner_name else None,
        )
        await self._requests.add(request)
        return request, request_id


class GetFileRequest:
    def __init__(self, requests: FileRequestStore) -> None:
        self._requests = requests

    async def __call__(self, owner_id: str, request_ref: str) -> FileRequest:
        found = None
        if re.fullmatch(ITEM_ID_PATTERN, request_ref):
            found = await self._requests.get(owner_id, request_ref)
        if found is None:
            raise RequestNotFound()
        return found


class ListFileRequests:
    def __init__(self, requests: FileRequestStore) -> None:
        self._requests = requests

    async def __call__(self, owner_id: str, *, limit: int, cursor: str | None) -> tuple[list[FileRequest], str | None]:
        """The owner's requests, newest first, revoked and expired ones too until forgotten."""
        if cursor is not None and not re.fullmatch(ITEM_ID_PATTERN, cursor):
            raise InvalidCursor()
        return await self._requests.list_owned(owner_id, limit=limit, after_ref=cursor)


class UpdateFileRequest:
    def __init__(
        self, requests: FileRequestStore, get: GetFileRequest, links: LinkSettings, settings: RequestSettings
    ) -> None:
        self._requests = requests
        self._get = get
        self._links = links
        self._settings = settings

    async def __call__(
        self,
        owner_id: str,
        request_ref: str,
        *,
        expires_at: datetime | Unset = UNSET,
        max_file_bytes: int | Unset = UNSET,
        max_total_bytes: int | None | Unset = UNSET,
        show_owner_name: bool | Unset = UNSET,
    ) -> FileRequest:
        """Only what is given changes; a None total removes it. A total below what was received
        already closes the request to further files. What was received stays."""
        request = await self._get(owner_id, request_ref)
        changes: dict[str, object] = {}
        if not isinstance(expires_at, Unset):
            changes["expires_at"], changes["forget_at"] = self._settings.expiry(expires_at)
        per_file = request.max_file_bytes if isinstance(max_file_bytes, Unset) else max_file_bytes
        total = request.max_total_bytes if isinstance(max_total_bytes, Unset) else max_total_bytes
        changes["max_file_bytes"], changes["max_total_bytes"] = self._settings.sizes(per_file, total)
        if not isinstance(show_owner_name, Unset):
            changes["owner_name"] = (await self._links.profile(owner_id)).display_name if show_owner_name else None
        updated = dataclasses.replace(request, **changes)  # type: ignore[arg-type]
        await self._requests.update_settings(updated)
        return updated


class RevokeFileRequest:
    def __init__(self, requests: FileRequestStore, get: GetFileRequest, *, now: Clock) -> None:
        self._requests = requests
        self._get = get
        self._now = now

    async def __call__(self, owner_id: str, request_ref: str) -> None:
        """Closes the request at once: visitors get 410, uploads in flight are refused at their
        completion. Revoking again changes nothing."""
        request = await self._get(owner_id, request_ref)
        if request.revoked_at is None:
            await self._requests.update_settings(dataclasses.replace(request, revoked_at=timestamp(self._now())))
