from typing import Annotated

from fastapi import Depends, Request

from scloud_common.auth_deps import CurrentUser
from scloud_users.service import UserService

__all__ = ["CurrentUser", "UserServiceDep"]


# A coroutine: FastAPI runs a plain function in a worker thread, a hop on each request.
async def get_service(request: Request) -> UserService:
    service: UserService = request.app.state.container.service
    return service


UserServiceDep = Annotated[UserService, Depends(get_service)]
