"""Access-token verification, done locally by every service with auth's published public keys."""

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Protocol

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from scloud_common.errors import Unauthenticated

logger = logging.getLogger(__name__)

ACCESS_TOKEN_ALGORITHM = "EdDSA"
# Tolerated difference between the clocks of the signing and the verifying hosts.
CLOCK_SKEW_SECONDS = 10


@dataclass(frozen=True)
class PublicKeyInfo:
    key_id: str
    algorithm: str
    public_key_pem: str


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str
    expires_at: int


class PublicKeySource(Protocol):
    async def fetch_public_keys(self) -> list[PublicKeyInfo]: ...


class InvalidAccessToken(Unauthenticated):
    code = "invalid_token"
    message = "Your session has expired or is not valid. Sign in again."


class AccessTokenVerifier:
    """Verifies access tokens against cached public keys, refreshing the cache when a token
    names a key id it has not seen (key rotation), at most once per `min_refresh_seconds`."""

    def __init__(self, key_source: PublicKeySource, *, issuer: str, audience: str, min_refresh_seconds: float = 5.0):
        self._key_source = key_source
        self._issuer = issuer
        self._audience = audience
        self._min_refresh_seconds = min_refresh_seconds
        self._keys: dict[str, object] = {}
        self._last_refresh = float("-inf")
        self._refresh_lock = asyncio.Lock()

    async def verify(self, token: str) -> AccessClaims:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidAccessToken() from exc
        key_id = header.get("kid")
        if header.get("alg") != ACCESS_TOKEN_ALGORITHM or not isinstance(key_id, str):
            raise InvalidAccessToken()
        key = await self._key_for(key_id)
        if key is None:
            raise InvalidAccessToken()
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ACCESS_TOKEN_ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "sub", "sid", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidAccessToken() from exc
        return AccessClaims(user_id=claims["sub"], session_id=claims["sid"], expires_at=claims["exp"])

    async def _key_for(self, key_id: str):
        if key_id not in self._keys:
            await self._refresh_keys()
        return self._keys.get(key_id)

    async def _refresh_keys(self) -> None:
        async with self._refresh_lock:
            if time.monotonic() - self._last_refresh < self._min_refresh_seconds:
                return
            keys = await self._key_source.fetch_public_keys()
            self._last_refresh = time.monotonic()
            self._keys = {
                key.key_id: load_pem_public_key(key.public_key_pem.encode())
                for key in keys
                if key.algorithm == ACCESS_TOKEN_ALGORITHM
            }
            logger.info("public keys refreshed", extra={"key_ids": sorted(self._keys)})
