"""Accounts and the rules for their profile fields. Plain Python: no I/O."""

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from scloud_common.errors import AlreadyExists, InvalidInput, NotFound, RateLimited, Unauthenticated

# The one list of genders: the API schemas' enum derives from this type.
Gender = Literal["female", "male", "other", "prefer_not_to_say"]
GENDERS: tuple[str, ...] = get_args(Gender)
USERNAME_PATTERN = re.compile(r"^[\w][\w .\-]*[\w.]$|^[\w]$")
USERNAME_MIN, USERNAME_MAX = 2, 40


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
class StorageUsage:
    bytes_used: int
    file_count: int


class UserNotFound(NotFound):
    code = "user_not_found"
    message = "This account does not exist."


class EmailTaken(AlreadyExists):
    code = "email_taken"
    message = "An account with this email already exists."


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
