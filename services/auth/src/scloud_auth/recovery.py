"""Getting an account back and keeping it: verifying its email address, resetting a forgotten
password through an emailed link, and changing the password."""

import hmac
import time
from collections.abc import Callable

from scloud_auth import account_mail
from scloud_auth.domain import (
    RESEND_VERIFICATION_LIMIT,
    RESET_MAILS_PER_ACCOUNT,
    RESET_REQUESTS_PER_ADDRESS,
    EmailAlreadyVerified,
    InvalidLinkToken,
    SendLimit,
    TokenPurpose,
    TooManyEmails,
    TooManyResetRequests,
)
from scloud_auth.link_tokens import LinkTokens, password_stamp
from scloud_auth.notices import AccountNotices
from scloud_auth.password_policy import PasswordPolicy
from scloud_auth.ports import PasswordHasher, SendLimitStore, SessionRepository, UserDirectory
from scloud_auth.throttle import AccountThrottle, PasswordCheck
from scloud_common.email_address import normalize_email
from scloud_common.errors import NotFound
from scloud_common.event_metrics import RevocationReason, current_event_metrics
from scloud_common.mail import MailLayout, MailMessage
from scloud_common.security_events import SecurityEvent, record_security_event


class Recovery:
    def __init__(
        self,
        *,
        users: UserDirectory,
        hasher: PasswordHasher,
        password_policy: PasswordPolicy,
        password_check: PasswordCheck,
        sessions: SessionRepository,
        throttle: AccountThrottle,
        link_tokens: LinkTokens,
        send_limits: SendLimitStore,
        notices: AccountNotices,
        mail_layout: MailLayout,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._password_policy = password_policy
        self._password_check = password_check
        self._sessions = sessions
        self._throttle = throttle
        self._link_tokens = link_tokens
        self._send_limits = send_limits
        self._notices = notices
        self._mail_layout = mail_layout
        self._clock = clock
        self._events = current_event_metrics()

    async def verify_email(self, token: str) -> None:
        """Marks the address verified with the token of a verification link. Raises
        InvalidLinkToken (forged or used) or ExpiredLinkToken."""
        stored = await self._link_tokens.consume(TokenPurpose.VERIFY_EMAIL, token)
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
        if await self._over_limit(f"resend-verification#{user_id}", RESEND_VERIFICATION_LIMIT):
            raise TooManyEmails(retry_after_seconds=RESEND_VERIFICATION_LIMIT.window_seconds)
        self._notices.verification(user)

    async def request_password_reset(self, *, email: str, client_address: str | None) -> None:
        """Answers the same, in the same time, whether or not an account has this email: the
        lookup and the mail happen off the request path. Limited per client address
        (TooManyResetRequests) and, silently, per account."""
        email = normalize_email(email)
        if client_address and await self._over_limit(f"reset-from#{client_address}", RESET_REQUESTS_PER_ADDRESS):
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
            if await self._over_limit(f"reset-mails#{user.user_id}", RESET_MAILS_PER_ACCOUNT):
                return None
            token = await self._link_tokens.issue(
                TokenPurpose.RESET_PASSWORD, user.user_id, password_stamp=password_stamp(credentials.password_hash)
            )
            minutes = self._link_tokens.lifetimes.reset_password_seconds // 60
            return account_mail.password_reset_mail(self._mail_layout, user, token, valid_minutes=minutes)

        self._notices.post(compose)

    async def reset_password(self, *, token: str, new_password: str) -> None:
        """Sets a new password with the token of a reset link, ends every session of the account,
        lifts its sign-in lock and counts as a verification of its email address. A weak
        password leaves the link usable; a link issued before the password last changed (by
        another link, or from the profile) is refused."""
        self._password_policy.check(new_password)
        stored = await self._link_tokens.consume(TokenPurpose.RESET_PASSWORD, token)
        try:
            credentials = await self._users.get_credentials(stored.user_id)
        except NotFound:
            raise InvalidLinkToken() from None
        if not hmac.compare_digest(stored.password_stamp, password_stamp(credentials.password_hash)):
            raise InvalidLinkToken()
        user = credentials.user
        await self._users.update_password_hash(user.user_id, await self._hasher.hash(new_password))
        if not user.email_verified:
            # Opening the emailed link proved the mailbox is the owner's, as a verification link would.
            await self._users.mark_email_verified(user.user_id)
        revoked = await self._sessions.revoke_all_for_user(user.user_id)
        self._record_revoked(RevocationReason.PASSWORD_RESET)
        await self._throttle.clear(user.email)
        record_security_event(SecurityEvent.PASSWORD_RESET_COMPLETED, user_id=user.user_id, revoked_sessions=revoked)
        self._notices.password_changed(user.user_id, by_reset=True)

    async def change_password(self, *, user_id: str, session_id: str, current_password: str, new_password: str) -> None:
        """Sets a new password given the current one (under the account's lock) and ends every
        other session of the account."""
        user = await self._users.get_user(user_id)
        self._password_policy.check(new_password, user_inputs=(user.email, user.username))
        await self._password_check.verify_password(
            user_id, current_password, message="Your current password is incorrect."
        )
        await self._users.update_password_hash(user_id, await self._hasher.hash(new_password))
        revoked = await self._sessions.revoke_all_for_user(user_id, except_session_id=session_id)
        self._record_revoked(RevocationReason.PASSWORD_CHANGE)
        record_security_event(SecurityEvent.PASSWORD_CHANGED, user_id=user_id, revoked_sessions=revoked)
        self._notices.password_changed(user_id, by_reset=False)

    def _record_revoked(self, reason: RevocationReason) -> None:
        if self._events is not None:
            self._events.sessions_revoked(reason)

    async def _over_limit(self, key: str, limit: SendLimit) -> bool:
        """Counts one more mail asked for under `key`; True when that goes over the limit."""
        count = await self._send_limits.count(key, now=int(self._clock()), window_seconds=limit.window_seconds)
        return limit.exceeded(count)
