"""Access-token verification, done locally by every service with auth's published public keys,
plus a check with auth that the token's session is still active (cached for a couple of seconds).

Personal access tokens (`scloud_pat_...`) are opaque: auth alone can tell whether one is valid, so
each is checked with auth, and the answer cached for the same couple of seconds."""

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar, cast

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt.algorithms import AllowedPublicKeys

from scloud_common.errors import ServiceUnavailable, Unauthenticated
from scloud_common.event_metrics import SessionCheck, SessionCheckSource, current_event_metrics
from scloud_common.scopes import ALL_SCOPES, MissingScope, Scope, is_personal_access_token

logger = logging.getLogger(__name__)

Key = TypeVar("Key")
Answer = TypeVar("Answer")

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
    # Empty for a personal access token, which belongs to no session.
    session_id: str
    expires_at: int
    scopes: frozenset[Scope] = ALL_SCOPES
    # Set for a personal access token: its public id.
    personal_access_token_id: str | None = None

    @property
    def is_personal_access_token(self) -> bool:
        return self.personal_access_token_id is not None

    def require(self, scope: Scope) -> None:
        """Raises 403 `insufficient_scope` unless the token may act within `scope`."""
        if scope not in self.scopes:
            raise MissingScope(scope)


@dataclass(frozen=True)
class PersonalAccessTokenStatus:
    """Auth's answer for a valid (not revoked, not expired) personal access token."""

    token_id: str
    user_id: str
    scopes: frozenset[Scope]
    expires_at: int


class PublicKeySource(Protocol):
    async def fetch_public_keys(self) -> list[PublicKeyInfo]: ...


class SessionStatusSource(Protocol):
    """Auth's answer to "is this session still active for this user?" (revoked, expired or
    unknown sessions are not)."""

    async def is_session_active(self, session_id: str, user_id: str) -> bool: ...


class PersonalAccessTokenSource(Protocol):
    """Auth's answer to "which valid personal access token is this?"; None when it is unknown,
    revoked or expired. Asking records the token's use."""

    async def check_personal_access_token(self, token: str) -> PersonalAccessTokenStatus | None: ...


class InvalidAccessToken(Unauthenticated):
    code = "invalid_token"
    message = "Your session has expired or is not valid. Sign in again."


class TimedAnswerCache(Generic[Key, Answer]):
    """Remembers auth's answers per key for `ttl_seconds`, so what auth revokes is refused at most
    `ttl_seconds` plus one call after its revocation. Bounded in size: when full, the oldest
    answers go first."""

    def __init__(
        self, *, ttl_seconds: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl_seconds = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._answers: dict[Key, tuple[Answer, float]] = {}

    def get(self, key: Key) -> Answer | None:
        entry = self._answers.get(key)
        if entry is None:
            return None
        answer, expires_at = entry
        if self._clock() >= expires_at:
            del self._answers[key]
            return None
        return answer

    def put(self, key: Key, answer: Answer) -> None:
        self._answers.pop(key, None)
        while len(self._answers) >= self._max_entries:
            del self._answers[next(iter(self._answers))]
        self._answers[key] = (answer, self._clock() + self._ttl_seconds)


class SessionStatusCache(TimedAnswerCache[tuple[str, str], bool]):
    """Whether each (session, user) is active."""


@dataclass(frozen=True)
class PersonalAccessTokenAnswer:
    # None: auth refused the token (unknown, revoked or expired).
    status: PersonalAccessTokenStatus | None


class PersonalAccessTokenCache(TimedAnswerCache[str, PersonalAccessTokenAnswer]):
    """Auth's answer for each personal access token, keyed by the token's SHA-256 (`key`), so the
    secrets themselves are not kept."""

    @staticmethod
    def key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class VerifiedTokenCache:
    """Claims of tokens whose signature was checked, by the whole token (signature included, so
    only those exact bytes hit), until the token expires. Checking an Ed25519 signature is the
    costliest step of a small request, and a browser sends the same token for its whole life.
    Bounded in size: when full, the oldest entries go first."""

    def __init__(self, *, max_entries: int = 10_000, wall_clock: Callable[[], float] = time.time) -> None:
        self._max_entries = max_entries
        self._wall_clock = wall_clock
        self._claims: dict[str, AccessClaims] = {}

    def get(self, token: str) -> AccessClaims | None:
        claims = self._claims.get(token)
        if claims is None:
            return None
        if self._wall_clock() >= claims.expires_at + CLOCK_SKEW_SECONDS:
            # Expired: the full check runs again and gives the same refusal as for a new token.
            del self._claims[token]
            return None
        return claims

    def put(self, token: str, claims: AccessClaims) -> None:
        while len(self._claims) >= self._max_entries:
            del self._claims[next(iter(self._claims))]
        self._claims[token] = claims

    def clear(self) -> None:
        self._claims.clear()


class AccessTokenVerifier:
    """Verifies access tokens against cached public keys, refreshing the cache when a token
    names a key id it has not seen (key rotation), at most once per `min_refresh_seconds`.

    A token whose signature and claims hold is still refused unless auth says its session is
    active. Those answers are cached for `session_cache_seconds`; when auth cannot answer and no
    fresh answer is cached, the request fails with 503 rather than trusting the token. A personal
    access token is recognised by its prefix and checked with `personal_token_source` alone, its
    answers cached for the same `session_cache_seconds`; without that source (a test that has no
    use for them) every personal access token is refused."""

    def __init__(
        self,
        key_source: PublicKeySource,
        *,
        session_source: SessionStatusSource,
        issuer: str,
        audience: str,
        min_refresh_seconds: float = 5.0,
        session_cache_seconds: float = 2.0,
        verified_tokens: VerifiedTokenCache | None = None,
        personal_token_source: PersonalAccessTokenSource | None = None,
    ):
        self._key_source = key_source
        self._session_source = session_source
        self._issuer = issuer
        self._audience = audience
        self._min_refresh_seconds = min_refresh_seconds
        self._keys: dict[str, AllowedPublicKeys] = {}
        self._last_refresh = float("-inf")
        self._refresh_lock = asyncio.Lock()
        self._sessions = SessionStatusCache(ttl_seconds=session_cache_seconds)
        self._personal_token_source = personal_token_source
        self._personal_tokens = PersonalAccessTokenCache(ttl_seconds=session_cache_seconds)
        self._verified = verified_tokens or VerifiedTokenCache()
        # The metrics of the service whose bootstrap builds this verifier (None outside one).
        self._events = current_event_metrics()

    async def verify(self, token: str) -> AccessClaims:
        """The token's claims, if it is valid and its session active (possibly a cached answer).
        A personal access token's claims carry its scopes and id."""
        if is_personal_access_token(token):
            return await self._verify_personal_access_token(token)
        claims = await self.verify_signature(token)
        key = (claims.session_id, claims.user_id)
        active = self._sessions.get(key)
        source = SessionCheckSource.CACHE
        if active is None:
            source = SessionCheckSource.AUTH
            active = await self._ask_session_status(claims)
        self._record(SessionCheck.ACTIVE if active else SessionCheck.INACTIVE, source)
        if not active:
            raise InvalidAccessToken()
        return claims

    async def _verify_personal_access_token(self, token: str) -> AccessClaims:
        key = PersonalAccessTokenCache.key(token)
        answer = self._personal_tokens.get(key)
        source = SessionCheckSource.CACHE
        if answer is None:
            source = SessionCheckSource.AUTH
            answer = PersonalAccessTokenAnswer(await self._ask_personal_token_status(token))
            self._personal_tokens.put(key, answer)
        status = answer.status
        # Expiry is checked here too: a cached answer must not outlive the token.
        if status is None or status.expires_at <= time.time():
            self._record(SessionCheck.INACTIVE, source)
            raise InvalidAccessToken()
        self._record(SessionCheck.ACTIVE, source)
        return AccessClaims(
            user_id=status.user_id,
            session_id="",
            expires_at=status.expires_at,
            scopes=status.scopes,
            personal_access_token_id=status.token_id,
        )

    async def _ask_personal_token_status(self, token: str) -> PersonalAccessTokenStatus | None:
        if self._personal_token_source is None:
            return None
        return await self._ask_auth(self._personal_token_source.check_personal_access_token(token), "token")

    async def _ask_session_status(self, claims: AccessClaims) -> bool:
        active = await self._ask_auth(
            self._session_source.is_session_active(claims.session_id, claims.user_id), "session"
        )
        self._sessions.put((claims.session_id, claims.user_id), active)
        return active

    async def _ask_auth(self, question: Awaitable[Answer], what: str) -> Answer:
        """Auth's answer about a session or a personal access token. Whatever went wrong (timeout,
        refused call), an unanswered check never lets a token through: 503."""
        try:
            return await question
        except ServiceUnavailable:
            self._record(SessionCheck.AUTH_UNREACHABLE, SessionCheckSource.AUTH)
            raise
        except Exception as exc:
            logger.warning(f"{what} check failed", extra={"error": repr(exc)})
            self._record(SessionCheck.AUTH_UNREACHABLE, SessionCheckSource.AUTH)
            raise ServiceUnavailable() from exc

    def _record(self, outcome: SessionCheck, source: SessionCheckSource) -> None:
        if self._events is not None:
            self._events.session_checked(outcome, source)

    async def verify_signature(self, token: str) -> AccessClaims:
        """Checks signature and claims only, without asking whether the session still lives."""
        cached = self._verified.get(token)
        if cached is not None:
            return cached
        claims = await self._decode(token)
        self._verified.put(token, claims)
        return claims

    async def _decode(self, token: str) -> AccessClaims:
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

    async def load_keys(self) -> None:
        """Fetches the public keys now, before any token comes (a starting process's warm-up), so
        the first signed-in request asks auth only about its session, within its deadline."""
        await self._refresh_keys()

    async def _key_for(self, key_id: str) -> AllowedPublicKeys | None:
        if key_id not in self._keys:
            await self._refresh_keys()
        return self._keys.get(key_id)

    async def _refresh_keys(self) -> None:
        async with self._refresh_lock:
            if time.monotonic() - self._last_refresh < self._min_refresh_seconds:
                return
            keys = await self._key_source.fetch_public_keys()
            self._last_refresh = time.monotonic()
            # A key auth stopped announcing (withdrawn) must not keep its tokens valid from the cache.
            self._verified.clear()
            self._keys = {
                # Only keys announced for our algorithm (EdDSA) are kept, and PyJWT takes those.
                key.key_id: cast(AllowedPublicKeys, load_pem_public_key(key.public_key_pem.encode()))
                for key in keys
                if key.algorithm == ACCESS_TOKEN_ALGORITHM
            }
            logger.info("public keys refreshed", extra={"key_ids": sorted(self._keys)})
