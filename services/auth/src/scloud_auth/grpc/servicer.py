import grpc

from scloud.auth.v1 import auth_pb2, auth_pb2_grpc
from scloud_auth.service import AuthService
from scloud_common.errors import InvalidInput
from scloud_common.grpc_server import CallerPolicy

SERVICE_NAME = auth_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name

# Who may call what, by the caller's certificate name; anything else is PERMISSION_DENIED.
CALLER_POLICY = CallerPolicy.for_service(
    SERVICE_NAME,
    {
        "GetPublicKeys": {"users", "files"},
        "RevokeUserSessions": {"users"},
    },
)


class AuthServicer(auth_pb2_grpc.AuthServiceServicer):
    def __init__(self, service: AuthService) -> None:
        self._service = service

    async def GetPublicKeys(
        self, request: auth_pb2.GetPublicKeysRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.GetPublicKeysResponse:
        return auth_pb2.GetPublicKeysResponse(
            keys=[
                auth_pb2.PublicKey(key_id=key.key_id, algorithm=key.algorithm, public_key_pem=key.public_key_pem)
                for key in self._service.public_keys()
            ]
        )

    async def RevokeUserSessions(
        self, request: auth_pb2.RevokeUserSessionsRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.RevokeUserSessionsResponse:
        if not request.user_id:
            raise InvalidInput("user_id is required.")
        revoked = await self._service.revoke_user_sessions(request.user_id)
        return auth_pb2.RevokeUserSessionsResponse(revoked_count=revoked)


def register_servicers(server: grpc.aio.Server, container) -> None:
    auth_pb2_grpc.add_AuthServiceServicer_to_server(AuthServicer(container.service), server)
