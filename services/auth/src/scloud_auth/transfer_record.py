"""Auth's lasting state as transfer records (scloud_common.transfer): each user's two-factor
settings, recovery code hashes included. Sessions, sign-in challenges, emailed-link tokens and
throttle counters are short-lived and stay behind when an installation moves (everyone signs in
again on the new one)."""

from collections.abc import Sequence

from scloud_auth.domain import TwoFactor
from scloud_auth.ports import TwoFactorRepository
from scloud_common.transfer import TransferRecord, WriteOutcome

TWO_FACTOR = "auth.two_factor"


def two_factor_record(two_factor: TwoFactor) -> TransferRecord:
    return TransferRecord(
        TWO_FACTOR,
        two_factor.user_id,
        {
            "secret": two_factor.secret,
            "pending_secret": two_factor.pending_secret,
            "last_used_step": two_factor.last_used_step,
            "recovery_code_hashes": sorted(two_factor.recovery_code_hashes),
            "recovery_salt": two_factor.recovery_salt,
            "enabled_at": two_factor.enabled_at,
        },
    )


def two_factor_of(record: TransferRecord) -> TwoFactor:
    body = record.body
    return TwoFactor(
        user_id=record.key,
        secret=body["secret"],
        pending_secret=body["pending_secret"],
        last_used_step=body["last_used_step"],
        recovery_code_hashes=frozenset(body["recovery_code_hashes"]),
        recovery_salt=body["recovery_salt"],
        enabled_at=body["enabled_at"],
    )


async def write_two_factor(repository: TwoFactorRepository, records: Sequence[TransferRecord]) -> WriteOutcome:
    """Saves each record's settings unless the user's stored ones are equal already."""
    outcome = WriteOutcome()
    for record in records:
        existing = await repository.get(record.key)
        if existing is not None and two_factor_record(existing) == record:
            outcome += WriteOutcome(unchanged=1)
            continue
        await repository.save(two_factor_of(record))
        outcome += WriteOutcome(written=1)
    return outcome
