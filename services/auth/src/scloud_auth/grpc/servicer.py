from typing import Any

import grpc

from scloud.auth.v1 import auth_pb2, auth_pb2_grpc
from scloud_auth.domain import InvalidCredentials, TooManyAttempts
from scloud_auth.use_cases import AuthUseCases
from scloud_common.errors import InvalidInput
from scloud_common.event_metrics import RevocationReason
from scloud_common.grpc_server import CallerPolicy
from scloud_common.lifespan import GrpcApi, ServiceContainer

Outcome = auth_pb2.VerifyPasswordResponse.Outcome

SERVICE_NAME = auth_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name

# Who may call what, by the caller's certificate name; anything else is PERMISSION_DENIED.
CALLER_POLICY = CallerPolicy.for_service(
    SERVICE_NAME,
    {
        "GetPublicKeys": {"users", "files"},
        "RevokeUserSessions": {"users"},
        "CheckSession": {"users", "files"},
        "VerifyPassword": {"users"},
        "ForgetUser": {"users"},
    },
)


class AuthServicer(auth_pb2_grpc.AuthServiceServicer):
    def __init__(self, use_cases: AuthUseCases) -> None:
        self._use_cases = use_cases

    async def GetPublicKeys(
        self, request: auth_pb2.GetPublicKeysRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> auth_pb2.GetPublicKeysResponse:
        return auth_pb2.GetPublicKeysResponse(
            keys=[
                auth_pb2.PublicKey(key_id=key.key_id, algorithm=key.algorithm, public_key_pem=key.public_key_pem)
                for key in self._use_cases.signer.public_keys()
            ]
        )

    async def RevokeUserSessions(
        self, request: auth_pb2.RevokeUserSessionsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> auth_pb2.RevokeUserSessionsResponse:
        if not request.user_id:
            raise InvalidInput("user_id is required.")
        revoked = await self._use_cases.sessions.revoke_user_sessions(
            request.user_id, reason=RevocationReason.PEER_REQUEST
        )
        return auth_pb2.RevokeUserSessionsResponse(revoked_count=revoked)

    async def CheckSession(
        self, request: auth_pb2.CheckSessionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> auth_pb2.CheckSessionResponse:
        if not request.session_id or not request.user_id:
            raise InvalidInput("session_id and user_id are required.")
        active = await self._use_cases.sessions.is_session_active(request.session_id, request.user_id)
        return auth_pb2.CheckSessionResponse(active=active)

    async def VerifyPassword(
        self, request: auth_pb2.VerifyPasswordRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> auth_pb2.VerifyPasswordResponse:
        if not request.user_id:
            raise InvalidInput("user_id is required.")
        # Outcomes travel in the response, so the caller gets Retry-After without error metadata.
        try:
            await self._use_cases.password_check.verify_password(request.user_id, request.password)
        except InvalidCredentials:
            return auth_pb2.VerifyPasswordResponse(outcome=Outcome.OUTCOME_WRONG)
        except TooManyAttempts as throttled:
            return auth_pb2.VerifyPasswordResponse(
                outcome=Outcome.OUTCOME_THROTTLED, retry_after_seconds=throttled.retry_after_seconds
            )
        return auth_pb2.VerifyPasswordResponse(outcome=Outcome.OUTCOME_CORRECT)

    async def ForgetUser(
        self, request: auth_pb2.ForgetUserRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> auth_pb2.ForgetUserResponse:
        if not request.user_id:
            raise InvalidInput("user_id is required.")
        await self._use_cases.two_factor.forget_user(request.user_id)
        return auth_pb2.ForgetUserResponse()


def register_servicers(server: grpc.aio.Server, container: ServiceContainer[AuthUseCases]) -> None:
    auth_pb2_grpc.add_AuthServiceServicer_to_server(AuthServicer(container.service), server)


GRPC_API = GrpcApi(SERVICE_NAME, CALLER_POLICY, register_servicers)
