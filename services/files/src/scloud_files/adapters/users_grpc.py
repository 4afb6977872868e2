"""UserDirectory backed by the users service over gRPC."""

import grpc

from scloud.users.v1 import users_pb2, users_pb2_grpc
from scloud_common.grpc_client import call_rpc
from scloud_files.ports import AccountProfile

USERS_SERVICE = "scloud.users.v1.UsersService"
IDEMPOTENT_METHODS = ("GetUser",)


class GrpcUserDirectory:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float) -> None:
        self._stub = users_pb2_grpc.UsersServiceStub(channel)
        self._timeout = timeout

    async def get_profile(self, user_id: str) -> AccountProfile:
        response = await call_rpc(self._stub.GetUser, users_pb2.GetUserRequest(user_id=user_id), timeout=self._timeout)
        return AccountProfile(
            email_verified=response.user.email_verified,
            display_name=response.user.username,
            email=response.user.email,
        )
