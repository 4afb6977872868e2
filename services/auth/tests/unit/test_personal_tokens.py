"""Personal access tokens as their owner and the services see them: created with a name, scopes
and a lifetime, shown once and stored hashed, listed, revoked, refused once expired or revoked."""

import hashlib

import pytest

from scloud_auth.domain import InvalidTokenLifetime, PersonalAccessTokenNotFound, TooManyPersonalAccessTokens
from scloud_auth.personal_tokens import DAY_SECONDS, LAST_USE_RESOLUTION_SECONDS, MAX_ACTIVE_TOKENS
from scloud_common.scopes import PERSONAL_ACCESS_TOKEN_PATTERN, Scope
from services.auth.tests.unit.account_steps import register, set_locked

READ = [Scope.FILES_READ]


async def create(auth, user_id, *, name="backup", scopes=READ, days=30):
    return await auth.personal_access_tokens.create(user_id, name=name, scopes=scopes, lifetime_days=days)


async def test_a_new_token_has_the_recognisable_format_and_only_its_hash_is_stored(
    auth, personal_access_token_repository
):
    user = (await register(auth)).user
    issued = await create(auth, user.user_id, scopes=[Scope.FILES_READ, Scope.SHARES_WRITE])
    assert PERSONAL_ACCESS_TOKEN_PATTERN.fullmatch(issued.secret)
    (stored,) = personal_access_token_repository.tokens.values()
    assert stored.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in repr(stored)
    assert stored.scopes == {Scope.FILES_READ, Scope.SHARES_WRITE}
    assert stored.expires_at == stored.created_at + 30 * DAY_SECONDS


async def test_creating_a_token_mails_its_owner(auth, outbox, mailer):
    user = (await register(auth)).user
    await outbox.drain()
    mailer.sent.clear()
    await create(auth, user.user_id, name="nightly backup", scopes=[Scope.FILES_READ])
    await outbox.drain()
    (message,) = mailer.sent
    assert message.to == user.email
    assert message.subject.endswith("a personal access token was created")
    assert "nightly backup" in message.text and "files:read" in message.text


@pytest.mark.parametrize("days", [0, 91])
async def test_a_lifetime_beyond_the_maximum_is_refused(auth, days):
    user = (await register(auth)).user
    with pytest.raises(InvalidTokenLifetime):
        await create(auth, user.user_id, days=days)


async def test_the_maximum_lifetime_is_allowed(auth):
    user = (await register(auth)).user
    issued = await create(auth, user.user_id, days=90)
    assert issued.token.expires_at - issued.token.created_at == 90 * DAY_SECONDS


async def test_a_check_answers_owner_scopes_and_id(auth):
    user = (await register(auth)).user
    issued = await create(auth, user.user_id, scopes=[Scope.FILES_WRITE])
    status = await auth.personal_access_tokens.check_personal_access_token(issued.secret)
    assert status is not None
    assert (status.user_id, status.token_id, status.scopes) == (
        user.user_id,
        issued.token.token_id,
        {Scope.FILES_WRITE},
    )


async def test_unknown_and_malformed_tokens_are_refused(auth):
    check = auth.personal_access_tokens.check_personal_access_token
    assert await check("scloud_pat_" + "A" * 43) is None
    assert await check("scloud_pat_short") is None
    assert await check("not a token") is None


async def test_an_expired_token_is_refused(auth, clock):
    user = (await register(auth)).user
    issued = await create(auth, user.user_id, days=1)
    clock.now += DAY_SECONDS - 1
    assert await auth.personal_access_tokens.check_personal_access_token(issued.secret) is not None
    clock.now += 1
    assert await auth.personal_access_tokens.check_personal_access_token(issued.secret) is None


async def test_a_revoked_token_is_refused_and_leaves_the_list(auth):
    user = (await register(auth)).user
    kept = await create(auth, user.user_id, name="kept")
    revoked = await create(auth, user.user_id, name="revoked")
    await auth.personal_access_tokens.revoke(user.user_id, revoked.token.token_id)
    assert await auth.personal_access_tokens.check_personal_access_token(revoked.secret) is None
    assert [t.name for t in await auth.personal_access_tokens.list_tokens(user.user_id)] == ["kept"]
    assert await auth.personal_access_tokens.check_personal_access_token(kept.secret) is not None


async def test_the_list_is_newest_first_and_holds_only_the_owners_tokens(auth, clock):
    ada = (await register(auth)).user
    bob = (await register(auth, email="bob@example.com")).user
    await create(auth, ada.user_id, name="first")
    clock.now += 10
    await create(auth, ada.user_id, name="second")
    await create(auth, bob.user_id, name="bob's")
    assert [t.name for t in await auth.personal_access_tokens.list_tokens(ada.user_id)] == ["second", "first"]


async def test_nobody_revokes_another_accounts_token_or_one_twice(auth):
    ada = (await register(auth)).user
    bob = (await register(auth, email="bob@example.com")).user
    issued = await create(auth, ada.user_id)
    with pytest.raises(PersonalAccessTokenNotFound):
        await auth.personal_access_tokens.revoke(bob.user_id, issued.token.token_id)
    assert await auth.personal_access_tokens.check_personal_access_token(issued.secret) is not None
    await auth.personal_access_tokens.revoke(ada.user_id, issued.token.token_id)
    with pytest.raises(PersonalAccessTokenNotFound):
        await auth.personal_access_tokens.revoke(ada.user_id, issued.token.token_id)


async def test_last_use_is_recorded_at_most_once_a_minute(auth, clock, personal_access_token_repository):
    user = (await register(auth)).user
    issued = await create(auth, user.user_id)
    check = auth.personal_access_tokens.check_personal_access_token
    first_use = int(clock.now)
    await check(issued.secret)
    clock.now += LAST_USE_RESOLUTION_SECONDS - 1
    await check(issued.secret)
    (stored,) = personal_access_token_repository.tokens.values()
    assert stored.last_used_at == first_use
    clock.now += 1
    await check(issued.secret)
    (stored,) = personal_access_token_repository.tokens.values()
    assert stored.last_used_at == first_use + LAST_USE_RESOLUTION_SECONDS


async def test_an_account_holds_a_bounded_number_of_active_tokens(auth, personal_access_token_repository):
    user = (await register(auth)).user
    for index in range(MAX_ACTIVE_TOKENS):
        await create(auth, user.user_id, name=f"t{index}")
    with pytest.raises(TooManyPersonalAccessTokens):
        await create(auth, user.user_id)
    first = next(iter(personal_access_token_repository.tokens))
    await auth.personal_access_tokens.revoke(user.user_id, first)
    await create(auth, user.user_id)


async def test_forgetting_a_user_forgets_their_tokens(auth):
    user = (await register(auth)).user
    issued = await create(auth, user.user_id)
    await auth.personal_access_tokens.forget_user(user.user_id)
    assert await auth.personal_access_tokens.check_personal_access_token(issued.secret) is None
    assert await auth.personal_access_tokens.list_tokens(user.user_id) == []


async def test_a_token_of_a_locked_account_is_refused_until_unlocked(auth, users):
    user = (await register(auth)).user
    issued = await create(auth, user.user_id)
    set_locked(users, user.user_id, True)
    assert await auth.personal_access_tokens.check_personal_access_token(issued.secret) is None
    set_locked(users, user.user_id, False)
    assert await auth.personal_access_tokens.check_personal_access_token(issued.secret) is not None


async def test_a_token_of_a_deleted_account_is_refused(auth, users):
    user = (await register(auth)).user
    issued = await create(auth, user.user_id)
    del users.credentials[user.user_id]
    assert await auth.personal_access_tokens.check_personal_access_token(issued.secret) is None
