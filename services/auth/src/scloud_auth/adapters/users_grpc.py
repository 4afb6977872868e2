"""UserDirectory backed by the users service over gRPC."""

import grpc

from scloud.users.v1 import users_pb2, users_pb2_grpc
from scloud_auth.domain import Credentials, NewUser, User
from scloud_common.errors import NotFound
from scloud_common.grpc_client import call_rpc

USERS_SERVICE = "scloud.users.v1.UsersService"
IDEMPOTENT_METHODS = ("GetCredentials", "GetUser", "UpdatePasswordHash", "MarkEmailVerified")


def user_from_message(message: users_pb2.User) -> User:
    return User(
        user_id=message.user_id,
        email=message.email,
        username=message.username,
        gender=message.gender or None,
        date_of_birth=message.date_of_birth or None,
        created_at=message.created_at,
        email_verified=message.email_verified,
        locked=message.locked,
    )


class GrpcUserDirectory:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float) -> None:
        self._stub = users_pb2_grpc.UsersServiceStub(channel)
        self._timeout = timeout

    async def create_user(self, new_user: NewUser, password_hash: str) -> User:
        request = users_pb2.CreateUserRequest(
            email=new_user.email,
            username=new_user.username,
            password_hash=password_hash,
            gender=new_user.gender or "",
            date_of_birth=new_user.date_of_birth or "",
            invitation_token=new_user.invitation_token or "",
        )
        response = await call_rpc(self._stub.CreateUser, request, timeout=self._timeout)
        return user_from_message(response.user)

    async def find_credentials_by_email(self, email: str) -> Credentials | None:
        request = users_pb2.GetCredentialsRequest(email=email)
        try:
            response = await call_rpc(self._stub.GetCredentials, request, timeout=self._timeout)
        except NotFound:
            return None
        return Credentials(user_from_message(response.user), response.password_hash)

    async def get_credentials(self, user_id: str) -> Credentials:
        request = users_pb2.GetCredentialsRequest(user_id=user_id)
        response = await call_rpc(self._stub.GetCredentials, request, timeout=self._timeout)
        return Credentials(user_from_message(response.user), response.password_hash)

    async def get_user(self, user_id: str) -> User:
        response = await call_rpc(self._stub.GetUser, users_pb2.GetUserRequest(user_id=user_id), timeout=self._timeout)
        return user_from_message(response.user)

    async def update_password_hash(self, user_id: str, password_hash: str) -> None:
        request = users_pb2.UpdatePasswordHashRequest(user_id=user_id, password_hash=password_hash)
        await call_rpc(self._stub.UpdatePasswordHash, request, timeout=self._timeout)

    async def mark_email_verified(self, user_id: str) -> None:
        request = users_pb2.MarkEmailVerifiedRequest(user_id=user_id)
        await call_rpc(self._stub.MarkEmailVerified, request, timeout=self._timeout)
