"""Auth use cases: register, log in, refresh, log out, change password, list and revoke sessions,
verify an email address, reset a forgotten password, and the emails that go with them."""

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable

from scloud_auth import account_mail, totp
from scloud_auth.domain import (
    RESEND_VERIFICATION_LIMIT,
    RESET_MAILS_PER_ACCOUNT,
    RESET_REQUESTS_PER_ADDRESS,
    Credentials,
    EmailAlreadyVerified,
    ExpiredLinkToken,
    FailedAttempts,
    InvalidCredentials,
    InvalidEmail,
    InvalidLinkToken,
    InvalidRefreshToken,
    InvalidTwoFactorCode,
    IssuedChallenge,
    IssuedSession,
    LinkLifetimes,
    NewUser,
    OneTimeToken,
    PasswordPolicy,
    SendLimit,
    Session,
    SessionLifetime,
    SessionNotFound,
    SignInChallenge,
    SignInChallengeExpired,
    ThrottlePolicy,
    TokenPurpose,
    TooManyAttempts,
    TooManyEmails,
    TooManyResetRequests,
    TwoFactor,
    TwoFactorAlreadyEnabled,
    TwoFactorNotEnabled,
    TwoFactorSetup,
    TwoFactorSetupMissing,
    TwoFactorStatus,
    User,
    clean_user_agent,
    normalize_email,
)
from scloud_auth.ports import (
    AttemptStore,
    OneTimeTokenStore,
    Outbox,
    PasswordHasher,
    SessionRepository,
    SignInChallengeStore,
    TwoFactorRepository,
    UserDirectory,
)
from scloud_auth.signing import AccessTokenSigner
from scloud_common.errors import AppError, NotFound, Unauthenticated
from scloud_common.mail import MailLayout, MailMessage
from scloud_common.security_events import SecurityEvent, record_security_event
from scloud_common.tokens import PublicKeyInfo

logger = logging.getLogger(__name__)


# Time to type the code from the authenticator app after the password was accepted.
SIGN_IN_CHALLENGE_SECONDS = 5 * 60


def hash_secret_token(secret: str) -> str:
    # Refresh secrets, sign-in challenges and link tokens are all 256 random bits, so a plain
    # SHA-256 is enough to make a leaked table useless; the stores hold only this hash.
    return hashlib.sha256(secret.encode()).hexdigest()


def attempts_key(email: str) -> str:
    """Failed password checks are counted per mailbox, whichever route made them."""
    return f"email#{email}"


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
        attempts: AttemptStore,
        hasher: PasswordHasher,
        signer: AccessTokenSigner,
        two_factor: TwoFactorRepository,
        challenges: SignInChallengeStore,
        session_lifetime: SessionLifetime,
        password_policy: PasswordPolicy,
        reuse_grace_seconds: int,
        dummy_password_hash: str,
        tokens: OneTimeTokenStore,
        outbox: Outbox,
        mail_layout: MailLayout,
        link_lifetimes: LinkLifetimes = LinkLifetimes(),
        throttle: ThrottlePolicy = ThrottlePolicy(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._attempts = attempts
        self._throttle = throttle
        self._hasher = hasher
        self._signer = signer
        self._two_factor = two_factor
        self._challenges = challenges
        self._session_lifetime = session_lifetime
        self._password_policy = password_policy
        self._reuse_grace_seconds = reuse_grace_seconds
        self._dummy_password_hash = dummy_password_hash
        self._tokens = tokens
        self._outbox = outbox
        self._mail_layout = mail_layout
        self._link_lifetimes = link_lifetimes
        self._clock = clock

    def public_keys(self) -> list[PublicKeyInfo]:
        return self._signer.public_keys()

    async def register(
        self,
        *,
        email: str,
        username: str,
        password: str,
        gender: str | None,
        date_of_birth: str | None,
        user_agent: str | None = None,
    ) -> IssuedSession:
        email = normalize_email(email)
        self._password_policy.check(password)
        password_hash = await self._hasher.hash(password)
        user = await self._users.create_user(NewUser(email, username, gender, date_of_birth), password_hash)
        record_security_event(SecurityEvent.ACCOUNT_CREATED, user_id=user.user_id)
        self._post_verification_mail(user)
        return await self._start_session(user, user_agent)

    async def login(
        self, *, email: str, password: str, user_agent: str | None = None
    ) -> IssuedSession | IssuedChallenge:
        """A session, or, when the account has two-factor sign-in, a challenge to answer with a
        code (complete_two_factor_sign_in)."""
        try:
            email = normalize_email(email)
        except InvalidEmail:
            email = ""
        earlier_failures = await self._refuse_if_throttled(email) if email else None
        credentials = await self._users.find_credentials_by_email(email) if email else None
        # Unknown emails still pay for one bcrypt check, and count failures like real ones, so
        # neither timing nor throttling reveals which emails exist.
        password_hash = credentials.password_hash if credentials else self._dummy_password_hash
        password_ok = await self._hasher.verify(password, password_hash)
        user_id = credentials.user.user_id if credentials else None
        try:
            if email:
                await self._settle_attempt(email, user_id, earlier_failures, credentials is not None and password_ok)
            if credentials is None or not password_ok:
                raise InvalidCredentials()
        except InvalidCredentials:
            record_security_event(SecurityEvent.SIGN_IN_FAILED, user_id=user_id, known_account=user_id is not None)
            raise
        if self._hasher.needs_rehash(credentials.password_hash):
            await self._upgrade_password_hash(credentials.user.user_id, password)
        two_factor = await self._two_factor.get(credentials.user.user_id)
        if two_factor is not None and two_factor.enabled:
            return await self._start_challenge(credentials.user.user_id, user_agent)
        issued = await self._start_session(credentials.user, user_agent)
        record_security_event(SecurityEvent.SIGN_IN_SUCCEEDED, user_id=user_id)
        self._post_new_device_mail(credentials.user, issued, clean_user_agent(user_agent))
        return issued

    async def _start_challenge(self, user_id: str, user_agent: str | None) -> IssuedChallenge:
        token = secrets.token_urlsafe(32)
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
        codes count towards the account's throttle, like wrong passwords."""
        token_hash = hash_secret_token(challenge)
        pending = await self._challenges.get(token_hash)
        if pending is None or pending.expires_at <= int(self._clock()):
            raise SignInChallengeExpired()
        try:
            credentials = await self._users.get_credentials(pending.user_id)
        except NotFound:
            raise SignInChallengeExpired() from None
        email = credentials.user.email
        earlier_failures = await self._refuse_if_throttled(email)
        code_ok = await self._use_second_factor(await self._two_factor.get(pending.user_id), code)
        try:
            await self._settle_attempt(
                email, pending.user_id, earlier_failures, code_ok, failure=InvalidTwoFactorCode()
            )
        except InvalidTwoFactorCode:
            record_security_event(SecurityEvent.SIGN_IN_FAILED, user_id=pending.user_id, second_factor=True)
            raise
        await self._challenges.delete(token_hash)
        issued = await self._start_session(credentials.user, pending.user_agent)
        record_security_event(SecurityEvent.SIGN_IN_SUCCEEDED, user_id=pending.user_id, second_factor=True)
        self._post_new_device_mail(credentials.user, issued, pending.user_agent)
        return issued

    async def _use_second_factor(self, two_factor: TwoFactor | None, code: str) -> bool:
        """Checks and spends a TOTP code (each at most once) or a recovery code (once)."""
        if two_factor is None or two_factor.secret is None:
            return False
        user_id = two_factor.user_id
        if totp.is_totp_code(code):
            step = totp.matching_step(two_factor.secret, code, self._clock())
            return step is not None and await self._two_factor.use_step(user_id, step)
        code_hash = totp.hash_recovery_code(code, two_factor.recovery_salt)
        used = await self._two_factor.use_recovery_code(user_id, code_hash)
        if used:
            record_security_event(SecurityEvent.RECOVERY_CODE_USED, user_id=user_id)
        return used

    async def two_factor_status(self, user_id: str) -> TwoFactorStatus:
        two_factor = await self._two_factor.get(user_id)
        if two_factor is None or not two_factor.enabled:
            return TwoFactorStatus(enabled=False, recovery_codes_left=0)
        return TwoFactorStatus(enabled=True, recovery_codes_left=len(two_factor.recovery_code_hashes))

    async def begin_two_factor_setup(self, user_id: str) -> TwoFactorSetup:
        """A new secret, kept pending until a code from it confirms the app has it."""
        current = await self._two_factor.get(user_id)
        if current is not None and current.enabled:
            raise TwoFactorAlreadyEnabled()
        user = await self._users.get_user(user_id)
        secret = totp.new_secret()
        await self._two_factor.save(TwoFactor(user_id=user_id, pending_secret=secret))
        uri = totp.provisioning_uri(secret, user.email)
        return TwoFactorSetup(secret=secret, provisioning_uri=uri, qr_code=totp.qr_code_data_uri(uri))

    async def confirm_two_factor(self, user_id: str, code: str) -> list[str]:
        """Turns two-factor on; answers the recovery codes, shown this once (only hashes are kept)."""
        current = await self._two_factor.get(user_id)
        if current is not None and current.enabled:
            raise TwoFactorAlreadyEnabled()
        if current is None or current.pending_secret is None:
            raise TwoFactorSetupMissing()
        step = totp.matching_step(current.pending_secret, code, self._clock())
        if step is None:
            raise InvalidTwoFactorCode()
        recovery_codes = totp.new_recovery_codes()
        salt = totp.new_recovery_salt()
        await self._two_factor.save(
            TwoFactor(
                user_id=user_id,
                secret=current.pending_secret,
                last_used_step=step,
                recovery_code_hashes=frozenset(totp.hash_recovery_code(c, salt) for c in recovery_codes),
                recovery_salt=salt,
                enabled_at=int(self._clock()),
            )
        )
        record_security_event(SecurityEvent.TWO_FACTOR_ENABLED, user_id=user_id)
        self._post_two_factor_mail(user_id, enabled=True)
        return recovery_codes

    async def disable_two_factor(self, user_id: str, *, password: str, code: str) -> None:
        """Turns two-factor off, given the password (throttled) and a current or recovery code."""
        await self.verify_password(user_id, password, message="Your password is incorrect.")
        current = await self._two_factor.get(user_id)
        if current is None or not current.enabled:
            raise TwoFactorNotEnabled()
        if not await self._use_second_factor(current, code):
            raise InvalidTwoFactorCode()
        await self._two_factor.delete(user_id)
        record_security_event(SecurityEvent.TWO_FACTOR_DISABLED, user_id=user_id)
        self._post_two_factor_mail(user_id, enabled=False)

    async def forget_user(self, user_id: str) -> None:
        """What auth keeps about a deleted account besides its (revoked) sessions."""
        await self._two_factor.delete(user_id)

    async def _upgrade_password_hash(self, user_id: str, password: str) -> None:
        """Rewrites a hash of an older scheme or cost while the password is at hand. The sign-in
        does not depend on it: the next one tries again."""
        try:
            await self._users.update_password_hash(user_id, await self._hasher.hash(password))
        except AppError as error:
            logger.warning("password hash upgrade postponed", extra={"user_id": user_id, "error": error.code})

    async def verify_password(self, user_id: str, password: str, *, message: str | None = None) -> Credentials:
        """Checks a signed-in user's password, throttled like sign-in. Raises TooManyAttempts or
        InvalidCredentials."""
        credentials = await self._users.get_credentials(user_id)
        email = credentials.user.email
        earlier_failures = await self._refuse_if_throttled(email)
        password_ok = await self._hasher.verify(password, credentials.password_hash)
        await self._settle_attempt(email, user_id, earlier_failures, password_ok, message=message)
        return credentials

    async def _settle_attempt(
        self,
        email: str,
        user_id: str | None,
        earlier_failures: FailedAttempts | None,
        password_ok: bool,
        *,
        message: str | None = None,
        failure: Unauthenticated | None = None,
    ) -> None:
        """Counts a wrong password or code against the account (raising `failure`, by default
        InvalidCredentials), or forgets the account's earlier failures after a right one."""
        if not password_ok:
            await self._record_failure(email, user_id, earlier_failures)
            raise failure or InvalidCredentials(message)
        if earlier_failures:
            await self._attempts.clear(attempts_key(email))

    async def _refuse_if_throttled(self, email: str) -> FailedAttempts | None:
        """Raises TooManyAttempts while the account is locked; else its earlier failures, if any."""
        now = int(self._clock())
        attempts = await self._attempts.get(attempts_key(email))
        retry_after = self._throttle.retry_after(attempts, now)
        if retry_after > 0:
            raise TooManyAttempts(retry_after_seconds=retry_after)
        return attempts

    async def _record_failure(self, email: str, user_id: str | None, earlier_failures: FailedAttempts | None) -> None:
        now = int(self._clock())
        attempts = await self._attempts.record_failure(
            attempts_key(email),
            now=now,
            window_seconds=self._throttle.forget_after_seconds(earlier_failures),
            keep_until=self._throttle.keep_until(now),
        )
        if attempts.count >= self._throttle.max_failures:
            record_security_event(
                SecurityEvent.ACCOUNT_LOCKED,
                user_id=user_id,
                failed_attempts=attempts.count,
                locked_seconds=self._throttle.lock_seconds(attempts.count),
            )

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
            raise InvalidRefreshToken()
        try:
            user = await self._users.get_user(session.user_id)
        except NotFound:
            await self._sessions.revoke(session_id)
            raise InvalidRefreshToken() from None
        new_secret = secrets.token_urlsafe(32)
        expires_at = self._session_lifetime.expires_at(created_at=session.created_at, now=now)
        rotated = await self._sessions.rotate(
            session_id,
            expected_token_hash=session.token_hash,
            new_token_hash=hash_secret_token(new_secret),
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
        record_security_event(SecurityEvent.REFRESH_TOKEN_REUSED, user_id=session.user_id, session_revoked=True)

    async def logout(self, *, refresh_token: str | None, session_id: str | None, user_id: str | None = None) -> None:
        """Ends the session named by the refresh cookie or the access token. Idempotent."""
        if refresh_token:
            try:
                session_id, _ = split_refresh_token(refresh_token)
            except InvalidRefreshToken:
                pass
        if session_id:
            await self._sessions.revoke(session_id)
            record_security_event(SecurityEvent.SIGNED_OUT, user_id=user_id)

    async def change_password(self, *, user_id: str, session_id: str, current_password: str, new_password: str) -> None:
        self._password_policy.check(new_password)
        await self.verify_password(user_id, current_password, message="Your current password is incorrect.")
        await self._users.update_password_hash(user_id, await self._hasher.hash(new_password))
        revoked = await self._sessions.revoke_all_for_user(user_id, except_session_id=session_id)
        record_security_event(SecurityEvent.PASSWORD_CHANGED, user_id=user_id, revoked_sessions=revoked)
        self._post_password_changed_mail(user_id, by_reset=False)

    async def revoke_user_sessions(self, user_id: str) -> int:
        """Ends every session of the user, this one included (sign out everywhere)."""
        revoked = await self._sessions.revoke_all_for_user(user_id)
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
        record_security_event(SecurityEvent.SESSION_REVOKED, user_id=user_id)

    async def _start_session(self, user: User, user_agent: str | None) -> IssuedSession:
        now = int(self._clock())
        session_id = secrets.token_urlsafe(16)
        secret = secrets.token_urlsafe(32)
        expires_at = self._session_lifetime.expires_at(created_at=now, now=now)
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
        return IssuedSession(user, access_token, access_expires_at, f"{session_id}.{secret}", expires_at)

    # Email verification

    async def verify_email(self, token: str) -> None:
        """Marks the address verified with the token of a verification link. Raises
        InvalidLinkToken (forged or used) or ExpiredLinkToken."""
        stored = await self._consume_link_token(TokenPurpose.VERIFY_EMAIL, token)
        try:
            await self._users.mark_email_verified(stored.user_id)
        except NotFound:
            raise InvalidLinkToken() from None
        record_security_event(SecurityEvent.EMAIL_VERIFIED, user_id=stored.user_id)

    async def resend_verification(self, user_id: str) -> None:
        """Sends a new verification link, a few times an hour at most (TooManyEmails beyond)."""
        user = await self._users.get_user(user_id)
        if user.email_verified:
            raise EmailAlreadyVerified()
        if await self._count_and_check(f"resend-verification#{user_id}", RESEND_VERIFICATION_LIMIT):
            raise TooManyEmails(retry_after_seconds=RESEND_VERIFICATION_LIMIT.window_seconds)
        self._post_verification_mail(user)

    def _post_verification_mail(self, user: User) -> None:
        async def compose() -> MailMessage:
            token = await self._issue_link_token(TokenPurpose.VERIFY_EMAIL, user.user_id)
            hours = self._link_lifetimes.verify_email_seconds // 3600
            return account_mail.verification_mail(self._mail_layout, user, token, valid_hours=hours)

        self._outbox.post(compose)

    # Password reset

    async def request_password_reset(self, *, email: str, client_address: str | None) -> None:
        """Answers the same, in the same time, whether or not an account has this email: the
        lookup and the mail happen off the request path. Limited per client address
        (TooManyResetRequests) and, silently, per account."""
        email = normalize_email(email)
        if client_address and await self._count_and_check(f"reset-from#{client_address}", RESET_REQUESTS_PER_ADDRESS):
            raise TooManyResetRequests(retry_after_seconds=RESET_REQUESTS_PER_ADDRESS.window_seconds)

        async def compose() -> MailMessage | None:
            credentials = await self._users.find_credentials_by_email(email)
            record_security_event(
                SecurityEvent.PASSWORD_RESET_REQUESTED,
                user_id=credentials.user.user_id if credentials else None,
                known_account=credentials is not None,
            )
            if credentials is None:
                return None
            user = credentials.user
            if await self._count_and_check(f"reset-mails#{user.user_id}", RESET_MAILS_PER_ACCOUNT):
                return None
            token = await self._issue_link_token(TokenPurpose.RESET_PASSWORD, user.user_id)
            minutes = self._link_lifetimes.reset_password_seconds // 60
            return account_mail.password_reset_mail(self._mail_layout, user, token, valid_minutes=minutes)

        self._outbox.post(compose)

    async def reset_password(self, *, token: str, new_password: str) -> None:
        """Sets a new password with the token of a reset link, ends every session of the account,
        lifts its sign-in throttle and counts as a verification of its email address. A weak
        password leaves the link usable."""
        self._password_policy.check(new_password)
        stored = await self._consume_link_token(TokenPurpose.RESET_PASSWORD, token)
        try:
            user = await self._users.get_user(stored.user_id)
        except NotFound:
            raise InvalidLinkToken() from None
        await self._users.update_password_hash(user.user_id, await self._hasher.hash(new_password))
        if not user.email_verified:
            # Opening the emailed link proved the mailbox is the owner's, as a verification link would.
            await self._users.mark_email_verified(user.user_id)
        revoked = await self._sessions.revoke_all_for_user(user.user_id)
        await self._attempts.clear(attempts_key(user.email))
        record_security_event(SecurityEvent.PASSWORD_RESET_COMPLETED, user_id=user.user_id, revoked_sessions=revoked)
        self._post_password_changed_mail(user.user_id, by_reset=True)

    # Links and limits

    async def _issue_link_token(self, purpose: TokenPurpose, user_id: str) -> str:
        token = secrets.token_urlsafe(32)
        expires_at = int(self._clock()) + self._link_lifetimes.seconds(purpose)
        await self._tokens.add(OneTimeToken(purpose, hash_secret_token(token), user_id, expires_at))
        return token

    async def _consume_link_token(self, purpose: TokenPurpose, token: str) -> OneTimeToken:
        if not token or len(token) > 128:
            raise InvalidLinkToken()
        stored = await self._tokens.consume(purpose, hash_secret_token(token))
        if stored is None:
            raise InvalidLinkToken()
        if stored.expires_at <= int(self._clock()):
            raise ExpiredLinkToken()
        return stored

    async def _count_and_check(self, key: str, limit: SendLimit) -> bool:
        """Counts one more event under `key`; True when that goes over the limit."""
        now = int(self._clock())
        used = await self._attempts.record_failure(
            key, now=now, window_seconds=limit.window_seconds, keep_until=now + limit.window_seconds
        )
        return limit.exceeded(used.count)

    # Notifications

    def _post_password_changed_mail(self, user_id: str, *, by_reset: bool) -> None:
        async def compose() -> MailMessage:
            user = await self._users.get_user(user_id)
            return account_mail.password_changed_mail(self._mail_layout, user, by_reset=by_reset)

        self._outbox.post(compose)

    def _post_two_factor_mail(self, user_id: str, *, enabled: bool) -> None:
        async def compose() -> MailMessage:
            user = await self._users.get_user(user_id)
            return account_mail.two_factor_changed_mail(self._mail_layout, user, enabled=enabled)

        self._outbox.post(compose)

    def _post_new_device_mail(self, user: User, issued: IssuedSession, device: str) -> None:
        """Mails the account when none of its other sessions on record (ended ones too, until
        their store forgets them) names the same device, so signing out and in again is quiet."""
        new_session_id, _ = split_refresh_token(issued.refresh_token)

        async def compose() -> MailMessage | None:
            sessions = await self._sessions.list_for_user(user.user_id)
            if any(s.user_agent == device for s in sessions if s.session_id != new_session_id):
                return None
            return account_mail.new_device_mail(self._mail_layout, user, device=device)

        self._outbox.post(compose)
