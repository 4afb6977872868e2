from fastapi import FastAPI

from scloud_common.lifespan import service_lifespan
from scloud_common.web import create_app as create_base_app
from scloud_files.bootstrap import bootstrap
from scloud_files.config import FilesSettings
from scloud_files.grpc.servicer import CALLER_POLICY, SERVICE_NAME, register_servicers
from scloud_files.http.routes import router


def create_app(settings: FilesSettings, *, build_container=bootstrap) -> FastAPI:
    app = create_base_app(
        docs=settings.environment == "development",
        title="SCloud files",
        description="Upload, list, download and delete the signed-in user's files.",
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
