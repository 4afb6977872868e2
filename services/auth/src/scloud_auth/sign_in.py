"""Signing in: the password, then (for accounts that have it) the second factor, each under the
account's lock."""

import logging
import time
from collections.abc import Callable
from typing import NoReturn

from scloud_auth.domain import (
    AccountLocked,
    Credentials,
    InvalidCredentials,
    InvalidTwoFactorCode,
    IssuedChallenge,
    IssuedSession,
    SignInChallenge,
    SignInChallengeExpired,
    clean_user_agent,
)
from scloud_auth.notices import AccountNotices
from scloud_auth.ports import PasswordHasher, SignInChallengeStore, TwoFactorRepository, UserDirectory
from scloud_auth.secret_token import hash_secret_token, new_secret
from scloud_auth.sessions import SessionIssuer
from scloud_auth.throttle import AccountThrottle
from scloud_auth.two_factor import SecondFactor
from scloud_common.email_address import InvalidEmail, normalize_email
from scloud_common.errors import AppError, NotFound
from scloud_common.security_events import SecurityEvent, record_security_event

logger = logging.getLogger(__name__)

# Time to type the code from the authenticator app after the password was accepted.
SIGN_IN_CHALLENGE_SECONDS = 5 * 60


class SignIn:
    def __init__(
        self,
        *,
        users: UserDirectory,
        hasher: PasswordHasher,
        throttle: AccountThrottle,
        two_factor: TwoFactorRepository,
        second_factor: SecondFactor,
        challenges: SignInChallengeStore,
        issuer: SessionIssuer,
        notices: AccountNotices,
        dummy_password_hash: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._throttle = throttle
        self._two_factor = two_factor
        self._second_factor = second_factor
        self._challenges = challenges
        self._issuer = issuer
        self._notices = notices
        self._dummy_password_hash = dummy_password_hash
        self._clock = clock

    async def login(
        self, *, email: str, password: str, user_agent: str | None = None
    ) -> IssuedSession | IssuedChallenge:
        """A session, or, when the account has two-factor sign-in, a challenge to answer with a
        code (complete_two_factor_sign_in)."""
        try:
            email = normalize_email(email)
        except InvalidEmail:
            email = ""
        if not email:
            # Not an address: no account to lock, and nothing to find.
            await self._hasher.verify(password, self._dummy_password_hash)
            self._refuse_sign_in(None)
        credentials = await self._check_password(email, password)
        # Only after the right password, so a lock tells a guesser nothing about the account.
        self._refuse_if_locked(credentials)
        if self._hasher.needs_rehash(credentials.password_hash):
            await self._upgrade_password_hash(credentials.user.user_id, password)
        two_factor = await self._two_factor.get(credentials.user.user_id)
        if two_factor is not None and two_factor.enabled:
            return await self._start_challenge(credentials.user.user_id, user_agent)
        issued = await self._issuer.start(credentials.user, user_agent)
        record_security_event(SecurityEvent.SIGN_IN_SUCCEEDED, user_id=credentials.user.user_id)
        self._notices.new_device(credentials.user, issued, clean_user_agent(user_agent))
        return issued

    async def _check_password(self, email: str, password: str) -> Credentials:
        async with self._throttle.attempt(email) as ticket:
            credentials = await self._users.find_credentials_by_email(email)
            # Unknown emails still pay for one bcrypt check, and count like real ones, so neither
            # timing nor the lock reveals which emails exist.
            password_hash = credentials.password_hash if credentials else self._dummy_password_hash
            password_ok = await self._hasher.verify(password, password_hash)
            user_id = credentials.user.user_id if credentials else None
            await self._throttle.settle(ticket, succeeded=credentials is not None and password_ok, user_id=user_id)
        if credentials is None or not password_ok:
            self._refuse_sign_in(user_id)
        return credentials

    @staticmethod
    def _refuse_if_locked(credentials: Credentials) -> None:
        if credentials.user.locked:
            record_security_event(SecurityEvent.SIGN_IN_FAILED, user_id=credentials.user.user_id, account_locked=True)
            raise AccountLocked()

    @staticmethod
    def _refuse_sign_in(user_id: str | None) -> NoReturn:
        record_security_event(SecurityEvent.SIGN_IN_FAILED, user_id=user_id, known_account=user_id is not None)
        raise InvalidCredentials()

    async def _start_challenge(self, user_id: str, user_agent: str | None) -> IssuedChallenge:
        token = new_secret()
        expires_at = int(self._clock()) + SIGN_IN_CHALLENGE_SECONDS
        await self._challenges.add(
            SignInChallenge(
                token_hash=hash_secret_token(token),
                user_id=user_id,
                user_agent=clean_user_agent(user_agent),
                expires_at=expires_at,
            )
        )
        return IssuedChallenge(token, expires_at)

    async def complete_two_factor_sign_in(self, *, challenge: str, code: str) -> IssuedSession:
        """Finishes a sign-in with a code from the authenticator app or a recovery code. Wrong
        codes count towards the account's lock, like wrong passwords."""
        token_hash = hash_secret_token(challenge)
        pending = await self._challenges.get(token_hash)
        if pending is None or pending.expires_at <= int(self._clock()):
            raise SignInChallengeExpired()
        try:
            credentials = await self._users.get_credentials(pending.user_id)
        except NotFound:
            raise SignInChallengeExpired() from None
        async with self._throttle.attempt(credentials.user.email) as ticket:
            code_ok = await self._second_factor.use(await self._two_factor.get(pending.user_id), code)
            await self._throttle.settle(ticket, succeeded=code_ok, user_id=pending.user_id)
        if not code_ok:
            record_security_event(SecurityEvent.SIGN_IN_FAILED, user_id=pending.user_id, second_factor=True)
            raise InvalidTwoFactorCode()
        await self._challenges.delete(token_hash)
        self._refuse_if_locked(credentials)
        issued = await self._issuer.start(credentials.user, pending.user_agent)
        record_security_event(SecurityEvent.SIGN_IN_SUCCEEDED, user_id=pending.user_id, second_factor=True)
        self._notices.new_device(credentials.user, issued, pending.user_agent)
        return issued

    async def _upgrade_password_hash(self, user_id: str, password: str) -> None:
        """Rewrites a hash of an older scheme or cost while the password is at hand. The sign-in
        does not depend on it: the next one tries again."""
        try:
            await self._users.update_password_hash(user_id, await self._hasher.hash(password))
        except AppError as error:
            logger.warning("password hash upgrade postponed", extra={"user_id": user_id, "error": error.code})
