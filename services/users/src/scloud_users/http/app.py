from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from scloud_common.lifespan import ServiceContainer, create_service_app
from scloud_users.bootstrap import bootstrap
from scloud_users.config import UsersSettings
from scloud_users.grpc.servicer import GRPC_API
from scloud_users.http.routes import router
from scloud_users.service import UserService


def create_app(
    settings: UsersSettings,
    *,
    build_container: Callable[[UsersSettings], Awaitable[ServiceContainer[UserService]]] = bootstrap,
) -> FastAPI:
    return create_service_app(
        settings,
        title="SCloud users",
        description="The signed-in user's profile, storage figures and account deletion.",
        router=router,
        build_container=build_container,
        grpc_api=GRPC_API,
    )
