from typing import Any

import grpc

from scloud.users.v1 import users_pb2, users_pb2_grpc
from scloud_common.errors import InvalidInput
from scloud_common.grpc_server import CallerPolicy
from scloud_common.lifespan import GrpcApi, ServiceContainer
from scloud_users.domain import User
from scloud_users.service import UserService

SERVICE_NAME = users_pb2.DESCRIPTOR.services_by_name["UsersService"].full_name

# Who may call what, by the caller's certificate name; anything else is PERMISSION_DENIED.
# Only auth handles credentials.
CALLER_POLICY = CallerPolicy.for_service(
    SERVICE_NAME,
    {
        "CreateUser": {"auth"},
        "GetCredentials": {"auth"},
        "GetUser": {"auth", "files"},
        "UpdatePasswordHash": {"auth"},
        "MarkEmailVerified": {"auth"},
        "FindVerifiedUser": {"files"},
    },
)


def user_to_message(user: User) -> users_pb2.User:
    return users_pb2.User(
        user_id=user.user_id,
        email=user.email,
        username=user.username,
        gender=user.gender or "",
        date_of_birth=user.date_of_birth or "",
        created_at=user.created_at,
        email_verified=user.email_verified,
        locked=user.locked,
    )


def _require(value: str, name: str) -> str:
    if not value:
        raise InvalidInput(f"{name} is required.")
    return value


class UsersServicer(users_pb2_grpc.UsersServiceServicer):
    def __init__(self, service: UserService) -> None:
        self._service = service

    async def CreateUser(
        self, request: users_pb2.CreateUserRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> users_pb2.CreateUserResponse:
        user = await self._service.create_user(
            email=_require(request.email, "email"),
            username=request.username,
            password_hash=_require(request.password_hash, "password_hash"),
            gender=request.gender or None,
            date_of_birth=request.date_of_birth or None,
            invitation_token=request.invitation_token or None,
        )
        return users_pb2.CreateUserResponse(user=user_to_message(user))

    async def GetCredentials(
        self, request: users_pb2.GetCredentialsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> users_pb2.GetCredentialsResponse:
        lookup = request.WhichOneof("lookup")
        if lookup == "email":
            account = await self._service.get_account_by_email(request.email)
        elif lookup == "user_id":
            account = await self._service.get_account(request.user_id)
        else:
            raise InvalidInput("email or user_id is required.")
        return users_pb2.GetCredentialsResponse(user=user_to_message(account.user), password_hash=account.password_hash)

    async def GetUser(
        self, request: users_pb2.GetUserRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> users_pb2.GetUserResponse:
        user = await self._service.get_user(_require(request.user_id, "user_id"))
        return users_pb2.GetUserResponse(user=user_to_message(user))

    async def UpdatePasswordHash(
        self, request: users_pb2.UpdatePasswordHashRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> users_pb2.UpdatePasswordHashResponse:
        await self._service.update_password_hash(
            _require(request.user_id, "user_id"), _require(request.password_hash, "password_hash")
        )
        return users_pb2.UpdatePasswordHashResponse()

    async def MarkEmailVerified(
        self, request: users_pb2.MarkEmailVerifiedRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> users_pb2.MarkEmailVerifiedResponse:
        await self._service.mark_email_verified(_require(request.user_id, "user_id"))
        return users_pb2.MarkEmailVerifiedResponse()

    async def FindVerifiedUser(
        self, request: users_pb2.FindVerifiedUserRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> users_pb2.FindVerifiedUserResponse:
        user = await self._service.find_verified_user(_require(request.email, "email"))
        return users_pb2.FindVerifiedUserResponse(user_id=user.user_id, username=user.username)


def register_servicers(server: grpc.aio.Server, container: ServiceContainer[UserService]) -> None:
    users_pb2_grpc.add_UsersServiceServicer_to_server(UsersServicer(container.service), server)


GRPC_API = GrpcApi(SERVICE_NAME, CALLER_POLICY, register_servicers)
