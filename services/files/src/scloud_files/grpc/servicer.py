from typing import Any

import grpc

from scloud.files.v1 import files_pb2, files_pb2_grpc
from scloud_common.errors import InvalidInput
from scloud_common.grpc_server import CallerPolicy
from scloud_common.lifespan import GrpcApi, ServiceContainer
from scloud_files.drive.account import DeleteUserFiles, GetStorageUsage
from scloud_files.drive.use_cases import Drive

SERVICE_NAME = files_pb2.DESCRIPTOR.services_by_name["FilesService"].full_name

# Who may call what, by the caller's certificate name; anything else is PERMISSION_DENIED.
CALLER_POLICY = CallerPolicy.for_service(
    SERVICE_NAME,
    {
        "GetStorageUsage": {"users"},
        "DeleteUserFiles": {"users"},
    },
)


def _require_user_id(user_id: str) -> str:
    if not user_id:
        raise InvalidInput("user_id is required.")
    return user_id


class FilesServicer(files_pb2_grpc.FilesServiceServicer):
    def __init__(self, get_storage_usage: GetStorageUsage, delete_user_files: DeleteUserFiles) -> None:
        self._get_storage_usage = get_storage_usage
        self._delete_user_files = delete_user_files

    async def GetStorageUsage(
        self, request: files_pb2.GetStorageUsageRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> files_pb2.GetStorageUsageResponse:
        usage = await self._get_storage_usage(_require_user_id(request.user_id))
        return files_pb2.GetStorageUsageResponse(bytes_used=usage.bytes_used, file_count=usage.file_count)

    async def DeleteUserFiles(
        self, request: files_pb2.DeleteUserFilesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> files_pb2.DeleteUserFilesResponse:
        deleted = await self._delete_user_files(_require_user_id(request.user_id))
        return files_pb2.DeleteUserFilesResponse(deleted_count=deleted)


def register_servicers(server: grpc.aio.Server, container: ServiceContainer[Drive]) -> None:
    drive = container.service
    files_pb2_grpc.add_FilesServiceServicer_to_server(
        FilesServicer(drive.get_storage_usage, drive.delete_user_files), server
    )


GRPC_API = GrpcApi(SERVICE_NAME, CALLER_POLICY, register_servicers)
