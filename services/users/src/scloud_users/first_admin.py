"""The first admin: on a fresh server, where registration may be invite-only, the owner's own
account, created from the users settings (USERS_FIRST_ADMIN_*) when the service starts. There is
no admin role: the administrator is whoever runs scloud-admin on the server, and this account is
an ordinary one, made by the operator, so it passes no registration door and its email needs no
verification link."""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import SecretStr

from scloud_common.security_events import SecurityEvent, record_security_event
from scloud_users.domain import Account, EmailTaken, User
from scloud_users.ports import PasswordHasher, UserRepository

logger = logging.getLogger(__name__)

# Auth's password policy minimum (scloud_auth.domain.MIN_PASSWORD_LENGTH), repeated here because
# users does not import auth; tests/contract/test_first_admin_password.py holds the two equal.
FIRST_ADMIN_MIN_PASSWORD_LENGTH = 12
# Where the account-created security event says the account came from.
CREATED_VIA = "users_first_admin_settings"


@dataclass(frozen=True)
class FirstAdmin:
    """The account the settings ask for; `email` normalised, `username` valid."""

    email: str
    username: str
    password: SecretStr


async def ensure_first_admin(first_admin: FirstAdmin, repository: UserRepository, hasher: PasswordHasher) -> bool:
    """Creates the account, its email verified, unless one has that email: an existing account,
    even one another replica created a moment ago, is left untouched (its password never reset).
    True if this call created it."""
    if await repository.get_by_email(first_admin.email) is not None:
        logger.info("first admin account exists; left unchanged")
        return False
    user = User(
        user_id=uuid.uuid4().hex,
        email=first_admin.email,
        username=first_admin.username,
        gender=None,
        date_of_birth=None,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        email_verified=True,
    )
    password_hash = await hasher.hash(first_admin.password.get_secret_value())
    try:
        await repository.add(Account(user, password_hash))
    except EmailTaken:
        logger.info("first admin account created meanwhile by another replica; left unchanged")
        return False
    logger.info("first admin account created", extra={"user_id": user.user_id})
    record_security_event(SecurityEvent.ACCOUNT_CREATED, user_id=user.user_id, via=CREATED_VIA)
    return True
