"""Security events: one structured log line for each sign-in, lockout and change to an account's
access, so they can be alerted on and audited (ASVS V7.1/V7.2).

Each line carries `security_event`, the user id when known, and the client address of the request.
Details are limited to ids, counts and flags: never an email address, password, token or code.
"""

import logging
from enum import StrEnum

from scloud_common.logs import client_address_var

security_logger = logging.getLogger("scloud.security")


class SecurityEvent(StrEnum):
    ACCOUNT_CREATED = "account_created"
    SIGN_IN_SUCCEEDED = "sign_in_succeeded"
    SIGN_IN_FAILED = "sign_in_failed"
    ACCOUNT_LOCKED = "account_locked"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET_COMPLETED = "password_reset_completed"
    EMAIL_VERIFIED = "email_verified"
    SIGNED_OUT = "signed_out"
    SESSION_REVOKED = "session_revoked"
    ALL_SESSIONS_REVOKED = "all_sessions_revoked"
    REFRESH_TOKEN_REUSED = "refresh_token_reused"
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    RECOVERY_CODE_USED = "recovery_code_used"
    ACCOUNT_DELETED = "account_deleted"
    PERSONAL_ACCESS_TOKEN_CREATED = "personal_access_token_created"
    PERSONAL_ACCESS_TOKEN_REVOKED = "personal_access_token_revoked"
    # An operator's action from the admin CLI (scloud-admin): `action` and `operator` say which and who.
    ADMIN_ACTION = "admin_action"


# Events an operator should look at, not only count.
_WARNINGS = {SecurityEvent.ACCOUNT_LOCKED, SecurityEvent.REFRESH_TOKEN_REUSED, SecurityEvent.TWO_FACTOR_DISABLED}


def record_security_event(event: SecurityEvent, *, user_id: str | None, **details: str | int | bool | None) -> None:
    security_logger.log(
        logging.WARNING if event in _WARNINGS else logging.INFO,
        event.value,
        extra={
            "security_event": event.value,
            "user_id": user_id,
            "client_address": client_address_var.get(),
            **details,
        },
    )
