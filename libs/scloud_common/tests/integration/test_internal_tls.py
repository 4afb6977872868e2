"""Who may reach a gRPC server: only holders of a certificate from the internal CA, and of those
only the services the method's allow list names."""

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from scloud.files.v1 import files_pb2, files_pb2_grpc
from scloud_common.errors import PermissionDenied, ServiceUnavailable, Unauthenticated
from scloud_common.grpc_client import call_rpc, check_peer_health, create_channel
from scloud_common.grpc_server import CallerPolicy, start_grpc_server
from scloud_common.internal_tls import issue_certificates

pytestmark = pytest.mark.integration

SERVICE = "scloud.files.v1.FilesService"


class Files(files_pb2_grpc.FilesServiceServicer):
    def __init__(self) -> None:
        self.calls = 0

    async def GetStorageUsage(self, request, context):
        self.calls += 1
        return files_pb2.GetStorageUsageResponse(bytes_used=1, file_count=1)


@pytest.fixture
async def files_server(internal_certificates):
    servicer = Files()
    server, port = await start_grpc_server(
        lambda s: files_pb2_grpc.add_FilesServiceServicer_to_server(servicer, s),
        host="127.0.0.1",
        port=0,
        service_names=[SERVICE],
        tls=internal_certificates.material("files"),
        caller_policy=CallerPolicy.for_service(SERVICE, {"GetStorageUsage": {"users"}}),
    )
    yield servicer, f"127.0.0.1:{port}"
    await server.stop(0)


def channel_as(target: str, material, *, peer: str = "files") -> grpc.aio.Channel:
    return create_channel(target, peer=peer, service=SERVICE, idempotent_methods=[], tls=material)


async def get_usage(channel: grpc.aio.Channel):
    stub = files_pb2_grpc.FilesServiceStub(channel)
    return await call_rpc(stub.GetStorageUsage, files_pb2.GetStorageUsageRequest(user_id="u1"), timeout=2)


async def test_the_allowed_service_gets_an_answer(files_server, internal_certificates):
    servicer, target = files_server
    async with channel_as(target, internal_certificates.material("users")) as channel:
        assert (await get_usage(channel)).bytes_used == 1
    assert servicer.calls == 1


async def test_a_service_not_on_the_allow_list_is_denied(files_server, internal_certificates):
    servicer, target = files_server
    async with channel_as(target, internal_certificates.material("auth")) as channel:
        with pytest.raises(PermissionDenied) as raised:
            await get_usage(channel)
    assert raised.value.code == "caller_not_allowed"
    assert servicer.calls == 0


async def test_a_certificate_naming_no_service_is_unauthenticated(files_server, internal_certificates):
    servicer, target = files_server
    # Signed by the right CA, so the handshake succeeds, but it names nobody we know.
    async with channel_as(target, internal_certificates.issue("mallory")) as channel:
        with pytest.raises(Unauthenticated) as raised:
            await get_usage(channel)
    assert raised.value.code == "unknown_caller"
    assert servicer.calls == 0


async def test_a_plaintext_caller_gets_nothing(files_server):
    servicer, target = files_server
    async with grpc.aio.insecure_channel(target) as channel:
        stub = files_pb2_grpc.FilesServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.GetStorageUsage(files_pb2.GetStorageUsageRequest(user_id="u1"), timeout=2)
    assert raised.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAUTHENTICATED)
    assert servicer.calls == 0


async def test_a_certificate_from_another_ca_gets_nothing(files_server):
    servicer, target = files_server
    # A complete set from a CA of its own: it claims to be "users" but nobody trusts its CA.
    foreign = issue_certificates()
    async with channel_as(target, foreign.material("users")) as channel:
        with pytest.raises(ServiceUnavailable):
            await get_usage(channel)
    assert servicer.calls == 0


async def test_a_server_with_another_services_certificate_is_refused(internal_certificates):
    # Something listening where files should be, but holding auth's certificate: the client
    # checks the name and refuses to talk to it.
    server, port = await start_grpc_server(
        lambda s: files_pb2_grpc.add_FilesServiceServicer_to_server(Files(), s),
        host="127.0.0.1",
        port=0,
        service_names=[SERVICE],
        tls=internal_certificates.material("auth"),
        caller_policy=CallerPolicy.for_service(SERVICE, {"GetStorageUsage": {"users"}}),
    )
    try:
        async with channel_as(f"127.0.0.1:{port}", internal_certificates.material("users")) as channel:
            with pytest.raises(ServiceUnavailable):
                await get_usage(channel)
    finally:
        await server.stop(0)


async def test_health_answers_every_known_service_only(files_server, internal_certificates):
    _, target = files_server
    async with channel_as(target, internal_certificates.material("auth")) as channel:
        await check_peer_health(channel, timeout=2)
    async with grpc.aio.insecure_channel(target) as channel:
        with pytest.raises(grpc.aio.AioRpcError):
            await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
