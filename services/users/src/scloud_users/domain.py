"""Accounts and the rules for their profile fields. Plain Python: no I/O."""

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from scloud_common.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied, RateLimited, Unauthenticated

# The one list of genders: the API schemas' enum derives from this type.
Gender = Literal["female", "male", "other", "prefer_not_to_say"]
GENDERS: tuple[str, ...] = get_args(Gender)
USERNAME_PATTERN = re.compile(r"^[\w][\w .\-]*[\w.]$|^[\w]$")
USERNAME_MIN, USERNAME_MAX = 2, 40
# Who may register (USERS_REGISTRATION): anyone, holders of an invitation, or addresses at the
# allowed domains. The public registration settings' enum derives from this type.
RegistrationMode = Literal["open", "invite", "domains"]
REGISTRATION_MODES: tuple[str, ...] = get_args(RegistrationMode)


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    username: str
    gender: str | None
    date_of_birth: str | None
    created_at: str
    email_verified: bool = False
    # Set by an operator (scloud-admin user lock): no sign-in until unlocked.
    locked: bool = False


@dataclass(frozen=True)
class Account:
    user: User
    password_hash: str


@dataclass(frozen=True)
class Invitation:
    """An invitation to register, made by an operator. The store keeps only the hash of its
    token; `email` None means anyone holding the link may use it. Times are Unix seconds."""

    invitation_id: str
    token_hash: str
    email: str | None
    created_by: str
    created_at: int
    expires_at: int
    used_at: int | None = None

    def is_usable(self, now: int) -> bool:
        return self.used_at is None and now < self.expires_at


@dataclass(frozen=True)
class InvitationClaim:
    """Marks the invitation used in the very write that creates the account, so of two
    registrations with one link at most one succeeds."""

    invitation_id: str
    used_at: int


@dataclass(frozen=True)
class StorageUsage:
    bytes_used: int
    file_count: int


class UserNotFound(NotFound):
    code = "user_not_found"
    message = "This account does not exist."


class EmailTaken(AlreadyExists):
    code = "email_taken"
    message = "An account with this email already exists."


class InvitationRequired(PermissionDenied):
    code = "invitation_required"
    message = "This SCloud is invite-only: registering needs an invitation link. Ask its administrator for one."


class InvitationInvalid(PermissionDenied):
    code = "invitation_invalid"
    message = (
        "This invitation link cannot be used: it has expired, was used already or revoked, or is for "
        "another email address. Ask the administrator for a new one."
    )


class EmailDomainNotAllowed(PermissionDenied):
    code = "email_domain_not_allowed"
    message = "This SCloud accepts registrations only from email addresses at the domains its administrator allows."


class InvitationNotFound(NotFound):
    code = "invitation_not_found"
    message = "No invitation has this id."


class InvalidProfile(InvalidInput):
    code = "invalid_profile"


class WrongPassword(Unauthenticated):
    code = "invalid_credentials"
    message = "Your password is incorrect."


class TooManyAttempts(RateLimited):
    code = "too_many_attempts"
    message = "Too many failed attempts for this account. Wait a while and try again."


def clean_username(username: str) -> str:
    username = " ".join(username.split())
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        raise InvalidProfile(f"Username must be {USERNAME_MIN} to {USERNAME_MAX} characters long.")
    if not USERNAME_PATTERN.match(username):
        raise InvalidProfile("Username may use letters, digits, spaces, dots, dashes and underscores.")
    return username


def username_from_email(email: str) -> str:
    """The email's local part made a valid username: each run of other characters becomes a dot,
    the ends are trimmed to a word character, and one too short to keep is `admin`."""
    local_part = email.rpartition("@")[0] or email
    name = re.sub(r"[^\w.\-]+", ".", local_part)[:USERNAME_MAX]
    name = re.sub(r"^[^\w]+|[^\w]+$", "", name)
    return name if len(name) >= USERNAME_MIN else "admin"


def clean_gender(gender: str | None) -> str | None:
    if gender in (None, ""):
        return None
    if gender not in GENDERS:
        raise InvalidProfile(f"Gender must be one of: {', '.join(GENDERS)}.")
    return gender


def clean_date_of_birth(value: str | None, *, today: date) -> str | None:
    if value in (None, ""):
        return None
    try:
        born = date.fromisoformat(value)
    except ValueError:
        raise InvalidProfile("Date of birth must be a date (YYYY-MM-DD).") from None
    if born > today or born.year < 1900:
        raise InvalidProfile("Date of birth must be between 1900 and today.")
    return born.isoformat()
