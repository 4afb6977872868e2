from fastapi import FastAPI

from scloud_auth.bootstrap import bootstrap
from scloud_auth.config import AuthSettings
from scloud_auth.grpc.servicer import CALLER_POLICY, SERVICE_NAME, register_servicers
from scloud_auth.http.routes import router
from scloud_common.lifespan import service_lifespan
from scloud_common.web import create_app as create_base_app


def create_app(settings: AuthSettings, *, build_container=bootstrap) -> FastAPI:
    app = create_base_app(
        docs=settings.environment == "development",
        title="SCloud auth",
        description="Registration, sign-in and sessions. Access tokens are short-lived EdDSA JWTs; "
        "the refresh token travels only in an HttpOnly cookie scoped to /api/auth.",
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
