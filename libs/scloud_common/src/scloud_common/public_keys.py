"""What `AccessTokenVerifier` needs from auth, over gRPC: the public signing keys, whether a
session is still active and which personal access token a `scloud_pat_...` text is."""

import grpc

from scloud.auth.v1 import auth_pb2, auth_pb2_grpc
from scloud_common.grpc_client import call_rpc
from scloud_common.scopes import Scope
from scloud_common.tokens import PersonalAccessTokenStatus, PublicKeyInfo

AUTH_SERVICE = "scloud.auth.v1.AuthService"
AUTH_IDEMPOTENT_METHODS = (
    "GetPublicKeys",
    "RevokeUserSessions",
    "CheckSession",
    "CheckPersonalAccessToken",
    "ForgetUser",
)


class GrpcPublicKeySource:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float) -> None:
        self._stub = auth_pb2_grpc.AuthServiceStub(channel)
        self._timeout = timeout

    async def fetch_public_keys(self) -> list[PublicKeyInfo]:
        response = await call_rpc(self._stub.GetPublicKeys, auth_pb2.GetPublicKeysRequest(), timeout=self._timeout)
        return [PublicKeyInfo(key.key_id, key.algorithm, key.public_key_pem) for key in response.keys]


class GrpcSessionStatusSource:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float) -> None:
        self._stub = auth_pb2_grpc.AuthServiceStub(channel)
        self._timeout = timeout

    async def is_session_active(self, session_id: str, user_id: str) -> bool:
        request = auth_pb2.CheckSessionRequest(session_id=session_id, user_id=user_id)
        response = await call_rpc(self._stub.CheckSession, request, timeout=self._timeout)
        active: bool = response.active
        return active


class GrpcPersonalAccessTokenSource:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float) -> None:
        self._stub = auth_pb2_grpc.AuthServiceStub(channel)
        self._timeout = timeout

    async def check_personal_access_token(self, token: str) -> PersonalAccessTokenStatus | None:
        request = auth_pb2.CheckPersonalAccessTokenRequest(token=token)
        response = await call_rpc(self._stub.CheckPersonalAccessToken, request, timeout=self._timeout)
        if not response.valid:
            return None
        # A scope this build does not know (auth is newer) grants nothing here.
        known = {scope.value for scope in Scope}
        return PersonalAccessTokenStatus(
            token_id=response.token_id,
            user_id=response.user_id,
            scopes=frozenset(Scope(name) for name in response.scopes if name in known),
            expires_at=response.expires_at,
        )
