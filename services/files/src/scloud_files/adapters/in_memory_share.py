"""In-memory implementations of the sharing ports, for unit tests: the share links with their logs
and attempt counters, a password hasher cheap enough to run per test, and the users directory."""

import dataclasses
import hashlib
import hmac
from collections.abc import Sequence
from typing import TYPE_CHECKING

from scloud_common.errors import NotFound
from scloud_files.domain import AccessEntry, AccessEvent, LinkNotFound, ShareLink, link_attempts_key
from scloud_files.ports import AccountProfile

if TYPE_CHECKING:
    from scloud_files.ports import PasswordHasher, ShareLinkStore, UserDirectory

SETTINGS = ("expires_at", "forget_at", "password_hash", "download_limit", "owner_name", "revoked_at")


class InMemoryShareLinks:
    def __init__(self) -> None:
        self.links: dict[str, ShareLink] = {}
        self.logs: dict[str, list[AccessEntry]] = {}
        self.attempts: dict[tuple[str, str], int] = {}

    async def add(self, link: ShareLink) -> None:
        self.links[link.token_hash] = link
        self.logs.setdefault(link.link_ref, [])

    async def find(self, token_hash: str) -> ShareLink | None:
        return self.links.get(token_hash)

    async def get(self, owner_id: str, link_ref: str) -> ShareLink | None:
        for link in self.links.values():
            if link.owner_id == owner_id and link.link_ref == link_ref:
                return link
        return None

    async def list_owned(
        self, owner_id: str, *, limit: int, after_ref: str | None
    ) -> tuple[list[ShareLink], str | None]:
        owned = sorted((link for link in self.links.values() if link.owner_id == owner_id), key=_ref, reverse=True)
        if after_ref is not None:
            owned = [link for link in owned if link.link_ref < after_ref]
        page = owned[:limit]
        return page, page[-1].link_ref if len(owned) > limit and page else None

    async def update_settings(self, link: ShareLink) -> None:
        stored = self.links.get(link.token_hash)
        if stored is None:
            raise LinkNotFound()
        self.links[link.token_hash] = dataclasses.replace(stored, **{name: getattr(link, name) for name in SETTINGS})

    async def count_download(self, token_hash: str, now: str) -> bool:
        link = self.links.get(token_hash)
        if link is None or link.refusal(now) is not None:
            return False
        self.links[token_hash] = dataclasses.replace(link, download_count=link.download_count + 1)
        return True

    async def record_access(self, link: ShareLink, entry: AccessEntry) -> None:
        stored = self.links.get(link.token_hash)
        if stored is None:
            return
        self.logs.setdefault(link.link_ref, []).append(entry)
        self.links[link.token_hash] = dataclasses.replace(
            stored,
            open_count=stored.open_count + (entry.event is AccessEvent.OPEN),
            refused_count=stored.refused_count + (entry.event is AccessEvent.REFUSED),
            last_access_at=max(stored.last_access_at or "", entry.at),
        )

    async def access_log(
        self, link: ShareLink, *, limit: int, after_key: str | None
    ) -> tuple[list[AccessEntry], str | None]:
        entries = sorted(self.logs.get(link.link_ref, []), key=_key, reverse=True)
        if after_key is not None:
            entries = [entry for entry in entries if entry.key < after_key]
        page = entries[:limit]
        return page, page[-1].key if len(entries) > limit and page else None

    async def shared_items(self, owner_id: str, item_ids: Sequence[str], now: str) -> set[str]:
        wanted = set(item_ids)
        return {
            link.item_id
            for link in self.links.values()
            if link.owner_id == owner_id
            and link.item_id in wanted
            and link.revoked_at is None
            and link.expires_at > now
        }

    async def delete_links(self, owner_id: str, *, item_id: str | None = None) -> int:
        gone = [
            link
            for link in self.links.values()
            if link.owner_id == owner_id and (item_id is None or link.item_id == item_id)
        ]
        for link in gone:
            del self.links[link.token_hash]
            self.logs.pop(link.link_ref, None)
            key = link_attempts_key(link.token_hash)
            self.attempts = {window: count for window, count in self.attempts.items() if window[0] != key}
        return len(gone)

    async def failed_attempts(self, key: str, window_start: str) -> int:
        return self.attempts.get((key, window_start), 0)

    async def count_failed_attempt(self, key: str, window_start: str, *, forget_at: str) -> int:
        self.attempts[(key, window_start)] = self.attempts.get((key, window_start), 0) + 1
        return self.attempts[(key, window_start)]


def _ref(link: ShareLink) -> str:
    return link.link_ref


def _key(entry: AccessEntry) -> str:
    return entry.key


class FastPasswordHasher:
    """A keyed SHA-256, not bcrypt: unit tests check behaviour, not the cost of guessing."""

    async def hash(self, password: str) -> str:
        return "fast$" + hashlib.sha256(password.encode()).hexdigest()

    async def verify(self, password: str, password_hash: str) -> bool:
        return hmac.compare_digest(await self.hash(password), password_hash)


class InMemoryUserDirectory:
    def __init__(self, profiles: dict[str, AccountProfile] | None = None) -> None:
        self.profiles = dict(profiles or {})

    async def get_profile(self, user_id: str) -> AccountProfile:
        profile = self.profiles.get(user_id)
        if profile is None:
            raise NotFound()
        return profile


if TYPE_CHECKING:
    _links: ShareLinkStore = InMemoryShareLinks()
    _hasher: PasswordHasher = FastPasswordHasher()
    _users: UserDirectory = InMemoryUserDirectory()
