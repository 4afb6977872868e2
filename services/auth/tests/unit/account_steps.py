"""Steps the auth unit tests share: a registered account, two-factor turned on, a verifier that
asks the sessions use case about every token."""

import dataclasses

import pyotp

from scloud_auth.signing import AccessTokenSigner, SignerKeySource
from scloud_auth.use_cases import AuthUseCases
from scloud_common.tokens import AccessTokenVerifier

PASSWORD = "correct horse 1"


async def register(auth: AuthUseCases, email: str = "Ada@Example.com"):
    return await auth.registration.register(
        email=email, username="Ada", password=PASSWORD, gender=None, date_of_birth=None
    )


async def enable_two_factor(auth: AuthUseCases, user_id: str, clock) -> tuple[pyotp.TOTP, list[str]]:
    setup = await auth.two_factor.begin_setup(user_id, password=PASSWORD)
    assert setup.provisioning_uri.startswith("otpauth://totp/SCloud:ada%40example.com?secret=")
    assert setup.qr_code.startswith("data:image/svg+xml")
    app = pyotp.TOTP(setup.secret)
    recovery_codes = await auth.two_factor.confirm(user_id, app.at(clock.now))
    return app, recovery_codes


def verifier_for(auth: AuthUseCases, signer: AccessTokenSigner) -> AccessTokenVerifier:
    return AccessTokenVerifier(
        SignerKeySource(signer), session_source=auth.sessions, issuer="iss", audience="aud", session_cache_seconds=0
    )


def set_locked(users, user_id: str, locked: bool) -> None:
    """What an operator's lock (or unlock) does to the account in the users service."""
    credentials = users.credentials[user_id]
    users.credentials[user_id] = dataclasses.replace(
        credentials, user=dataclasses.replace(credentials.user, locked=locked)
    )
