"""Fetches auth's public signing keys over gRPC, for `AccessTokenVerifier`."""

import grpc

from scloud.auth.v1 import auth_pb2, auth_pb2_grpc
from scloud_common.grpc_client import call_rpc
from scloud_common.tokens import PublicKeyInfo


class GrpcPublicKeySource:
    def __init__(self, channel: grpc.aio.Channel, *, timeout: float) -> None:
        self._stub = auth_pb2_grpc.AuthServiceStub(channel)
        self._timeout = timeout

    async def fetch_public_keys(self) -> list[PublicKeyInfo]:
        response = await call_rpc(self._stub.GetPublicKeys, auth_pb2.GetPublicKeysRequest(), timeout=self._timeout)
        return [PublicKeyInfo(key.key_id, key.algorithm, key.public_key_pem) for key in response.keys]
