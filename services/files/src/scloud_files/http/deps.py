from typing import Annotated

from fastapi import Depends, Header, Request

from scloud_common.tokens import AccessClaims, read_bearer_token
from scloud_files.bootstrap import Container
from scloud_files.service import FileService


def get_container(request: Request) -> Container:
    return request.app.state.container


def get_service(container: Annotated[Container, Depends(get_container)]) -> FileService:
    return container.service


async def get_current_user(
    container: Annotated[Container, Depends(get_container)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> AccessClaims:
    return await container.token_verifier.verify(read_bearer_token(authorization))


FileServiceDep = Annotated[FileService, Depends(get_service)]
CurrentUser = Annotated[AccessClaims, Depends(get_current_user)]
