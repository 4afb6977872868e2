"""Auth use cases: register, log in, refresh, log out, change password, revoke sessions."""

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable

from scloud_auth.domain import (
    InvalidCredentials,
    InvalidEmail,
    InvalidRefreshToken,
    IssuedSession,
    NewUser,
    Session,
    User,
    check_password_strength,
    normalize_email,
)
from scloud_auth.ports import PasswordHasher, SessionRepository, UserDirectory
from scloud_auth.signing import AccessTokenSigner
from scloud_common.errors import NotFound
from scloud_common.tokens import PublicKeyInfo

logger = logging.getLogger(__name__)


def hash_refresh_secret(secret: str) -> str:
    # Refresh secrets are 256 random bits, so a plain SHA-256 is enough to make a leaked table useless.
    return hashlib.sha256(secret.encode()).hexdigest()


def split_refresh_token(token: str) -> tuple[str, str]:
    session_id, _, secret = token.partition(".")
    if not session_id or not secret or len(token) > 256:
        raise InvalidRefreshToken()
    return session_id, secret


class AuthService:
    def __init__(
        self,
        *,
        users: UserDirectory,
        sessions: SessionRepository,
        hasher: PasswordHasher,
        signer: AccessTokenSigner,
        refresh_ttl_seconds: int,
        reuse_grace_seconds: int,
        dummy_password_hash: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._hasher = hasher
        self._signer = signer
        self._refresh_ttl_seconds = refresh_ttl_seconds
        self._reuse_grace_seconds = reuse_grace_seconds
        self._dummy_password_hash = dummy_password_hash
        self._clock = clock

    def public_keys(self) -> list[PublicKeyInfo]:
        return self._signer.public_keys()

    async def register(
        self, *, email: str, username: str, password: str, gender: str | None, date_of_birth: str | None
    ) -> IssuedSession:
        email = normalize_email(email)
        check_password_strength(password)
        password_hash = await self._hasher.hash(password)
        user = await self._users.create_user(NewUser(email, username, gender, date_of_birth), password_hash)
        logger.info("user registered", extra={"user_id": user.user_id})
        return await self._start_session(user)

    async def login(self, *, email: str, password: str) -> IssuedSession:
        try:
            email = normalize_email(email)
        except InvalidEmail:
            email = ""
        credentials = await self._users.find_credentials_by_email(email) if email else None
        # Unknown emails still pay for one bcrypt check, so timing does not reveal which emails exist.
        password_hash = credentials.password_hash if credentials else self._dummy_password_hash
        password_ok = await self._hasher.verify(password, password_hash)
        if credentials is None or not password_ok:
            raise InvalidCredentials()
        return await self._start_session(credentials.user)

    async def refresh(self, refresh_token: str) -> IssuedSession:
        session_id, secret = split_refresh_token(refresh_token)
        session = await self._sessions.get(session_id)
        now = int(self._clock())
        if session is None or session.revoked or session.expires_at <= now:
            raise InvalidRefreshToken()
        presented_hash = hash_refresh_secret(secret)
        if not hmac.compare_digest(presented_hash, session.token_hash):
            self._handle_stale_token(session, presented_hash, now)
            await self._sessions.revoke(session_id)
            raise InvalidRefreshToken()
        try:
            user = await self._users.get_user(session.user_id)
        except NotFound:
            await self._sessions.revoke(session_id)
            raise InvalidRefreshToken() from None
        new_secret = secrets.token_urlsafe(32)
        expires_at = now + self._refresh_ttl_seconds
        rotated = await self._sessions.rotate(
            session_id,
            expected_token_hash=session.token_hash,
            new_token_hash=hash_refresh_secret(new_secret),
            expires_at=expires_at,
            rotated_at=now,
        )
        if not rotated:
            # Another request rotated this token a moment ago: the benign two-tabs race.
            raise InvalidRefreshToken()
        access_token, access_expires_at = self._signer.sign(user_id=user.user_id, session_id=session_id, now=now)
        return IssuedSession(user, access_token, access_expires_at, f"{session_id}.{new_secret}", expires_at)

    def _handle_stale_token(self, session: Session, presented_hash: str, now: int) -> None:
        """A token of this session that is no longer current was presented. Right after a rotation
        that is two tabs refreshing at once, and the session survives; otherwise it is a replay
        of a stolen token and the caller revokes the session."""
        just_rotated = (
            session.previous_token_hash is not None
            and hmac.compare_digest(presented_hash, session.previous_token_hash)
            and session.rotated_at is not None
            and now - session.rotated_at < self._reuse_grace_seconds
        )
        if just_rotated:
            raise InvalidRefreshToken()
        logger.warning("refresh token reuse; revoking session", extra={"session_id": session.session_id})

    async def logout(self, *, refresh_token: str | None, session_id: str | None) -> None:
        """Ends the session named by the refresh cookie or the access token. Idempotent."""
        if refresh_token:
            try:
                session_id, _ = split_refresh_token(refresh_token)
            except InvalidRefreshToken:
                pass
        if session_id:
            await self._sessions.revoke(session_id)

    async def change_password(self, *, user_id: str, session_id: str, current_password: str, new_password: str) -> None:
        credentials = await self._users.get_credentials(user_id)
        if not await self._hasher.verify(current_password, credentials.password_hash):
            raise InvalidCredentials("Your current password is incorrect.")
        check_password_strength(new_password)
        await self._users.update_password_hash(user_id, await self._hasher.hash(new_password))
        revoked = await self._sessions.revoke_all_for_user(user_id, except_session_id=session_id)
        logger.info("password changed", extra={"user_id": user_id, "revoked_sessions": revoked})

    async def revoke_user_sessions(self, user_id: str) -> int:
        return await self._sessions.revoke_all_for_user(user_id)

    async def _start_session(self, user: User) -> IssuedSession:
        now = int(self._clock())
        session_id = secrets.token_urlsafe(16)
        secret = secrets.token_urlsafe(32)
        expires_at = now + self._refresh_ttl_seconds
        await self._sessions.add(
            Session(
                session_id=session_id,
                user_id=user.user_id,
                token_hash=hash_refresh_secret(secret),
                expires_at=expires_at,
                created_at=now,
            )
        )
        access_token, access_expires_at = self._signer.sign(user_id=user.user_id, session_id=session_id, now=now)
        return IssuedSession(user, access_token, access_expires_at, f"{session_id}.{secret}", expires_at)
