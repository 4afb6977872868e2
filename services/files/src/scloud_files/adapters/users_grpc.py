"""UserDirectory (and PeopleDirectory) backed by the users service over gRPC."""

import grpc

from scloud.users.v1 import users_pb2, users_pb2_grpc
from scloud_common.errors import NotFound
from scloud_common.grpc_client import call_rpc
from scloud_files.ports import AccountProfile, Person

USERS_SERVICE = "scloud.users.v1.UsersService"
IDEMPOTENT_METHODS = ("GetUser", "FindVerifiedUser")


class GrpcUserDirectory:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float) -> None:
        self._stub = users_pb2_grpc.UsersServiceStub(channel)
        self._timeout = timeout

    async def _user(self, user_id: str) -> users_pb2.User:
        response: users_pb2.GetUserResponse = await call_rpc(
            self._stub.GetUser, users_pb2.GetUserRequest(user_id=user_id), timeout=self._timeout
        )
        return response.user

    async def get_profile(self, user_id: str) -> AccountProfile:
        user = await self._user(user_id)
        return AccountProfile(email_verified=user.email_verified, display_name=user.username, email=user.email)

    async def verified_email(self, user_id: str) -> str | None:
        user = await self._user(user_id)
        return user.email if user.email_verified else None

    async def find_verified(self, email: str) -> Person | None:
        try:
            response = await call_rpc(
                self._stub.FindVerifiedUser, users_pb2.FindVerifiedUserRequest(email=email), timeout=self._timeout
            )
        except NotFound:
            return None
        return Person(user_id=response.user_id, display_name=response.username)
