"""Auth's counters move on their events: session checks, revocations by reason, refused
credential checks; and use cases built outside a service's lifespan record nothing."""

import pytest

from scloud_auth.domain import InvalidCredentials, InvalidRefreshToken, TooManyAttempts
from scloud_auth.signing import SignerKeySource
from scloud_auth.use_cases import AuthUseCases
from scloud_common.errors import ServiceUnavailable
from scloud_common.event_metrics import RevocationReason, current_event_metrics
from scloud_common.metrics import ServiceMetrics, building_for
from scloud_common.tokens import AccessTokenVerifier, InvalidAccessToken
from services.auth.tests.unit.account_steps import PASSWORD, register
from services.auth.tests.unit.conftest import build_auth

SESSION_CHECKS = "scloud_session_checks_total"
REVOKED = "scloud_session_revocations_total"
THROTTLED = "scloud_credential_checks_throttled_total"


def value(metrics: ServiceMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


@pytest.fixture
def metrics() -> ServiceMetrics:
    return ServiceMetrics()


@pytest.fixture
async def metered_auth(metrics, ports, signer, clock) -> AuthUseCases:
    with building_for(metrics):
        return await build_auth(ports, signer, clock)


class Unreachable:
    async def is_session_active(self, session_id: str, user_id: str) -> bool:
        raise ConnectionError("auth is down")


def verifier(metrics, signer, session_source, *, cache_seconds: float = 2.0) -> AccessTokenVerifier:
    with building_for(metrics):
        return AccessTokenVerifier(
            SignerKeySource(signer),
            session_source=session_source,
            issuer="iss",
            audience="aud",
            session_cache_seconds=cache_seconds,
        )


async def test_session_checks_count_hits_from_auth_and_from_the_cache_misses_and_auth_unreachable(
    metrics, auth, signer
):
    issued = await register(auth)
    checks = verifier(metrics, signer, auth.sessions)
    await checks.verify(issued.access_token)
    await checks.verify(issued.access_token)
    assert value(metrics, SESSION_CHECKS, outcome="active", source="auth") == 1
    assert value(metrics, SESSION_CHECKS, outcome="active", source="cache") == 1

    await auth.sessions.logout(refresh_token=issued.refresh_token, session_id=None)
    fresh = verifier(metrics, signer, auth.sessions, cache_seconds=0)
    with pytest.raises(InvalidAccessToken):
        await fresh.verify(issued.access_token)
    assert value(metrics, SESSION_CHECKS, outcome="inactive", source="auth") == 1

    with pytest.raises(ServiceUnavailable):
        await verifier(metrics, signer, Unreachable()).verify(issued.access_token)
    assert value(metrics, SESSION_CHECKS, outcome="auth_unreachable", source="auth") == 1


async def test_revocations_are_counted_by_reason_once_each_however_many_sessions_they_end(metered_auth, metrics):
    auth = metered_auth
    first = await register(auth)
    second = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    third = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    user_id = first.user.user_id

    await auth.sessions.logout(refresh_token=third.refresh_token, session_id=None)
    assert value(metrics, REVOKED, reason="sign_out") == 1

    session_id = second.refresh_token.partition(".")[0]
    await auth.sessions.revoke_session(user_id, session_id)
    assert value(metrics, REVOKED, reason="session_ended") == 1

    await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    await auth.recovery.change_password(
        user_id=user_id,
        session_id=first.refresh_token.partition(".")[0],
        current_password=PASSWORD,
        new_password="new password 22",
    )
    assert value(metrics, REVOKED, reason="password_change") == 1

    await auth.sign_in.login(email="ada@example.com", password="new password 22")
    await auth.sessions.revoke_user_sessions(user_id)
    assert value(metrics, REVOKED, reason="all_sessions") == 1

    again = await auth.sign_in.login(email="ada@example.com", password="new password 22")
    await auth.sessions.revoke_user_sessions(user_id, reason=RevocationReason.PEER_REQUEST)
    assert value(metrics, REVOKED, reason="peer_request") == 1
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(again.refresh_token)


async def test_a_replayed_refresh_token_counts_its_session_as_revoked_for_reuse(metered_auth, metrics, clock):
    issued = await register(metered_auth)
    await metered_auth.sessions.refresh(issued.refresh_token)
    clock.now += 60
    with pytest.raises(InvalidRefreshToken):
        await metered_auth.sessions.refresh(issued.refresh_token)
    assert value(metrics, REVOKED, reason="refresh_reuse") == 1


async def test_each_check_the_account_lock_refuses_is_counted(metered_auth, metrics):
    await register(metered_auth)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await metered_auth.sign_in.login(email="ada@example.com", password="wrong password 1")
    assert value(metrics, THROTTLED, reason="locked") == 0
    for _ in range(2):
        with pytest.raises(TooManyAttempts):
            await metered_auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    assert value(metrics, THROTTLED, reason="locked") == 2


async def test_use_cases_built_outside_a_lifespan_record_nothing_and_still_work(auth, metrics):
    assert current_event_metrics() is None
    issued = await register(auth)
    await auth.sessions.revoke_user_sessions(issued.user.user_id)
    exposed = [sample for family in metrics.registry.collect() for sample in family.samples if sample.value]
    assert exposed == []
