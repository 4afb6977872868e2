from typing import Annotated

from fastapi import Depends, Request

from scloud_common.auth_deps import CurrentUser
from scloud_files.service import FileService

__all__ = ["CurrentUser", "FileServiceDep"]


def get_service(request: Request) -> FileService:
    service: FileService = request.app.state.container.service
    return service


FileServiceDep = Annotated[FileService, Depends(get_service)]
