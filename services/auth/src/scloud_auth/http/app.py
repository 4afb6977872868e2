from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from scloud_auth.bootstrap import bootstrap
from scloud_auth.config import AuthSettings
from scloud_auth.grpc.servicer import GRPC_API
from scloud_auth.http.routes import router
from scloud_auth.use_cases import AuthUseCases
from scloud_common.lifespan import ServiceContainer, create_service_app


def create_app(
    settings: AuthSettings,
    *,
    build_container: Callable[[AuthSettings], Awaitable[ServiceContainer[AuthUseCases]]] = bootstrap,
) -> FastAPI:
    return create_service_app(
        settings,
        title="SCloud auth",
        description="Registration, sign-in and sessions. Access tokens are short-lived EdDSA JWTs; "
        "the refresh token travels only in an HttpOnly, SameSite=Strict cookie: `__Host-scloud_refresh` "
        "(Secure, Path=/) when served over HTTPS, as in production; `scloud_refresh` on Path=/api "
        "only for plain-HTTP local runs (AUTH_COOKIE_SECURE=false).",
        router=router,
        build_container=build_container,
        grpc_api=GRPC_API,
    )
