"""Changing the password from the profile (recovery use case); its mail is in test_account_mail."""

import pytest

from scloud_auth.domain import (
    InvalidCredentials,
    InvalidRefreshToken,
)
from scloud_auth.signing import SignerKeySource
from scloud_common.tokens import AccessTokenVerifier, InvalidAccessToken
from services.auth.tests.unit.account_steps import PASSWORD, register, verifier_for


async def test_password_change_keeps_this_session_and_revokes_the_others(auth, signer):
    here = await register(auth)
    elsewhere = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    verifier = AccessTokenVerifier(SignerKeySource(signer), session_source=auth.sessions, issuer="iss", audience="aud")
    claims = await verifier.verify(here.access_token)
    await auth.recovery.change_password(
        user_id=claims.user_id, session_id=claims.session_id, current_password=PASSWORD, new_password="new password 22"
    )
    await auth.sessions.refresh(here.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(elsewhere.refresh_token)
    with pytest.raises(InvalidCredentials):
        await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    assert (
        await auth.sign_in.login(email="ada@example.com", password="new password 22")
    ).user.user_id == claims.user_id


async def test_password_change_with_wrong_current_password_changes_nothing(auth):
    issued = await register(auth)
    with pytest.raises(InvalidCredentials):
        await auth.recovery.change_password(
            user_id=issued.user.user_id, session_id="x", current_password="nope nope 1", new_password="new password 22"
        )
    await auth.sign_in.login(email="ada@example.com", password=PASSWORD)


async def test_password_change_ends_the_access_tokens_of_other_sessions(auth, signer):
    here = await register(auth)
    elsewhere = await auth.sign_in.login(email="ada@example.com", password=PASSWORD)
    verifier = verifier_for(auth, signer)
    claims = await verifier.verify(here.access_token)
    await auth.recovery.change_password(
        user_id=claims.user_id, session_id=claims.session_id, current_password=PASSWORD, new_password="new password 22"
    )
    await verifier.verify(here.access_token)
    with pytest.raises(InvalidAccessToken):
        await verifier.verify(elsewhere.access_token)
