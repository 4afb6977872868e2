from typing import Annotated

from fastapi import Depends, Request

from scloud_auth.config import AuthSettings
from scloud_auth.domain import CrossSiteRequest
from scloud_auth.service import AuthService
from scloud_common.auth_deps import CurrentUser, OptionalUser

__all__ = ["AuthServiceDep", "CurrentUser", "OptionalUser", "SameOrigin", "SettingsDep"]

# What browsers send in Sec-Fetch-Site for a request made by our own page, or typed by the user.
TRUSTED_FETCH_SITES = ("same-origin", "none")


def get_service(request: Request) -> AuthService:
    service: AuthService = request.app.state.container.service
    return service


def get_settings(request: Request) -> AuthSettings:
    settings: AuthSettings = request.app.state.settings
    return settings


def require_same_origin(request: Request) -> None:
    """The refresh cookie goes with any request to /api/auth, whoever's page made it: routes that
    act on the cookie alone only serve requests from our own origin."""
    settings: AuthSettings = request.app.state.settings
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in TRUSTED_FETCH_SITES:
        raise CrossSiteRequest()
    origin = request.headers.get("origin")
    if origin is not None and origin.rstrip("/") not in settings.allowed_origins:
        raise CrossSiteRequest()


AuthServiceDep = Annotated[AuthService, Depends(get_service)]
SettingsDep = Annotated[AuthSettings, Depends(get_settings)]
SameOrigin = Depends(require_same_origin)
