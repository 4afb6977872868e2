from typing import Annotated

from fastapi import Depends, Header, Request

from scloud_auth.bootstrap import Container
from scloud_auth.config import AuthSettings
from scloud_auth.service import AuthService
from scloud_common.errors import Unauthenticated
from scloud_common.tokens import AccessClaims, read_bearer_token


def get_container(request: Request) -> Container:
    return request.app.state.container


def get_service(container: Annotated[Container, Depends(get_container)]) -> AuthService:
    return container.service


def get_settings(container: Annotated[Container, Depends(get_container)]) -> AuthSettings:
    return container.settings


async def get_current_user(
    container: Annotated[Container, Depends(get_container)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> AccessClaims:
    return await container.token_verifier.verify(read_bearer_token(authorization))


async def get_optional_user(
    container: Annotated[Container, Depends(get_container)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> AccessClaims | None:
    if not authorization:
        return None
    try:
        return await container.token_verifier.verify(read_bearer_token(authorization))
    except Unauthenticated:
        return None


AuthServiceDep = Annotated[AuthService, Depends(get_service)]
SettingsDep = Annotated[AuthSettings, Depends(get_settings)]
CurrentUser = Annotated[AccessClaims, Depends(get_current_user)]
OptionalUser = Annotated[AccessClaims | None, Depends(get_optional_user)]
