"""The files and auth services, reached over gRPC."""

import grpc

from scloud.auth.v1 import auth_pb2, auth_pb2_grpc
from scloud.files.v1 import files_pb2, files_pb2_grpc
from scloud_common.grpc_client import call_rpc
from scloud_users.domain import StorageUsage, TooManyAttempts, WrongPassword

FILES_SERVICE = "scloud.files.v1.FilesService"
FILES_IDEMPOTENT_METHODS = ("GetStorageUsage", "DeleteUserFiles")


class GrpcFilesPeer:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float, deletion_timeout: float) -> None:
        self._stub = files_pb2_grpc.FilesServiceStub(channel)
        self._timeout = timeout
        self._deletion_timeout = deletion_timeout

    async def get_storage_usage(self, user_id: str) -> StorageUsage:
        response = await call_rpc(
            self._stub.GetStorageUsage, files_pb2.GetStorageUsageRequest(user_id=user_id), timeout=self._timeout
        )
        return StorageUsage(response.bytes_used, response.file_count)

    async def delete_user_files(self, user_id: str) -> None:
        await call_rpc(
            self._stub.DeleteUserFiles,
            files_pb2.DeleteUserFilesRequest(user_id=user_id),
            timeout=self._deletion_timeout,
        )


class GrpcAuthPeer:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float) -> None:
        self._stub = auth_pb2_grpc.AuthServiceStub(channel)
        self._timeout = timeout

    async def revoke_user_sessions(self, user_id: str) -> None:
        await call_rpc(
            self._stub.RevokeUserSessions, auth_pb2.RevokeUserSessionsRequest(user_id=user_id), timeout=self._timeout
        )

    async def forget_user(self, user_id: str) -> None:
        await call_rpc(self._stub.ForgetUser, auth_pb2.ForgetUserRequest(user_id=user_id), timeout=self._timeout)

    async def verify_password(self, user_id: str, password: str) -> None:
        request = auth_pb2.VerifyPasswordRequest(user_id=user_id, password=password)
        response = await call_rpc(self._stub.VerifyPassword, request, timeout=self._timeout)
        outcomes = auth_pb2.VerifyPasswordResponse.Outcome
        if response.outcome == outcomes.OUTCOME_THROTTLED:
            raise TooManyAttempts(retry_after_seconds=response.retry_after_seconds)
        if response.outcome != outcomes.OUTCOME_CORRECT:
            raise WrongPassword()
