"""The one spelling of an email address, shared by auth (accounts are registered and signed in
under it) and files (a share to a person is looked up, and an invitation kept, under it): the
two must agree, or an invitation would never meet the account it was meant for."""

import re
import unicodedata

import idna

from scloud_common.errors import InvalidInput

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class InvalidEmail(InvalidInput):
    code = "invalid_email"
    message = "Enter a valid email address."


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text)


def normalize_email(email: str) -> str:
    """The domain in IDNA (ASCII) form, everything lower-case, so each mailbox has one spelling
    and one account. The users service trusts the result. InvalidEmail otherwise."""
    email = email.strip()
    if _has_control_characters(email):
        raise InvalidEmail()
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail()
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise InvalidEmail() from None
    normalized = f"{local}@{domain}".lower()
    if len(normalized) > 254 or not EMAIL_PATTERN.match(normalized):
        raise InvalidEmail()
    return normalized
