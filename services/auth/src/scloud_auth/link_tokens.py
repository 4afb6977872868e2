"""The tokens of emailed links (verification, password reset): issued, stored as a hash, used once."""

import time
from collections.abc import Callable

from scloud_auth.domain import ExpiredLinkToken, InvalidLinkToken, LinkLifetimes, OneTimeToken, TokenPurpose
from scloud_auth.ports import OneTimeTokenStore
from scloud_auth.secret_token import hash_secret_token, new_secret

MAX_LINK_TOKEN_LENGTH = 128


def password_stamp(password_hash: str) -> str:
    """What a reset link remembers of the password it may replace. A new password (changed, reset,
    or rehashed at sign-in) has another hash, so every link issued before it stops working; the
    store keeps a digest, not the hash itself."""
    return hash_secret_token(password_hash)


class LinkTokens:
    def __init__(
        self, tokens: OneTimeTokenStore, *, lifetimes: LinkLifetimes, clock: Callable[[], float] = time.time
    ) -> None:
        self._tokens = tokens
        self.lifetimes = lifetimes
        self._clock = clock

    async def issue(self, purpose: TokenPurpose, user_id: str, *, password_stamp: str = "") -> str:
        token = new_secret()
        expires_at = int(self._clock()) + self.lifetimes.seconds(purpose)
        await self._tokens.add(OneTimeToken(purpose, hash_secret_token(token), user_id, expires_at, password_stamp))
        return token

    async def consume(self, purpose: TokenPurpose, token: str) -> OneTimeToken:
        """Spends the token; raises InvalidLinkToken (forged or used) or ExpiredLinkToken."""
        if not token or len(token) > MAX_LINK_TOKEN_LENGTH:
            raise InvalidLinkToken()
        stored = await self._tokens.consume(purpose, hash_secret_token(token))
        if stored is None:
            raise InvalidLinkToken()
        if stored.expires_at <= int(self._clock()):
            raise ExpiredLinkToken()
        return stored
