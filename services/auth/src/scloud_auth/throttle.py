"""The per-account lock: failed password and code checks are counted per mailbox, whichever route
made them (sign-in, its second factor, the current password of a change, re-authentication)."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from scloud_auth.domain import Credentials, FailedAttempts, InvalidCredentials, ThrottlePolicy, TooManyAttempts
from scloud_auth.ports import AttemptStore, PasswordHasher, UserDirectory
from scloud_common.errors import Unauthenticated
from scloud_common.security_events import SecurityEvent, record_security_event


def attempts_key(email: str) -> str:
    return f"email#{email}"


@dataclass(frozen=True)
class AttemptTicket:
    """One check the throttle let through, to be settled with its outcome."""

    email: str
    earlier_failures: FailedAttempts | None


class AccountThrottle:
    def __init__(
        self, attempts: AttemptStore, *, policy: ThrottlePolicy, clock: Callable[[], float] = time.time
    ) -> None:
        self._attempts = attempts
        self._policy = policy
        self._clock = clock

    async def begin(self, email: str) -> AttemptTicket:
        """Lets one check of the account's password or code go ahead; raises TooManyAttempts while
        the account is locked."""
        now = int(self._clock())
        attempts = await self._attempts.get(attempts_key(email))
        retry_after = self._policy.retry_after(attempts, now)
        if retry_after > 0:
            raise TooManyAttempts(retry_after_seconds=retry_after)
        return AttemptTicket(email, attempts)

    async def settle(
        self, ticket: AttemptTicket, *, succeeded: bool, user_id: str | None, failure: Unauthenticated
    ) -> None:
        """Counts a failed check against the account and raises `failure`, or forgets the
        account's earlier failures after a successful one."""
        if not succeeded:
            await self._record_failure(ticket, user_id)
            raise failure
        if ticket.earlier_failures:
            await self.clear(ticket.email)

    async def clear(self, email: str) -> None:
        await self._attempts.clear(attempts_key(email))

    async def _record_failure(self, ticket: AttemptTicket, user_id: str | None) -> None:
        now = int(self._clock())
        attempts = await self._attempts.record_failure(
            attempts_key(ticket.email),
            now=now,
            window_seconds=self._policy.forget_after_seconds(ticket.earlier_failures),
            keep_until=self._policy.keep_until(now),
        )
        if attempts.count >= self._policy.max_failures:
            record_security_event(
                SecurityEvent.ACCOUNT_LOCKED,
                user_id=user_id,
                failed_attempts=attempts.count,
                locked_seconds=self._policy.lock_seconds(attempts.count),
            )


class PasswordCheck:
    """A signed-in user's password, checked under the account's lock (re-authentication)."""

    def __init__(self, *, users: UserDirectory, hasher: PasswordHasher, throttle: AccountThrottle) -> None:
        self._users = users
        self._hasher = hasher
        self._throttle = throttle

    async def verify_password(self, user_id: str, password: str, *, message: str | None = None) -> Credentials:
        """Raises TooManyAttempts, or InvalidCredentials (with `message` if given)."""
        credentials = await self._users.get_credentials(user_id)
        ticket = await self._throttle.begin(credentials.user.email)
        password_ok = await self._hasher.verify(password, credentials.password_hash)
        await self._throttle.settle(ticket, succeeded=password_ok, user_id=user_id, failure=InvalidCredentials(message))
        return credentials
