"""The verifier every service uses accepts personal access tokens by their prefix, as auth answers
for them, with their scopes; revocations are seen once the cached answer is older than the bound."""

import time

import pytest

from scloud_common.errors import ServiceUnavailable
from scloud_common.scopes import ALL_SCOPES, MissingScope, Scope
from scloud_common.tokens import (
    AccessClaims,
    AccessTokenVerifier,
    InvalidAccessToken,
    PersonalAccessTokenAnswer,
    PersonalAccessTokenCache,
    PersonalAccessTokenStatus,
)

TOKEN = "scloud_pat_" + "a" * 43


class FakeAuth:
    def __init__(self) -> None:
        self.valid: dict[str, PersonalAccessTokenStatus] = {}
        self.calls = 0
        self.reachable = True

    async def fetch_public_keys(self):
        return []

    async def is_session_active(self, session_id: str, user_id: str) -> bool:
        return True

    async def check_personal_access_token(self, token: str) -> PersonalAccessTokenStatus | None:
        self.calls += 1
        if not self.reachable:
            raise ServiceUnavailable()
        return self.valid.get(token)


def status(*, expires_at: float | None = None, scopes=frozenset({Scope.FILES_READ})) -> PersonalAccessTokenStatus:
    return PersonalAccessTokenStatus(
        token_id="t1", user_id="u1", scopes=scopes, expires_at=int(expires_at or time.time() + 3600)
    )


def verifier(auth: FakeAuth, *, cache_seconds: float = 60) -> AccessTokenVerifier:
    return AccessTokenVerifier(
        auth,
        session_source=auth,
        personal_token_source=auth,
        issuer="iss",
        audience="aud",
        session_cache_seconds=cache_seconds,
    )


async def test_a_valid_token_gives_claims_marked_as_personal_with_its_scopes():
    auth = FakeAuth()
    auth.valid[TOKEN] = status()
    claims = await verifier(auth).verify(TOKEN)
    assert claims.is_personal_access_token
    assert (claims.user_id, claims.personal_access_token_id, claims.session_id) == ("u1", "t1", "")
    assert claims.scopes == {Scope.FILES_READ}
    claims.require(Scope.FILES_READ)
    with pytest.raises(MissingScope) as refused:
        claims.require(Scope.FILES_WRITE)
    assert refused.value.code == "insufficient_scope"
    assert refused.value.details == {"requiredScope": "files:write"}


async def test_an_unknown_token_is_refused():
    with pytest.raises(InvalidAccessToken):
        await verifier(FakeAuth()).verify(TOKEN)


async def test_answers_are_cached_for_the_bound_so_auth_is_asked_once():
    auth = FakeAuth()
    auth.valid[TOKEN] = status()
    checking = verifier(auth)
    await checking.verify(TOKEN)
    await checking.verify(TOKEN)
    assert auth.calls == 1


async def test_a_revocation_is_seen_once_the_cached_answer_is_stale():
    auth = FakeAuth()
    auth.valid[TOKEN] = status()
    checking = verifier(auth, cache_seconds=0)
    await checking.verify(TOKEN)
    del auth.valid[TOKEN]
    with pytest.raises(InvalidAccessToken):
        await checking.verify(TOKEN)


async def test_a_cached_answer_does_not_outlive_the_token():
    auth = FakeAuth()
    auth.valid[TOKEN] = status(expires_at=time.time() - 1)
    with pytest.raises(InvalidAccessToken):
        await verifier(auth).verify(TOKEN)


async def test_auth_unreachable_is_503_not_a_pass():
    auth = FakeAuth()
    auth.reachable = False
    with pytest.raises(ServiceUnavailable):
        await verifier(auth).verify(TOKEN)


async def test_without_a_token_source_every_personal_token_is_refused():
    auth = FakeAuth()
    auth.valid[TOKEN] = status()
    plain = AccessTokenVerifier(auth, session_source=auth, issuer="iss", audience="aud")
    with pytest.raises(InvalidAccessToken):
        await plain.verify(TOKEN)
    assert auth.calls == 0


def test_the_cache_forgets_answers_after_its_ttl_and_keeps_no_secret():
    now = [100.0]
    cache = PersonalAccessTokenCache(ttl_seconds=2, clock=lambda: now[0])
    key = PersonalAccessTokenCache.key(TOKEN)
    assert TOKEN not in key
    cache.put(key, PersonalAccessTokenAnswer(None))
    assert cache.get(key) == PersonalAccessTokenAnswer(None)
    now[0] += 2
    assert cache.get(key) is None


def test_session_tokens_have_every_scope():
    claims = AccessClaims(user_id="u", session_id="s", expires_at=1)
    assert claims.scopes == ALL_SCOPES and not claims.is_personal_access_token
