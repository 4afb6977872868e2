from typing import Annotated

from fastapi import Depends, Request

from scloud_auth.config import AuthSettings
from scloud_auth.service import AuthService
from scloud_common.auth_deps import CurrentUser, OptionalUser

__all__ = ["AuthServiceDep", "CurrentUser", "OptionalUser", "SettingsDep"]


def get_service(request: Request) -> AuthService:
    return request.app.state.container.service


def get_settings(request: Request) -> AuthSettings:
    return request.app.state.settings


AuthServiceDep = Annotated[AuthService, Depends(get_service)]
SettingsDep = Annotated[AuthSettings, Depends(get_settings)]
