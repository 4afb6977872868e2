"""FastAPI dependencies for the caller's identity, shared by every service's `http/deps.py`."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from scloud_common.errors import Unauthenticated
from scloud_common.tokens import AccessClaims, AccessTokenVerifier

BEARER_SCHEME = "HTTPBearer"
# Its own scheme name marks the routes where the token is optional, which the OpenAPI document
# then states (scloud_common.web.document_shared_errors).
OPTIONAL_BEARER_SCHEME = "OptionalHTTPBearer"
_DESCRIPTION = "Access token from /api/v1/auth (login, register, refresh)."

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
