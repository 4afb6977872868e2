"""Personal access tokens under /api/v1/auth/tokens. Made, listed and revoked from a signed-in
browser only (`AccountLevel`); a token may read only its own description (`/current`)."""

import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from starlette.convertors import StringConvertor, register_url_convertor

from scloud_auth.http.deps import CurrentUser, PersonalAccessTokensDep
from scloud_auth.http.token_schemas import (
    CurrentPersonalAccessTokenRead,
    PersonalAccessTokenCreate,
    PersonalAccessTokenCreated,
    PersonalAccessTokenList,
    PersonalAccessTokenRead,
)
from scloud_auth.personal_tokens import TOKEN_ID_PATTERN
from scloud_common.auth_deps import AccountLevel
from scloud_common.errors import NotFound
from scloud_common.scopes import Scope
from scloud_common.web import error_responses


class TokenIdConvertor(StringConvertor):
    """`{id:token_id}` matches only a token id (12 URL-safe characters), so `/tokens/current`
    is never also one token's address: its OPTIONS names GET alone, as its document does."""

    regex = TOKEN_ID_PATTERN


register_url_convertor("token_id", TokenIdConvertor())

tokens = APIRouter(prefix="/tokens")


@tokens.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 409, 422, 503),
    dependencies=[AccountLevel],
)
async def create_token(
    body: PersonalAccessTokenCreate, user: CurrentUser, tokens_: PersonalAccessTokensDep
) -> PersonalAccessTokenCreated:
    """Creates a personal access token for scripts and emails the account about it. The answer
    holds its secret, shown this once. 409 `too_many_tokens` past 50 active tokens. Needs a
    signed-in browser: a personal access token gets 403 `token_not_allowed`."""
    issued = await tokens_.create(user.user_id, name=body.name, scopes=body.scopes, lifetime_days=body.expires_in_days)
    return PersonalAccessTokenCreated.from_issued(issued)


@tokens.get("", responses=error_responses(401, 403, 503), dependencies=[AccountLevel])
async def list_tokens(user: CurrentUser, tokens_: PersonalAccessTokensDep) -> PersonalAccessTokenList:
    """The account's personal access tokens not revoked (expired ones too, for a while), newest
    first, with their last use; never their secrets."""
    now = int(time.time())
    return PersonalAccessTokenList(
        tokens=[PersonalAccessTokenRead.from_token(t, now=now) for t in await tokens_.list_tokens(user.user_id)],
        max_lifetime_days=tokens_.max_lifetime_days,
        scopes=list(Scope),
    )


@tokens.get("/current", responses=error_responses(401, 404, 503))
async def read_current_token(user: CurrentUser) -> CurrentPersonalAccessTokenRead:
    """The personal access token making this request (any scope may read it), for a script to
    check what it holds. A browser session is 404 `not_a_personal_access_token`."""
    if user.personal_access_token_id is None:
        raise NotFound("This request was not made with a personal access token.", code="not_a_personal_access_token")
    return CurrentPersonalAccessTokenRead(
        id=user.personal_access_token_id,
        user_id=user.user_id,
        scopes=sorted(user.scopes),
        expires_at=datetime.fromtimestamp(user.expires_at, UTC),
    )


@tokens.delete(
    "/{id:token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422, 503),
    dependencies=[AccountLevel],
)
async def revoke_token(
    token_id: Annotated[str, Path(alias="id", max_length=64)], user: CurrentUser, tokens_: PersonalAccessTokensDep
) -> Response:
    """Revokes one of the account's tokens; every service refuses it within seconds. Another
    account's token, or one already revoked, is 404 `token_not_found`."""
    await tokens_.revoke(user.user_id, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
