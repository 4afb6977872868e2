"""What the auth use cases need from the outside world."""

from typing import Protocol

from scloud_auth.domain import (
    AttemptRecord,
    Credentials,
    NewUser,
    OneTimeToken,
    PersonalAccessToken,
    Session,
    SignInChallenge,
    TokenPurpose,
    TwoFactor,
    User,
)
from scloud_common.mail import MailJob


class SessionRepository(Protocol):
    async def add(self, session: Session) -> None:
        """Stores a new session; raises AlreadyExists if its id is taken."""
        ...

    async def get(self, session_id: str) -> Session | None: ...

    async def list_for_user(self, user_id: str) -> list[Session]:
        """Every stored session of the user, revoked or expired ones included, in no order."""
        ...

    async def rotate(
        self, session_id: str, *, expected_token_hash: str, new_token_hash: str, expires_at: int, rotated_at: int
    ) -> bool:
        """Swaps the token hash only if it is still `expected_token_hash` and the session is not
        revoked; `rotated_at` is also its last use."""
        ...

    async def revoke(self, session_id: str) -> None:
        """Idempotent; an unknown id is ignored."""
        ...

    async def revoke_all_for_user(self, user_id: str, *, except_session_id: str | None = None) -> int: ...


class PersonalAccessTokenRepository(Protocol):
    """Users' personal access tokens, shared by every auth instance. A store may forget a token
    some time after it expires."""

    async def add(self, token: PersonalAccessToken) -> None:
        """Stores a new token; raises AlreadyExists if its id or hash is taken."""
        ...

    async def find_by_hash(self, token_hash: str) -> PersonalAccessToken | None:
        """The token, revoked or expired ones included (the caller judges)."""
        ...

    async def list_for_user(self, user_id: str) -> list[PersonalAccessToken]:
        """Every stored token of the user, revoked or expired ones included, in no order."""
        ...

    async def revoke(self, token: PersonalAccessToken) -> None:
        """Idempotent; a token the store does not hold (any more) is ignored."""
        ...

    async def record_use(self, token: PersonalAccessToken, used_at: int) -> None:
        """Sets its last use; a token the store does not hold (any more) is ignored."""
        ...

    async def delete_all_for_user(self, user_id: str) -> None:
        """Forgets every token of the user (account deletion). Idempotent."""
        ...


class UserDirectory(Protocol):
    """The users service, which owns accounts and password hashes."""

    async def create_user(self, new_user: NewUser, password_hash: str) -> User: ...

    async def find_credentials_by_email(self, email: str) -> Credentials | None: ...

    async def get_credentials(self, user_id: str) -> Credentials: ...

    async def get_user(self, user_id: str) -> User: ...

    async def update_password_hash(self, user_id: str, password_hash: str) -> None: ...

    async def mark_email_verified(self, user_id: str) -> None:
        """Raises NotFound if the account does not exist (any more). Idempotent."""
        ...


class OneTimeTokenStore(Protocol):
    """The tokens of emailed links, each usable once."""

    async def add(self, token: OneTimeToken) -> None: ...

    async def consume(self, purpose: TokenPurpose, token_hash: str) -> OneTimeToken | None:
        """Removes the token and returns it, expired or not; None when there is none. Atomic: of
        concurrent callers, one at most gets it."""
        ...


class Outbox(Protocol):
    def post(self, job: MailJob) -> None:
        """Runs the job off the request path and sends the message it composes, if any."""
        ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password: str, password_hash: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool:
        """True for a hash of an older scheme or cost, to be rewritten at the next sign-in."""
        ...


class AttemptStore(Protocol):
    """The checks counted against each account (`AttemptRecord`), shared by every auth instance."""

    async def get(self, key: str) -> AttemptRecord | None: ...

    async def replace(
        self, key: str, record: AttemptRecord | None, *, expected: AttemptRecord | None, keep_until: int
    ) -> bool:
        """Writes `record` (None: removes the key) only if the stored one is still `expected`
        (None: there is none); False, changing nothing, otherwise. Atomic: of concurrent callers
        expecting the same record, one at most succeeds. The store may forget the key after
        `keep_until`."""
        ...

    async def clear(self, key: str) -> None:
        """Forgets the account's record. Idempotent."""
        ...


class SendLimitStore(Protocol):
    """How many mails were asked for per key (a `SendLimit` each), shared by every auth instance."""

    async def count(self, key: str, *, now: int, window_seconds: int) -> int:
        """Counts one more event under `key` and answers how many there are now, starting again
        from one when the last was `window_seconds` ago or longer. Atomic: concurrent events are
        all counted. The store may forget a key `window_seconds` after its last event."""
        ...


class TwoFactorRepository(Protocol):
    """Each user's TOTP settings, shared by every auth instance."""

    async def get(self, user_id: str) -> TwoFactor | None: ...

    async def save(self, two_factor: TwoFactor) -> None:
        """Replaces the user's settings."""
        ...

    async def use_step(self, user_id: str, step: int) -> bool:
        """Records `step` as used if it is later than the last one used, atomically; False for
        a replay (or when two-factor is off)."""
        ...

    async def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        """Removes one unused recovery code, atomically; False if it was not there."""
        ...

    async def delete(self, user_id: str) -> None:
        """Turns two-factor off. Idempotent."""
        ...


class SignInChallengeStore(Protocol):
    """Sign-ins waiting for their second factor."""

    async def add(self, challenge: SignInChallenge) -> None: ...

    async def get(self, token_hash: str) -> SignInChallenge | None:
        """The challenge, expired ones included (the caller checks the time)."""
        ...

    async def delete(self, token_hash: str) -> None: ...
