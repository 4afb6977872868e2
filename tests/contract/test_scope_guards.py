"""Every route of every service that serves a signed-in caller holds personal access tokens to a
scope (`require_scope`) or refuses them (`AccountLevel`): a route added without either would let
any token, whatever its scopes, through."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from scloud_auth.http.routes import router as auth_router
from scloud_common.auth_deps import optional_access_claims, refuse_personal_access_token, require_access_claims
from scloud_files.http.app import _api as files_api
from scloud_users.http.routes import router as users_router

# Routes where any valid token may act, by design.
ANY_TOKEN = {
    # A token reads its own description (what it is, not what others are).
    ("GET", "/auth/tokens/current"),
    # Signing out with a token ends no session (a token has none); the route takes the cookie.
    ("POST", "/auth/logout"),
}


def calls_of(dependant: Dependant) -> set[object]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= calls_of(sub)
    return found


def unguarded_routes(router: APIRouter) -> list[tuple[str, str]]:
    unguarded = []
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        calls = calls_of(route.dependant)
        if not calls & {require_access_claims, optional_access_claims}:
            continue
        guarded = refuse_personal_access_token in calls or any(
            getattr(call, "__name__", "") == "check_scope" for call in calls
        )
        for method in route.methods:
            if not guarded and (method, route.path) not in ANY_TOKEN:
                unguarded.append((method, route.path))
    return unguarded


def test_every_signed_in_route_of_auth_users_and_files_is_scoped_or_refuses_tokens():
    for router in (auth_router, users_router, files_api()):
        assert unguarded_routes(router) == []


def test_the_check_finds_a_route_without_a_guard():
    bare = APIRouter()

    @bare.get("/api/bare")
    async def bare_route(claims: object = None) -> None: ...

    @bare.get("/api/unguarded")
    async def unguarded(claims: Annotated[object, Depends(require_access_claims)]) -> None: ...

    assert unguarded_routes(bare) == [("GET", "/api/unguarded")]
