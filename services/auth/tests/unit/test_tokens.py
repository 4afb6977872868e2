import asyncio
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scloud_auth.signing import AccessTokenSigner, SignerKeySource
from scloud_common.errors import ServiceUnavailable
from scloud_common.tokens import (
    CLOCK_SKEW_SECONDS,
    AccessClaims,
    AccessTokenVerifier,
    InvalidAccessToken,
    SessionStatusCache,
    VerifiedTokenCache,
)


class CountingKeySource:
    def __init__(self, signer: AccessTokenSigner) -> None:
        self.signer = signer
        self.calls = 0

    async def fetch_public_keys(self):
        self.calls += 1
        return self.signer.public_keys()


@pytest.fixture
def signer() -> AccessTokenSigner:
    return AccessTokenSigner.generate(issuer="scloud-auth", audience="scloud", ttl_seconds=900)


class AlwaysActive:
    async def is_session_active(self, session_id: str, user_id: str) -> bool:
        return True


def verifier_for(source) -> AccessTokenVerifier:
    return AccessTokenVerifier(
        source, session_source=AlwaysActive(), issuer="scloud-auth", audience="scloud", min_refresh_seconds=0
    )


async def test_valid_token_verifies_and_keys_are_cached(signer):
    source = CountingKeySource(signer)
    verifier = verifier_for(source)
    token, _ = signer.sign(user_id="u1", session_id="s1", now=int(time.time()))
    for _ in range(3):
        claims = await verifier.verify(token)
    assert (claims.user_id, claims.session_id) == ("u1", "s1")
    assert source.calls == 1


async def test_rotated_key_is_fetched_on_unknown_key_id(signer):
    source = CountingKeySource(signer)
    verifier = verifier_for(source)
    await verifier.verify(signer.sign(user_id="u1", session_id="s1", now=int(time.time()))[0])
    source.signer = AccessTokenSigner.generate(issuer="scloud-auth", audience="scloud", ttl_seconds=900)
    claims = await verifier.verify(source.signer.sign(user_id="u2", session_id="s2", now=int(time.time()))[0])
    assert claims.user_id == "u2"
    assert source.calls == 2


async def test_expired_token_is_refused(signer):
    token, _ = signer.sign(user_id="u1", session_id="s1", now=int(time.time()) - 1000)
    with pytest.raises(InvalidAccessToken):
        await verifier_for(SignerKeySource(signer)).verify(token)


async def test_token_of_another_key_with_same_kid_is_refused(signer):
    forged = jwt.encode(
        {
            "sub": "u1",
            "sid": "s",
            "iss": "scloud-auth",
            "aud": "scloud",
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
        },
        Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={"kid": signer.key_id},
    )
    with pytest.raises(InvalidAccessToken):
        await verifier_for(SignerKeySource(signer)).verify(forged)


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
async def test_other_algorithms_are_refused(signer, algorithm):
    claims = {"sub": "u1", "sid": "s", "iss": "scloud-auth", "aud": "scloud", "iat": 1, "exp": int(time.time()) + 60}
    key = "a-shared-secret-an-attacker-knows-32b" if algorithm == "HS256" else None
    token = jwt.encode(claims, key, algorithm=algorithm, headers={"kid": signer.key_id})
    with pytest.raises(InvalidAccessToken):
        await verifier_for(SignerKeySource(signer)).verify(token)


async def test_wrong_audience_is_refused(signer):
    other = AccessTokenSigner(signer._private_key, issuer="scloud-auth", audience="elsewhere", ttl_seconds=60)
    token, _ = other.sign(user_id="u1", session_id="s1", now=int(time.time()))
    with pytest.raises(InvalidAccessToken):
        await verifier_for(SignerKeySource(signer)).verify(token)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c"])
async def test_garbage_is_refused(signer, token):
    with pytest.raises(InvalidAccessToken):
        await verifier_for(SignerKeySource(signer)).verify(token)


class SwitchableSessions:
    """Auth's session answers, which a test can flip, count or make unreachable."""

    def __init__(self) -> None:
        self.active = True
        self.reachable = True
        self.calls = 0

    async def is_session_active(self, session_id: str, user_id: str) -> bool:
        self.calls += 1
        if not self.reachable:
            raise ServiceUnavailable()
        return self.active


def checking_verifier(signer, sessions, *, cache_seconds: float) -> AccessTokenVerifier:
    return AccessTokenVerifier(
        SignerKeySource(signer),
        session_source=sessions,
        issuer="scloud-auth",
        audience="scloud",
        session_cache_seconds=cache_seconds,
    )


async def test_a_revoked_session_is_refused_once_the_cached_answer_expires(signer):
    sessions = SwitchableSessions()
    verifier = checking_verifier(signer, sessions, cache_seconds=0.2)
    token, _ = signer.sign(user_id="u1", session_id="s1", now=int(time.time()))
    await verifier.verify(token)
    await verifier.verify(token)
    assert sessions.calls == 1
    sessions.active = False
    # The cache keeps its answer by the monotonic clock: wait, bounded, for the check to ask again.
    deadline = time.monotonic() + 5
    while sessions.calls == 1:
        try:
            await verifier.verify(token)
        except InvalidAccessToken:
            break
        assert time.monotonic() < deadline, "the cached session answer outlived its 0.2 s"
        await asyncio.sleep(0.02)
    assert sessions.calls == 2
    with pytest.raises(InvalidAccessToken):
        await verifier.verify(token)


async def test_auth_unreachable_without_a_fresh_answer_fails_closed(signer):
    sessions = SwitchableSessions()
    sessions.reachable = False
    verifier = checking_verifier(signer, sessions, cache_seconds=2)
    token, _ = signer.sign(user_id="u1", session_id="s1", now=int(time.time()))
    with pytest.raises(ServiceUnavailable):
        await verifier.verify(token)


async def test_any_failure_of_the_session_check_fails_closed(signer):
    class Broken:
        async def is_session_active(self, session_id: str, user_id: str) -> bool:
            raise RuntimeError("boom")

    verifier = checking_verifier(signer, Broken(), cache_seconds=2)
    token, _ = signer.sign(user_id="u1", session_id="s1", now=int(time.time()))
    with pytest.raises(ServiceUnavailable):
        await verifier.verify(token)


async def test_a_bad_signature_is_refused_without_asking_auth(signer):
    sessions = SwitchableSessions()
    verifier = checking_verifier(signer, sessions, cache_seconds=2)
    with pytest.raises(InvalidAccessToken):
        await verifier.verify("not.a.token")
    assert sessions.calls == 0


def test_session_answers_expire_and_the_cache_stays_bounded():
    now = [0.0]
    cache = SessionStatusCache(ttl_seconds=2, max_entries=2, clock=lambda: now[0])
    cache.put(("s1", "u"), True)
    cache.put(("s2", "u"), False)
    assert (cache.get(("s1", "u")), cache.get(("s2", "u"))) == (True, False)
    cache.put(("s3", "u"), True)
    assert cache.get(("s1", "u")) is None
    now[0] = 2.0
    assert cache.get(("s2", "u")) is None and cache.get(("s3", "u")) is None


class CountingDecodes(AccessTokenVerifier):
    """The verifier, counting the full checks (signature and claims) it runs."""

    decodes = 0

    async def _decode(self, token: str):
        self.decodes += 1
        return await super()._decode(token)


def counting_verifier(source, *, wall_clock=time.time) -> CountingDecodes:
    return CountingDecodes(
        source,
        session_source=AlwaysActive(),
        issuer="scloud-auth",
        audience="scloud",
        min_refresh_seconds=0,
        verified_tokens=VerifiedTokenCache(wall_clock=wall_clock),
    )


async def test_a_token_seen_before_skips_the_signature_check(signer):
    verifier = counting_verifier(SignerKeySource(signer))
    token, _ = signer.sign(user_id="u1", session_id="s1", now=int(time.time()))
    for _ in range(3):
        assert (await verifier.verify(token)).user_id == "u1"
    assert verifier.decodes == 1


async def test_a_cached_token_goes_back_to_the_full_check_when_it_expires(signer):
    """Past its expiry (with the tolerated clock skew) the cache no longer answers for a token, so
    the full check decides, and refuses it as it refuses any expired token (tested above)."""
    issued_at = int(time.time())
    now = [float(issued_at)]
    verifier = counting_verifier(SignerKeySource(signer), wall_clock=lambda: now[0])
    token, _ = signer.sign(user_id="u1", session_id="s1", now=issued_at)
    claims = await verifier.verify(token)
    now[0] = claims.expires_at + CLOCK_SKEW_SECONDS - 1
    await verifier.verify(token)
    assert verifier.decodes == 1
    now[0] = claims.expires_at + CLOCK_SKEW_SECONDS
    await verifier.verify(token)
    assert verifier.decodes == 2


async def test_a_tampered_copy_of_a_cached_token_is_refused(signer):
    verifier = counting_verifier(SignerKeySource(signer))
    token, _ = signer.sign(user_id="u1", session_id="s1", now=int(time.time()))
    await verifier.verify(token)
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(InvalidAccessToken):
        await verifier.verify(f"{header}.{payload}.{flipped}")


async def test_tokens_of_a_withdrawn_key_are_refused_even_when_cached(signer):
    source = CountingKeySource(signer)
    verifier = counting_verifier(source)
    old_token, _ = signer.sign(user_id="u1", session_id="s1", now=int(time.time()))
    await verifier.verify(old_token)
    # Auth rotates to a new key and stops announcing the old one; a token of the new key makes the
    # verifier fetch the keys again.
    source.signer = AccessTokenSigner.generate(issuer="scloud-auth", audience="scloud", ttl_seconds=900)
    await verifier.verify(source.signer.sign(user_id="u2", session_id="s2", now=int(time.time()))[0])
    with pytest.raises(InvalidAccessToken):
        await verifier.verify(old_token)


def test_verified_tokens_stay_bounded():
    cache = VerifiedTokenCache(max_entries=2, wall_clock=lambda: 0.0)
    for index in range(3):
        cache.put(f"t{index}", AccessClaims(user_id="u", session_id=f"s{index}", expires_at=100))
    assert cache.get("t0") is None
    assert cache.get("t1") is not None and cache.get("t2") is not None
