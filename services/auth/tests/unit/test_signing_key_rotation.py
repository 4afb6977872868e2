"""Rotating the token signing key without a failed request: auth announces the next key before it
signs with it, then the previous one until the tokens it signed expire (docs/operations.md)."""

import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scloud_auth.config import AuthSettings
from scloud_auth.signing import AccessTokenSigner, SignerKeySource, parse_public_keys
from scloud_common.tokens import AccessTokenVerifier, InvalidAccessToken

OPTIONS = dict(issuer="iss", audience="aud", ttl_seconds=900)


class ActiveSessions:
    async def is_session_active(self, session_id: str, user_id: str) -> bool:
        return True


class SwitchableKeySource:
    """What a verifier fetches: the public keys of whichever auth task answered last."""

    def __init__(self, signer: AccessTokenSigner) -> None:
        self.signer = signer

    async def fetch_public_keys(self):
        return await SignerKeySource(self.signer).fetch_public_keys()


def public_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def verifier(source: SwitchableKeySource) -> AccessTokenVerifier:
    return AccessTokenVerifier(
        source, session_source=ActiveSessions(), issuer="iss", audience="aud", min_refresh_seconds=0
    )


async def test_tokens_of_both_keys_verify_through_every_step_of_a_rotation():
    old_key, new_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    now = int(time.time())
    before = AccessTokenSigner(old_key, **OPTIONS)
    source = SwitchableKeySource(before)
    users = verifier(source)
    old_token, _ = before.sign(user_id="u1", session_id="s1", now=now)
    assert (await users.verify(old_token)).user_id == "u1"

    # Step 1: still signing with the old key, announcing the new one.
    source.signer = AccessTokenSigner(old_key, **OPTIONS, additional_public_keys=parse_public_keys(public_pem(new_key)))
    # Step 2: signing with the new key, announcing the old one until its tokens expire.
    after = AccessTokenSigner(new_key, **OPTIONS, additional_public_keys=parse_public_keys(public_pem(old_key)))
    new_token, _ = after.sign(user_id="u2", session_id="s2", now=now)
    source.signer = after
    assert (await users.verify(new_token)).user_id == "u2"
    assert (await users.verify(old_token)).user_id == "u1"
    assert [key.key_id for key in after.public_keys()][0] == after.key_id


async def test_without_the_previous_key_its_tokens_stop_at_once():
    old_key, new_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    now = int(time.time())
    before = AccessTokenSigner(old_key, **OPTIONS)
    old_token, _ = before.sign(user_id="u1", session_id="s1", now=now)
    source = SwitchableKeySource(AccessTokenSigner(new_key, **OPTIONS))
    with pytest.raises(InvalidAccessToken):
        await verifier(source).verify_signature(old_token)


def test_the_setting_takes_several_keys_and_refuses_what_is_not_an_ed25519_public_key():
    keys = [Ed25519PrivateKey.generate() for _ in range(2)]
    assert len(parse_public_keys("\n".join(public_pem(key) for key in keys))) == 2
    base = dict(
        environment="development",
        http_port=0,
        grpc_port=0,
        grpc_tls_ca_cert="x",
        grpc_tls_cert="x",
        grpc_tls_key="x",
        users_grpc_addr="127.0.0.1:1",
    )
    assert AuthSettings(**base, jwt_additional_public_keys=public_pem(keys[0])).jwt_additional_public_keys
    garbage = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"
    with pytest.raises(ValueError):
        AuthSettings(**base, jwt_additional_public_keys=garbage)
