"""The per-account lock: password and code checks are counted per mailbox, whichever route made
them (sign-in, its second factor, the current password of a change, re-authentication).

A check is counted before it is made, by a compare-and-swap on the account's record, and the
count is forgotten when the check succeeds. So of any number of checks sent at once, at most
`max_failures` begin before the lock: a burst is judged like the same guesses one by one."""

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from scloud_auth.domain import AttemptRecord, Credentials, InvalidCredentials, ThrottlePolicy, TooManyAttempts
from scloud_auth.ports import AttemptStore, PasswordHasher, UserDirectory
from scloud_common.event_metrics import ThrottleReason, current_event_metrics
from scloud_common.security_events import SecurityEvent, record_security_event

# Compare-and-swap rounds one check may lose to others on the same account before it is refused;
# each round lets at least one of them through, and the lock stops the rest.
MAX_COUNTING_ROUNDS = 10
CONTENDED_RETRY_SECONDS = 1


def attempts_key(email: str) -> str:
    return f"email#{email}"


@dataclass
class AttemptTicket:
    """One check the lock let begin, counted as `counted`, to be settled with its outcome."""

    key: str
    before: AttemptRecord | None
    counted: AttemptRecord
    settled: bool = False


class AccountThrottle:
    def __init__(
        self, attempts: AttemptStore, *, policy: ThrottlePolicy, clock: Callable[[], float] = time.time
    ) -> None:
        self._attempts = attempts
        self._policy = policy
        self._clock = clock
        self._events = current_event_metrics()

    @asynccontextmanager
    async def attempt(self, email: str) -> AsyncIterator[AttemptTicket]:
        """Counts one check of the account's password or code (raising TooManyAttempts while the
        account is locked) for the block, which settles it. A block that fails before settling
        (the hasher busy, a peer down) gives the check back if nothing was counted since."""
        ticket = await self._begin(attempts_key(email))
        try:
            yield ticket
        except BaseException:
            if not ticket.settled:
                await self._give_back(ticket)
            raise

    async def settle(self, ticket: AttemptTicket, *, succeeded: bool, user_id: str | None) -> None:
        """Forgets the account's count after a successful check; a failed one stays counted."""
        ticket.settled = True
        if succeeded:
            await self._attempts.clear(ticket.key)
        elif ticket.counted.count >= self._policy.max_failures:
            record_security_event(
                SecurityEvent.ACCOUNT_LOCKED,
                user_id=user_id,
                failed_attempts=ticket.counted.count,
                locked_seconds=self._policy.lock_seconds(ticket.counted.count),
            )

    async def clear(self, email: str) -> None:
        await self._attempts.clear(attempts_key(email))

    async def _begin(self, key: str) -> AttemptTicket:
        for _ in range(MAX_COUNTING_ROUNDS):
            stored = await self._attempts.get(key)
            try:
                counted = self._policy.begin_check(stored, int(self._clock()))
            except TooManyAttempts:
                self._record_refusal(ThrottleReason.LOCKED)
                raise
            keep_until = self._policy.keep_until(counted)
            if await self._attempts.replace(key, counted, expected=stored, keep_until=keep_until):
                return AttemptTicket(key, stored, counted)
        self._record_refusal(ThrottleReason.CONTENDED)
        raise TooManyAttempts(retry_after_seconds=CONTENDED_RETRY_SECONDS)

    def _record_refusal(self, reason: ThrottleReason) -> None:
        if self._events is not None:
            self._events.credential_check_throttled(reason)

    async def _give_back(self, ticket: AttemptTicket) -> None:
        before = ticket.before
        keep_until = self._policy.keep_until(before) if before else 0
        await self._attempts.replace(ticket.key, before, expected=ticket.counted, keep_until=keep_until)


class PasswordCheck:
    """A signed-in user's password, checked under the account's lock (re-authentication)."""

    def __init__(self, *, users: UserDirectory, hasher: PasswordHasher, throttle: AccountThrottle) -> None:
        self._users = users
        self._hasher = hasher
        self._throttle = throttle

    async def verify_password(self, user_id: str, password: str, *, message: str | None = None) -> Credentials:
        """Raises TooManyAttempts, or InvalidCredentials (with `message` if given)."""
        credentials = await self._users.get_credentials(user_id)
        async with self._throttle.attempt(credentials.user.email) as ticket:
            password_ok = await self._hasher.verify(password, credentials.password_hash)
            await self._throttle.settle(ticket, succeeded=password_ok, user_id=user_id)
        if not password_ok:
            raise InvalidCredentials(message)
        return credentials
