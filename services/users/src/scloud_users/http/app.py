from fastapi import FastAPI

from scloud_common.lifespan import service_lifespan
from scloud_common.web import create_app as create_base_app
from scloud_users.bootstrap import bootstrap
from scloud_users.config import UsersSettings
from scloud_users.grpc.servicer import CALLER_POLICY, SERVICE_NAME, register_servicers
from scloud_users.http.routes import router


def create_app(settings: UsersSettings, *, build_container=bootstrap) -> FastAPI:
    app = create_base_app(
        docs=settings.environment == "development",
        title="SCloud users",
        description="The signed-in user's profile, storage figures and account deletion.",
        lifespan=service_lifespan(
            settings,
            build_container=build_container,
            register_servicers=register_servicers,
            grpc_service_names=[SERVICE_NAME],
            caller_policy=CALLER_POLICY,
        ),
    )
    app.include_router(router)
    return app
