"""Auth's entities and rules. Plain Python: no I/O."""

import re
from dataclasses import dataclass

from scloud_common.errors import InvalidInput, Unauthenticated

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_BYTES = 72  # bcrypt ignores everything past 72 bytes; refuse rather than silently truncate.


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    username: str
    gender: str | None
    date_of_birth: str | None
    created_at: str


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


@dataclass(frozen=True)
class IssuedSession:
    """What a successful register, login or refresh hands back to the browser."""

    user: User
    access_token: str
    access_token_expires_at: int
    refresh_token: str
    refresh_token_expires_at: int


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"
    message = "Email or password is incorrect."


class InvalidRefreshToken(Unauthenticated):
    code = "invalid_refresh_token"
    message = "Your session has ended. Sign in again."


class InvalidEmail(InvalidInput):
    code = "invalid_email"
    message = "Enter a valid email address."


class WeakPassword(InvalidInput):
    code = "weak_password"


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively: one account per mailbox."""
    normalized = email.strip().lower()
    if len(normalized) > 254 or not EMAIL_PATTERN.match(normalized):
        raise InvalidEmail()
    return normalized


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"Use at least {MIN_PASSWORD_LENGTH} characters for your password.")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise WeakPassword(f"Use at most {MAX_PASSWORD_BYTES} bytes for your password.")
    classes = {
        "lower": any(c.islower() for c in password),
        "upper": any(c.isupper() for c in password),
        "digit": any(c.isdigit() for c in password),
        "other": any(not c.isalnum() for c in password),
    }
    if sum(classes.values()) < 2:
        raise WeakPassword("Mix at least two kinds of characters (letters, digits, symbols) in your password.")
