"""Auth's entities and rules. Plain Python: no I/O."""

from dataclasses import dataclass
from enum import StrEnum

from scloud_common.errors import (
    AlreadyExists,
    Conflict,
    Gone,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
)
from scloud_common.scopes import Scope

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
MAX_USER_AGENT_LENGTH = 200


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    username: str
    gender: str | None
    date_of_birth: str | None
    created_at: str
    email_verified: bool = False
    # Locked by an operator: no sign-in and no refresh until unlocked.
    locked: bool = False


@dataclass(frozen=True)
class Credentials:
    user: User
    password_hash: str


@dataclass(frozen=True)
class NewUser:
    email: str
    username: str
    gender: str | None
    date_of_birth: str | None
    # From the invitation link (`?invite=`); the users service judges it.
    invitation_token: str | None = None


@dataclass(frozen=True)
class Session:
    session_id: str
    user_id: str
    token_hash: str
    expires_at: int
    created_at: int
    revoked: bool = False
    previous_token_hash: str | None = None
    rotated_at: int | None = None
    user_agent: str = ""
    last_used_at: int | None = None

    def is_active(self, now: int) -> bool:
        return not self.revoked and self.expires_at > now


@dataclass(frozen=True)
class PersonalAccessToken:
    """A token a user made for a script: only `token_hash` of its secret is kept."""

    token_id: str
    user_id: str
    name: str
    token_hash: str
    scopes: frozenset[Scope]
    created_at: int
    expires_at: int
    last_used_at: int | None = None
    revoked: bool = False

    def is_active(self, now: int) -> bool:
        return not self.revoked and self.expires_at > now


@dataclass(frozen=True)
class IssuedPersonalAccessToken:
    token: PersonalAccessToken
    # The whole text (`scloud_pat_...`), shown to its owner once and never stored.
    secret: str


@dataclass(frozen=True)
class SessionLifetime:
    """A session ends `idle_seconds` after its last refresh, and `absolute_seconds` after it began
    whatever its refreshes: a stolen refresh token cannot keep a session alive for ever."""

    idle_seconds: int = 7 * 24 * 3600
    absolute_seconds: int = 30 * 24 * 3600

    def expires_at(self, *, created_at: int, now: int) -> int:
        return min(now + self.idle_seconds, created_at + self.absolute_seconds)


@dataclass(frozen=True)
class TwoFactor:
    """A user's TOTP second factor: `pending_secret` between setup and the confirming code,
    `secret` once confirmed. `last_used_step` refuses a code used before (replays)."""

    user_id: str
    secret: str | None = None
    pending_secret: str | None = None
    last_used_step: int = 0
    recovery_code_hashes: frozenset[str] = frozenset()
    # Random per user and hashed with each recovery code (ASVS 2.6.2: codes under 112 bits of entropy).
    recovery_salt: str = ""
    enabled_at: int | None = None

    @property
    def enabled(self) -> bool:
        return self.secret is not None


@dataclass(frozen=True)
class TwoFactorSetup:
    secret: str
    provisioning_uri: str
    qr_code: str


@dataclass(frozen=True)
class TwoFactorStatus:
    enabled: bool
    recovery_codes_left: int


@dataclass(frozen=True)
class SignInChallenge:
    """A sign-in whose password was right, waiting for the second factor. Stored under a hash of
    the token the browser holds."""

    token_hash: str
    user_id: str
    user_agent: str
    expires_at: int


@dataclass(frozen=True)
class IssuedChallenge:
    token: str
    expires_at: int


@dataclass(frozen=True)
class AttemptRecord:
    """Password or code checks counted against one account: the failed ones and those under way
    (each is counted before it is made). The last began at `last_attempt_at`; none may begin
    before `locked_until`."""

    count: int
    last_attempt_at: int
    locked_until: int


@dataclass(frozen=True)
class ThrottlePolicy:
    """Each check is counted when it begins, and forgotten when it succeeds. The check that
    reaches `max_failures` locks the account for `base_delay_seconds` at once (so checks under way
    cannot outrun the lock), and each further one doubles the lock, up to `max_delay_seconds`;
    while locked, no check begins. `window_seconds` after the last check (or after the lock
    ends) without another, the count starts again from zero."""

    max_failures: int = 5
    window_seconds: int = 15 * 60
    base_delay_seconds: int = 30
    max_delay_seconds: int = 15 * 60

    def lock_seconds(self, count: int) -> int:
        if count < self.max_failures:
            return 0
        delay: int = min(self.base_delay_seconds * 2 ** min(count - self.max_failures, 30), self.max_delay_seconds)
        return delay

    def begin_check(self, record: AttemptRecord | None, now: int) -> AttemptRecord:
        """The record with one more check counted; raises TooManyAttempts while locked."""
        if record is not None and now - record.locked_until >= self.window_seconds:
            record = None
        if record is not None and now < record.locked_until:
            raise TooManyAttempts(retry_after_seconds=record.locked_until - now)
        count = (record.count if record else 0) + 1
        return AttemptRecord(count=count, last_attempt_at=now, locked_until=now + self.lock_seconds(count))

    def keep_until(self, record: AttemptRecord) -> int:
        """When the store may forget the record."""
        return record.locked_until + self.window_seconds


@dataclass(frozen=True)
class IssuedSession:
    """What a successful register, login or refresh hands back to the browser."""

    user: User
    access_token: str
    access_token_expires_at: int
    refresh_token: str
    refresh_token_expires_at: int


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify-email"
    RESET_PASSWORD = "reset-password"


@dataclass(frozen=True)
class OneTimeToken:
    """A link's token as stored: only its hash, whose account it acts on, and until when. A reset
    link also carries `password_stamp`, a digest of the password hash it was issued under: any
    later change of the password ends it."""

    purpose: TokenPurpose
    token_hash: str
    user_id: str
    expires_at: int
    password_stamp: str = ""


@dataclass(frozen=True)
class LinkLifetimes:
    verify_email_seconds: int = 24 * 3600
    reset_password_seconds: int = 30 * 60

    def seconds(self, purpose: TokenPurpose) -> int:
        if purpose is TokenPurpose.VERIFY_EMAIL:
            return self.verify_email_seconds
        return self.reset_password_seconds


@dataclass(frozen=True)
class SendLimit:
    """At most `max_count` events per key until `window_seconds` pass without one (each refused
    event counts too, so hammering keeps the key limited)."""

    max_count: int
    window_seconds: int

    def exceeded(self, count: int) -> bool:
        return count > self.max_count


# Verification mails one account may ask for again.
RESEND_VERIFICATION_LIMIT = SendLimit(max_count=3, window_seconds=3600)
# Password reset requests from one client address, whatever the email (answered 429 beyond).
RESET_REQUESTS_PER_ADDRESS = SendLimit(max_count=10, window_seconds=15 * 60)
# Reset mails to one account (silently not sent beyond, so the limit reveals nothing).
RESET_MAILS_PER_ACCOUNT = SendLimit(max_count=3, window_seconds=3600)


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"
    message = "Email or password is incorrect."


class AccountLocked(PermissionDenied):
    code = "account_locked"
    message = "This account is locked. Contact the administrator."


class InvalidTwoFactorCode(Unauthenticated):
    code = "invalid_two_factor_code"
    message = "That code is not right. Check the time on your device, or use a recovery code."


class SignInChallengeExpired(Unauthenticated):
    code = "sign_in_expired"
    message = "This sign-in took too long. Enter your password again."


class TwoFactorAlreadyEnabled(Conflict):
    code = "two_factor_enabled"
    message = "Two-factor sign-in is already on."


class TwoFactorNotEnabled(Conflict):
    code = "two_factor_not_enabled"
    message = "Two-factor sign-in is not on."


class TwoFactorSetupMissing(Conflict):
    code = "two_factor_setup_missing"
    message = "Start the two-factor setup again: scan a new QR code."


class InvalidRefreshToken(Unauthenticated):
    code = "invalid_refresh_token"
    message = "Your session has ended. Sign in again."


class WeakPassword(InvalidInput):
    code = "weak_password"


class TooManyAttempts(RateLimited):
    code = "too_many_attempts"
    message = "Too many failed attempts for this account. Wait a while and try again."


class SessionExists(AlreadyExists):
    code = "session_exists"
    message = "A session with this id exists already."


class SessionNotFound(NotFound):
    code = "session_not_found"
    message = "This session does not exist or has already ended."


class PersonalAccessTokenNotFound(NotFound):
    code = "token_not_found"
    message = "This token does not exist or has already been revoked."


class TooManyPersonalAccessTokens(Conflict):
    code = "too_many_tokens"
    message = "You have as many tokens as an account may have. Revoke one you no longer use first."


class InvalidTokenLifetime(InvalidInput):
    code = "invalid_token_lifetime"


class InvalidLinkToken(InvalidInput):
    code = "invalid_link"
    message = "This link is not valid, or it has already been used."


class ExpiredLinkToken(Gone):
    code = "link_expired"
    message = "This link has expired. Ask for a new one."


class EmailAlreadyVerified(Conflict):
    code = "email_already_verified"
    message = "Your email address is already verified."


class TooManyEmails(RateLimited):
    code = "too_many_emails"
    message = "Too many emails asked for. Wait a while and try again."


class TooManyResetRequests(RateLimited):
    code = "too_many_requests"
    message = "Too many password reset requests from your network. Wait a while and try again."


class CrossSiteRequest(PermissionDenied):
    code = "cross_site_request"
    message = "This request must come from the SCloud web app itself."


def clean_user_agent(user_agent: str | None) -> str:
    """What the sessions list shows as the device: printable characters only, length capped."""
    if not user_agent:
        return ""
    printable = "".join(c for c in user_agent if c.isprintable())
    return " ".join(printable.split())[:MAX_USER_AGENT_LENGTH]
