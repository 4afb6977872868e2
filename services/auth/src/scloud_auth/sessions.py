"""Sessions: starting one (after a sign-in or a registration), refreshing it, ending it, and the
user's list of them."""

import hmac
import secrets
import time
from collections.abc import Callable

from scloud_auth.domain import (
    InvalidRefreshToken,
    IssuedSession,
    Session,
    SessionLifetime,
    SessionNotFound,
    User,
    clean_user_agent,
)
from scloud_auth.ports import SessionRepository, UserDirectory
from scloud_auth.secret_token import hash_secret_token, join_refresh_token, new_secret, split_refresh_token
from scloud_auth.signing import AccessTokenSigner
from scloud_common.errors import NotFound
from scloud_common.event_metrics import RevocationReason, current_event_metrics
from scloud_common.security_events import SecurityEvent, record_security_event


class SessionIssuer:
    """Starts sessions and signs their access tokens."""

    def __init__(
        self,
        *,
        sessions: SessionRepository,
        signer: AccessTokenSigner,
        lifetime: SessionLifetime,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessions = sessions
        self._signer = signer
        self._lifetime = lifetime
        self._clock = clock

    async def start(self, user: User, user_agent: str | None) -> IssuedSession:
        now = int(self._clock())
        session_id = secrets.token_urlsafe(16)
        secret = new_secret()
        expires_at = self._lifetime.expires_at(created_at=now, now=now)
        await self._sessions.add(
            Session(
                session_id=session_id,
                user_id=user.user_id,
                token_hash=hash_secret_token(secret),
                expires_at=expires_at,
                created_at=now,
                user_agent=clean_user_agent(user_agent),
                last_used_at=now,
            )
        )
        access_token, access_expires_at = self._signer.sign(user_id=user.user_id, session_id=session_id, now=now)
        return IssuedSession(user, access_token, access_expires_at, join_refresh_token(session_id, secret), expires_at)

    async def rotate(self, session: Session, user: User) -> IssuedSession:
        """A new refresh secret for the session, if no other request rotated it first."""
        now = int(self._clock())
        new_secret_ = new_secret()
        expires_at = self._lifetime.expires_at(created_at=session.created_at, now=now)
        rotated = await self._sessions.rotate(
            session.session_id,
            expected_token_hash=session.token_hash,
            new_token_hash=hash_secret_token(new_secret_),
            expires_at=expires_at,
            rotated_at=now,
        )
        if not rotated:
            # Another request rotated this token a moment ago: the benign two-tabs race.
            raise InvalidRefreshToken()
        access_token, access_expires_at = self._signer.sign(
            user_id=user.user_id, session_id=session.session_id, now=now
        )
        refresh_token = join_refresh_token(session.session_id, new_secret_)
        return IssuedSession(user, access_token, access_expires_at, refresh_token, expires_at)


class Sessions:
    """Refresh, sign out (here, one session, everywhere), and the list of a user's sessions."""

    def __init__(
        self,
        *,
        sessions: SessionRepository,
        users: UserDirectory,
        issuer: SessionIssuer,
        reuse_grace_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessions = sessions
        self._users = users
        self._issuer = issuer
        self._reuse_grace_seconds = reuse_grace_seconds
        self._clock = clock
        self._events = current_event_metrics()

    async def refresh(self, refresh_token: str) -> IssuedSession:
        session_id, secret = split_refresh_token(refresh_token)
        session = await self._sessions.get(session_id)
        now = int(self._clock())
        if session is None or session.revoked or session.expires_at <= now:
            raise InvalidRefreshToken()
        presented_hash = hash_secret_token(secret)
        if not hmac.compare_digest(presented_hash, session.token_hash):
            self._handle_stale_token(session, presented_hash, now)
            await self._sessions.revoke(session_id)
            self._record(RevocationReason.REFRESH_REUSE)
            raise InvalidRefreshToken()
        try:
            user = await self._users.get_user(session.user_id)
        except NotFound:
            await self._sessions.revoke(session_id)
            self._record(RevocationReason.ACCOUNT_GONE)
            raise InvalidRefreshToken() from None
        if user.locked:
            # Locking revokes the sessions; this closes the race with a refresh already under way.
            await self._sessions.revoke(session_id)
            raise InvalidRefreshToken()
        return await self._issuer.rotate(session, user)

    def _handle_stale_token(self, session: Session, presented_hash: str, now: int) -> None:
        """A token of this session that is no longer current was presented. Right after a rotation
        that is two tabs refreshing at once, and the session survives; otherwise it is a replay
        of a stolen token and the caller revokes the session."""
        if self._is_just_rotated(session, presented_hash, now):
            raise InvalidRefreshToken()
        record_security_event(SecurityEvent.REFRESH_TOKEN_REUSED, user_id=session.user_id, session_revoked=True)

    def _is_just_rotated(self, session: Session, presented_hash: str, now: int) -> bool:
        return (
            session.previous_token_hash is not None
            and hmac.compare_digest(presented_hash, session.previous_token_hash)
            and session.rotated_at is not None
            and now - session.rotated_at < self._reuse_grace_seconds
        )

    async def logout(self, *, refresh_token: str | None, session_id: str | None, user_id: str | None = None) -> None:
        """Ends the session of the refresh cookie when the cookie's secret is that session's (its
        current one, or the previous one within the reuse grace), else the access token's
        session, if any: a forged cookie naming someone else's session ends nothing. Idempotent."""
        target = await self._session_of_cookie(refresh_token) if refresh_token else None
        target = target or session_id
        if target:
            await self._sessions.revoke(target)
            self._record(RevocationReason.SIGN_OUT)
            record_security_event(SecurityEvent.SIGNED_OUT, user_id=user_id)

    async def _session_of_cookie(self, refresh_token: str) -> str | None:
        try:
            session_id, secret = split_refresh_token(refresh_token)
        except InvalidRefreshToken:
            return None
        session = await self._sessions.get(session_id)
        if session is None:
            return None
        presented_hash = hash_secret_token(secret)
        if hmac.compare_digest(presented_hash, session.token_hash):
            return session_id
        return session_id if self._is_just_rotated(session, presented_hash, int(self._clock())) else None

    async def revoke_user_sessions(
        self, user_id: str, *, reason: RevocationReason = RevocationReason.ALL_SESSIONS
    ) -> int:
        """Ends every session of the user, this one included (sign out everywhere, or another
        service's request, which `reason` says)."""
        revoked = await self._sessions.revoke_all_for_user(user_id)
        self._record(reason)
        record_security_event(SecurityEvent.ALL_SESSIONS_REVOKED, user_id=user_id, revoked_sessions=revoked)
        return revoked

    async def is_session_active(self, session_id: str, user_id: str) -> bool:
        session = await self._sessions.get(session_id)
        return session is not None and session.user_id == user_id and session.is_active(int(self._clock()))

    async def list_sessions(self, user_id: str) -> list[Session]:
        """The user's active sessions, newest first."""
        now = int(self._clock())
        sessions = [s for s in await self._sessions.list_for_user(user_id) if s.is_active(now)]
        return sorted(sessions, key=lambda s: (s.created_at, s.session_id), reverse=True)

    async def revoke_session(self, user_id: str, session_id: str) -> None:
        """Ends one of the user's own sessions; anyone else's, or an ended one, is not found."""
        if not await self.is_session_active(session_id, user_id):
            raise SessionNotFound()
        await self._sessions.revoke(session_id)
        self._record(RevocationReason.SESSION_ENDED)
        record_security_event(SecurityEvent.SESSION_REVOKED, user_id=user_id)

    def _record(self, reason: RevocationReason) -> None:
        if self._events is not None:
            self._events.sessions_revoked(reason)
