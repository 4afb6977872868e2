from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI

from scloud_common.lifespan import ServiceContainer, create_service_app
from scloud_files.bootstrap import bootstrap
from scloud_files.config import FilesSettings
from scloud_files.dav.app import MOUNT_PATH, create_dav_app
from scloud_files.drive.use_cases import Drive
from scloud_files.grpc.servicer import GRPC_API
from scloud_files.http.activity_routes import activity
from scloud_files.http.copy_routes import copies
from scloud_files.http.people_routes import people, shared
from scloud_files.http.routes import router


def _api() -> APIRouter:
    api = APIRouter()
    for part in (activity, router, copies, people, shared):
        api.include_router(part)
    return api


def create_app(
    settings: FilesSettings,
    *,
    build_container: Callable[[FilesSettings], Awaitable[ServiceContainer[Drive]]] = bootstrap,
) -> FastAPI:
    app = create_service_app(
        settings,
        title="SCloud files",
        description="Upload, list, download and delete the signed-in user's files.",
        router=_api(),
        build_container=build_container,
        grpc_api=GRPC_API,
    )
    app.mount(MOUNT_PATH, create_dav_app(lambda: app.state.container))
    return app
