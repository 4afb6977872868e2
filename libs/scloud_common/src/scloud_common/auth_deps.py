"""FastAPI dependencies for the caller's identity, shared by every service's `http/deps.py`, and
the guards that hold personal access tokens to their scopes."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from scloud_common.errors import Unauthenticated
from scloud_common.scopes import Scope, TokenNotAllowed, is_personal_access_token
from scloud_common.tokens import AccessClaims, AccessTokenVerifier

BEARER_SCHEME = "HTTPBearer"
# Its own scheme name marks the routes where the token is optional, which the OpenAPI document
# then states (scloud_common.web.document_shared_errors).
OPTIONAL_BEARER_SCHEME = "OptionalHTTPBearer"
_DESCRIPTION = (
    "Access token from /api/v1/auth (login, register, refresh), or a personal access token "
    "(`scloud_pat_...`, limited to its scopes)."
)

# auto_error=False: a missing token must give our JSON 401, not FastAPI's 403.
_bearer = HTTPBearer(auto_error=False, scheme_name=BEARER_SCHEME, description=_DESCRIPTION)
_optional_bearer = HTTPBearer(auto_error=False, scheme_name=OPTIONAL_BEARER_SCHEME, description=_DESCRIPTION)


async def require_access_claims(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> AccessClaims:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated()
    verifier: AccessTokenVerifier = request.app.state.container.token_verifier
    return await verifier.verify(credentials.credentials)


async def optional_access_claims(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)]
) -> AccessClaims | None:
    try:
        return await require_access_claims(request, credentials)
    except Unauthenticated:
        return None


CurrentUser = Annotated[AccessClaims, Depends(require_access_claims)]
OptionalUser = Annotated[AccessClaims | None, Depends(optional_access_claims)]


# Methods that change nothing; every other one needs the write scope.
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _presented_personal_access_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and is_personal_access_token(token):
        return token
    return None


def require_scope(read: Scope, write: Scope | None = None) -> Any:
    """A dependency for a router (or route): a personal access token needs `read` for GET and
    HEAD, `write` (default: `read`) for any other method; 403 `insufficient_scope` otherwise.

    It does not itself require a caller, so a router may hold public routes too: requests without
    a personal access token pass on to the route's own `CurrentUser` (session tokens have every
    scope). The token's check is the one `CurrentUser` then reuses from the verifier's cache."""
    write_scope = write or read

    async def check_scope(request: Request) -> None:
        token = _presented_personal_access_token(request)
        if token is None:
            return
        verifier: AccessTokenVerifier = request.app.state.container.token_verifier
        claims = await verifier.verify(token)
        claims.require(read if request.method in _READ_METHODS else write_scope)

    return Depends(check_scope)


async def refuse_personal_access_token(request: Request) -> None:
    if _presented_personal_access_token(request) is not None:
        raise TokenNotAllowed()


# For account-level routes (password, two-factor, deletion, sessions, tokens, email): signed-in
# browsers only; a personal access token, valid or not, gets 403 `token_not_allowed` whatever
# its scopes, before anything else is checked.
AccountLevel = Depends(refuse_personal_access_token)
