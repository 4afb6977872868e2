"""Two-factor sign-in with an authenticator app (TOTP): checking a code, and turning it on and off."""

import time
from collections.abc import Callable

from scloud_auth import totp
from scloud_auth.domain import (
    InvalidTwoFactorCode,
    TwoFactor,
    TwoFactorAlreadyEnabled,
    TwoFactorNotEnabled,
    TwoFactorSetup,
    TwoFactorSetupMissing,
    TwoFactorStatus,
)
from scloud_auth.notices import AccountNotices
from scloud_auth.ports import TwoFactorRepository, UserDirectory
from scloud_auth.throttle import PasswordCheck
from scloud_common.security_events import SecurityEvent, record_security_event


class SecondFactor:
    """Checks and spends a code: a TOTP code (each at most once) or a recovery code (once)."""

    def __init__(self, repository: TwoFactorRepository, *, clock: Callable[[], float] = time.time) -> None:
        self._repository = repository
        self._clock = clock

    async def use(self, two_factor: TwoFactor | None, code: str) -> bool:
        if two_factor is None or two_factor.secret is None:
            return False
        user_id = two_factor.user_id
        if totp.is_totp_code(code):
            step = totp.matching_step(two_factor.secret, code, self._clock())
            return step is not None and await self._repository.use_step(user_id, step)
        code_hash = totp.hash_recovery_code(code, two_factor.recovery_salt)
        used = await self._repository.use_recovery_code(user_id, code_hash)
        if used:
            record_security_event(SecurityEvent.RECOVERY_CODE_USED, user_id=user_id)
        return used


class TwoFactorSettings:
    """A signed-in user's two-factor sign-in: its status, setup, confirmation and removal."""

    def __init__(
        self,
        *,
        repository: TwoFactorRepository,
        users: UserDirectory,
        second_factor: SecondFactor,
        password_check: PasswordCheck,
        notices: AccountNotices,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repository = repository
        self._users = users
        self._second_factor = second_factor
        self._password_check = password_check
        self._notices = notices
        self._clock = clock

    async def status(self, user_id: str) -> TwoFactorStatus:
        two_factor = await self._repository.get(user_id)
        if two_factor is None or not two_factor.enabled:
            return TwoFactorStatus(enabled=False, recovery_codes_left=0)
        return TwoFactorStatus(enabled=True, recovery_codes_left=len(two_factor.recovery_code_hashes))

    async def begin_setup(self, user_id: str, *, password: str) -> TwoFactorSetup:
        """A new secret, kept pending until a code from it confirms the app has it. Needs the
        password (checked under the account's lock): an access token alone must not be enough to
        tie the account to someone else's authenticator app."""
        await self._password_check.verify_password(user_id, password, message="Your password is incorrect.")
        current = await self._repository.get(user_id)
        if current is not None and current.enabled:
            raise TwoFactorAlreadyEnabled()
        user = await self._users.get_user(user_id)
        secret = totp.new_secret()
        await self._repository.save(TwoFactor(user_id=user_id, pending_secret=secret))
        uri = totp.provisioning_uri(secret, user.email)
        return TwoFactorSetup(secret=secret, provisioning_uri=uri, qr_code=totp.qr_code_data_uri(uri))

    async def confirm(self, user_id: str, code: str) -> list[str]:
        """Turns two-factor on; answers the recovery codes, shown this once (only hashes are kept)."""
        current = await self._repository.get(user_id)
        if current is not None and current.enabled:
            raise TwoFactorAlreadyEnabled()
        if current is None or current.pending_secret is None:
            raise TwoFactorSetupMissing()
        step = totp.matching_step(current.pending_secret, code, self._clock())
        if step is None:
            raise InvalidTwoFactorCode()
        recovery_codes = totp.new_recovery_codes()
        salt = totp.new_recovery_salt()
        await self._repository.save(
            TwoFactor(
                user_id=user_id,
                secret=current.pending_secret,
                last_used_step=step,
                recovery_code_hashes=frozenset(totp.hash_recovery_code(c, salt) for c in recovery_codes),
                recovery_salt=salt,
                enabled_at=int(self._clock()),
            )
        )
        record_security_event(SecurityEvent.TWO_FACTOR_ENABLED, user_id=user_id)
        self._notices.two_factor_changed(user_id, enabled=True)
        return recovery_codes

    async def disable(self, user_id: str, *, password: str, code: str) -> None:
        """Turns two-factor off, given the password (throttled) and a current or recovery code."""
        await self._password_check.verify_password(user_id, password, message="Your password is incorrect.")
        current = await self._repository.get(user_id)
        if current is None or not current.enabled:
            raise TwoFactorNotEnabled()
        if not await self._second_factor.use(current, code):
            raise InvalidTwoFactorCode()
        await self._repository.delete(user_id)
        record_security_event(SecurityEvent.TWO_FACTOR_DISABLED, user_id=user_id)
        self._notices.two_factor_changed(user_id, enabled=False)

    async def forget_user(self, user_id: str) -> None:
        """What auth keeps about a deleted account besides its (revoked) sessions."""
        await self._repository.delete(user_id)
