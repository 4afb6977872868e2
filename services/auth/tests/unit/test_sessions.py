"""Sessions: refresh and its rotation, sign-out, the list, and access tokens ending with them."""

import pytest

from scloud_auth.domain import (
    InvalidRefreshToken,
    SessionNotFound,
)
from scloud_common.tokens import InvalidAccessToken
from services.auth.tests.unit.account_steps import PASSWORD, register, verifier_for


async def test_refresh_rotates_the_token_and_the_old_one_stops_working(auth):
    first = await register(auth)
    second = await auth.sessions.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(first.refresh_token)
    third = await auth.sessions.refresh(second.refresh_token)
    assert third.user.user_id == first.user.user_id


async def test_reusing_a_rotated_token_after_the_grace_window_revokes_the_session(auth, clock):
    first = await register(auth)
    second = await auth.sessions.refresh(first.refresh_token)
    clock.now += 120
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(second.refresh_token)


async def test_a_concurrent_refresh_within_the_grace_window_keeps_the_session(auth, clock):
    first = await register(auth)
    second = await auth.sessions.refresh(first.refresh_token)
    clock.now += 2
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(first.refresh_token)
    assert (await auth.sessions.refresh(second.refresh_token)).user.user_id == first.user.user_id


async def test_refresh_after_expiry_fails(auth, clock):
    first = await register(auth)
    clock.now += 3601
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(first.refresh_token)


async def test_refreshes_extend_the_idle_timeout(auth, clock):
    issued = await register(auth)
    for _ in range(3):
        clock.now += 3000
        issued = await auth.sessions.refresh(issued.refresh_token)
        assert issued.refresh_token_expires_at == int(clock.now) + 3600
    assert (await auth.sessions.refresh(issued.refresh_token)).user.user_id == issued.user.user_id


async def test_refreshes_do_not_extend_the_absolute_lifetime(auth, clock):
    issued = await register(auth)
    signed_in_at = int(clock.now)
    while clock.now + 3000 < signed_in_at + 4 * 3600:
        clock.now += 3000
        issued = await auth.sessions.refresh(issued.refresh_token)
    assert issued.refresh_token_expires_at == signed_in_at + 4 * 3600
    session_id = issued.refresh_token.partition(".")[0]
    clock.now = signed_in_at + 4 * 3600
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(issued.refresh_token)
    assert not await auth.sessions.is_session_active(session_id, issued.user.user_id)


@pytest.mark.parametrize("token", ["", "nodot", ".secret", "unknown-session.secret"])
async def test_refresh_with_garbage_fails(auth, token):
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(token)


async def test_logout_revokes_the_session(auth):
    issued = await register(auth)
    await auth.sessions.logout(refresh_token=issued.refresh_token, session_id=None)
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(issued.refresh_token)
    await auth.sessions.logout(refresh_token=issued.refresh_token, session_id=None)


async def test_revoke_user_sessions_ends_every_session(auth):
    first = await register(auth)
    second = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    assert await auth.sessions.revoke_user_sessions(first.user.user_id) == 2
    for issued in (first, second):
        with pytest.raises(InvalidRefreshToken):
            await auth.sessions.refresh(issued.refresh_token)


async def test_an_access_token_dies_with_its_session(auth, signer):
    issued = await register(auth)
    verifier = verifier_for(auth, signer)
    await verifier.verify(issued.access_token)
    await auth.sessions.logout(refresh_token=issued.refresh_token, session_id=None)
    with pytest.raises(InvalidAccessToken):
        await verifier.verify(issued.access_token)


async def test_a_session_is_only_active_for_its_own_user(auth):
    issued = await register(auth)
    other = await register(auth, "bob@example.com")
    session_id = issued.refresh_token.partition(".")[0]
    assert await auth.sessions.is_session_active(session_id, issued.user.user_id)
    assert not await auth.sessions.is_session_active(session_id, other.user.user_id)
    assert not await auth.sessions.is_session_active("unknown", issued.user.user_id)


async def test_an_expired_session_is_not_active(auth, clock):
    issued = await register(auth)
    clock.now += 3601
    assert not await auth.sessions.is_session_active(issued.refresh_token.partition(".")[0], issued.user.user_id)


async def test_sessions_are_listed_newest_first_with_their_device(auth, clock):
    first = await auth.registration.register(
        email="ada@example.com",
        username="Ada",
        password=PASSWORD,
        gender=None,
        date_of_birth=None,
        user_agent="Firefox\x00 on\n Linux",
    )
    clock.now += 10
    second = await auth.sign_in.login(email="ada@example.com", password=PASSWORD, user_agent="x" * 500)
    clock.now += 10
    await auth.sessions.refresh(first.refresh_token)
    listed = await auth.sessions.list_sessions(first.user.user_id)
    assert [s.session_id for s in listed] == [
        second.refresh_token.partition(".")[0],
        first.refresh_token.partition(".")[0],
    ]
    assert listed[1].user_agent == "Firefox on Linux"
    assert len(listed[0].user_agent) == 200
    assert listed[1].last_used_at == int(clock.now)
    assert listed[0].last_used_at == listed[0].created_at


async def test_revoked_sessions_are_not_listed_and_cannot_be_revoked_again(auth):
    issued = await register(auth)
    session_id = issued.refresh_token.partition(".")[0]
    await auth.sessions.revoke_session(issued.user.user_id, session_id)
    assert await auth.sessions.list_sessions(issued.user.user_id) == []
    with pytest.raises(SessionNotFound):
        await auth.sessions.revoke_session(issued.user.user_id, session_id)


async def test_another_users_session_cannot_be_revoked(auth):
    issued = await register(auth)
    other = await register(auth, "bob@example.com")
    with pytest.raises(SessionNotFound):
        await auth.sessions.revoke_session(other.user.user_id, issued.refresh_token.partition(".")[0])
    await auth.sessions.refresh(issued.refresh_token)


async def test_logout_with_a_forged_cookie_ends_nothing_but_the_callers_own_session(auth):
    victim = await register(auth)
    attacker = await register(auth, "mallory@example.com")
    victim_session = victim.refresh_token.partition(".")[0]
    attacker_session = attacker.refresh_token.partition(".")[0]
    await auth.sessions.logout(refresh_token=f"{victim_session}.anything", session_id=None)
    await auth.sessions.logout(refresh_token=f"{victim_session}.anything", session_id=attacker_session)
    assert await auth.sessions.is_session_active(victim_session, victim.user.user_id)
    assert not await auth.sessions.is_session_active(attacker_session, attacker.user.user_id)
    await auth.sessions.refresh(victim.refresh_token)


async def test_logout_accepts_the_previous_cookie_right_after_a_rotation(auth, clock):
    first = await register(auth)
    await auth.sessions.refresh(first.refresh_token)
    clock.now += 2
    await auth.sessions.logout(refresh_token=first.refresh_token, session_id=None)
    assert not await auth.sessions.is_session_active(first.refresh_token.partition(".")[0], first.user.user_id)
