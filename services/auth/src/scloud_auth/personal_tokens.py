"""Personal access tokens: created, listed and revoked by their owner from a signed-in browser, and
checked for every service (over gRPC, or by auth's own verifier) when a script presents one."""

import secrets
import time
from collections.abc import Callable, Iterable

from scloud_auth.domain import (
    InvalidTokenLifetime,
    IssuedPersonalAccessToken,
    PersonalAccessToken,
    PersonalAccessTokenNotFound,
    TooManyPersonalAccessTokens,
)
from scloud_auth.notices import AccountNotices
from scloud_auth.ports import PersonalAccessTokenRepository, UserDirectory
from scloud_auth.secret_token import hash_secret_token, new_secret
from scloud_common.errors import NotFound
from scloud_common.scopes import PERSONAL_ACCESS_TOKEN_PATTERN, PERSONAL_ACCESS_TOKEN_PREFIX, Scope
from scloud_common.security_events import SecurityEvent, record_security_event
from scloud_common.tokens import PersonalAccessTokenStatus

DAY_SECONDS = 24 * 3600
# A token's public id: 9 random bytes, 12 URL-safe characters (never a word like "current").
TOKEN_ID_BYTES = 9
TOKEN_ID_PATTERN = "[A-Za-z0-9_-]{12}"
# Tokens an account may hold at once (active ones): enough for every script, and it bounds the list.
MAX_ACTIVE_TOKENS = 50
# A token's last use is written when the stored one is older than this: a script calling many
# times a second costs one write a minute, and the list is still accurate to the minute.
LAST_USE_RESOLUTION_SECONDS = 60


class PersonalAccessTokens:
    def __init__(
        self,
        *,
        tokens: PersonalAccessTokenRepository,
        users: UserDirectory,
        notices: AccountNotices,
        max_lifetime_days: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._tokens = tokens
        self._users = users
        self._notices = notices
        self.max_lifetime_days = max_lifetime_days
        self._clock = clock

    async def create(
        self, user_id: str, *, name: str, scopes: Iterable[Scope], lifetime_days: int
    ) -> IssuedPersonalAccessToken:
        """A new token; its secret is in the answer and nowhere else. Mails the owner."""
        if not 1 <= lifetime_days <= self.max_lifetime_days:
            raise InvalidTokenLifetime(f"A token lives from 1 to {self.max_lifetime_days} days.")
        now = int(self._clock())
        active = [t for t in await self._tokens.list_for_user(user_id) if t.is_active(now)]
        if len(active) >= MAX_ACTIVE_TOKENS:
            raise TooManyPersonalAccessTokens()
        secret = PERSONAL_ACCESS_TOKEN_PREFIX + new_secret()
        token = PersonalAccessToken(
            token_id=secrets.token_urlsafe(TOKEN_ID_BYTES),
            user_id=user_id,
            name=name,
            token_hash=hash_secret_token(secret),
            scopes=frozenset(scopes),
            created_at=now,
            expires_at=now + lifetime_days * DAY_SECONDS,
        )
        await self._tokens.add(token)
        record_security_event(SecurityEvent.PERSONAL_ACCESS_TOKEN_CREATED, user_id=user_id, token_id=token.token_id)
        self._notices.personal_access_token_created(token)
        return IssuedPersonalAccessToken(token, secret)

    async def list_tokens(self, user_id: str) -> list[PersonalAccessToken]:
        """The user's tokens not revoked (expired ones too, until the store forgets them), newest first."""
        tokens = [t for t in await self._tokens.list_for_user(user_id) if not t.revoked]
        return sorted(tokens, key=lambda t: (t.created_at, t.token_id), reverse=True)

    async def revoke(self, user_id: str, token_id: str) -> None:
        """Revokes one of the user's own tokens; anyone else's, or a revoked one, is not found.
        Services stop accepting it within their check cache's few seconds."""
        found = [t for t in await self._tokens.list_for_user(user_id) if t.token_id == token_id and not t.revoked]
        if not found:
            raise PersonalAccessTokenNotFound()
        await self._tokens.revoke(found[0])
        record_security_event(SecurityEvent.PERSONAL_ACCESS_TOKEN_REVOKED, user_id=user_id, token_id=token_id)

    async def check_personal_access_token(self, token: str) -> PersonalAccessTokenStatus | None:
        """The owner and scopes of a valid token, None for anything else (a token of an account
        an operator locked, or one being deleted, too); records its use."""
        if PERSONAL_ACCESS_TOKEN_PATTERN.fullmatch(token) is None:
            return None
        found = await self._tokens.find_by_hash(hash_secret_token(token))
        now = int(self._clock())
        if found is None or not found.is_active(now) or not await self._owner_may_act(found.user_id):
            return None
        if found.last_used_at is None or now - found.last_used_at >= LAST_USE_RESOLUTION_SECONDS:
            await self._tokens.record_use(found, now)
        return PersonalAccessTokenStatus(
            token_id=found.token_id, user_id=found.user_id, scopes=found.scopes, expires_at=found.expires_at
        )

    async def _owner_may_act(self, user_id: str) -> bool:
        # Locking revokes the sessions but not the tokens, so the lock is read here.
        try:
            return not (await self._users.get_user(user_id)).locked
        except NotFound:
            return False

    async def forget_user(self, user_id: str) -> None:
        await self._tokens.delete_all_for_user(user_id)
