from typing import Annotated

from fastapi import Depends, Request

from scloud_auth.config import AuthSettings
from scloud_auth.domain import CrossSiteRequest
from scloud_auth.personal_tokens import PersonalAccessTokens
from scloud_auth.recovery import Recovery
from scloud_auth.registration import Registration
from scloud_auth.sessions import Sessions
from scloud_auth.sign_in import SignIn
from scloud_auth.two_factor import TwoFactorSettings
from scloud_auth.use_cases import AuthUseCases
from scloud_common.auth_deps import CurrentUser, OptionalUser

__all__ = [
    "CurrentUser",
    "OptionalUser",
    "PersonalAccessTokensDep",
    "RecoveryDep",
    "RegistrationDep",
    "SameOrigin",
    "SessionsDep",
    "SettingsDep",
    "SignInDep",
    "TwoFactorDep",
]

# What browsers send in Sec-Fetch-Site for a request made by our own page, or typed by the user.
TRUSTED_FETCH_SITES = ("same-origin", "none")


# Every dependency is a coroutine: FastAPI runs a plain function in a worker thread, a thread
# hop on each request for an attribute read.
def get_use_cases(request: Request) -> AuthUseCases:
    use_cases: AuthUseCases = request.app.state.container.service
    return use_cases


async def get_registration(request: Request) -> Registration:
    return get_use_cases(request).registration


async def get_sign_in(request: Request) -> SignIn:
    return get_use_cases(request).sign_in


async def get_sessions(request: Request) -> Sessions:
    return get_use_cases(request).sessions


async def get_two_factor(request: Request) -> TwoFactorSettings:
    return get_use_cases(request).two_factor


async def get_recovery(request: Request) -> Recovery:
    return get_use_cases(request).recovery


async def get_personal_access_tokens(request: Request) -> PersonalAccessTokens:
    return get_use_cases(request).personal_access_tokens


async def get_settings(request: Request) -> AuthSettings:
    settings: AuthSettings = request.app.state.settings
    return settings


async def require_same_origin(request: Request) -> None:
    """The refresh cookie goes with any request to /api/auth, whoever's page made it: routes that
    act on the cookie alone only serve requests from our own origin."""
    settings: AuthSettings = request.app.state.settings
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in TRUSTED_FETCH_SITES:
        raise CrossSiteRequest()
    origin = request.headers.get("origin")
    if origin is not None and origin.rstrip("/") not in settings.allowed_origins:
        raise CrossSiteRequest()


RegistrationDep = Annotated[Registration, Depends(get_registration)]
SignInDep = Annotated[SignIn, Depends(get_sign_in)]
SessionsDep = Annotated[Sessions, Depends(get_sessions)]
TwoFactorDep = Annotated[TwoFactorSettings, Depends(get_two_factor)]
RecoveryDep = Annotated[Recovery, Depends(get_recovery)]
PersonalAccessTokensDep = Annotated[PersonalAccessTokens, Depends(get_personal_access_tokens)]
SettingsDep = Annotated[AuthSettings, Depends(get_settings)]
SameOrigin = Depends(require_same_origin)
