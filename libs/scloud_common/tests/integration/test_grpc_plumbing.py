"""The shared gRPC plumbing over real channels: error codes both ways, deadlines, health,
retries only where safe, and request ids carried in metadata."""

import asyncio
import time

import pytest

from scloud.files.v1 import files_pb2, files_pb2_grpc
from scloud_common.errors import AlreadyExists, InvalidInput, NotFound, ServiceTimeout, ServiceUnavailable
from scloud_common.grpc_client import call_rpc, check_peer_health, create_channel
from scloud_common.grpc_server import CallerPolicy, start_grpc_server
from scloud_common.logs import request_id_var
from scloud_common.web import HTTP_STATUS

pytestmark = pytest.mark.integration

SERVICE = "scloud.files.v1.FilesService"


class ScriptedFiles(files_pb2_grpc.FilesServiceServicer):
    def __init__(self) -> None:
        self.seen_request_ids: list[str | None] = []
        self.calls = 0
        self.port = 0

    async def GetStorageUsage(self, request, context):
        self.calls += 1
        self.seen_request_ids.append(request_id_var.get())
        behaviour = request.user_id
        if behaviour == "missing":
            raise NotFound("no such user", code="user_not_found")
        if behaviour == "taken":
            raise AlreadyExists(code="email_taken")
        if behaviour == "bad":
            raise InvalidInput("bad input")
        if behaviour == "slow":
            await asyncio.sleep(2)
        if behaviour == "crash":
            raise RuntimeError("bug")
        if behaviour == "flaky" and self.calls < 3:
            raise ServiceUnavailable()
        return files_pb2.GetStorageUsageResponse(bytes_used=7, file_count=1)


def users_channel(target: str, certificates, *, idempotent_methods=("GetStorageUsage",)):
    """A channel as the users service opens it to files."""
    return create_channel(
        target,
        peer="files",
        service=SERVICE,
        idempotent_methods=idempotent_methods,
        tls=certificates.material("users"),
    )


@pytest.fixture
async def served(internal_certificates):
    servicer = ScriptedFiles()
    server, port = await start_grpc_server(
        lambda s: files_pb2_grpc.add_FilesServiceServicer_to_server(servicer, s),
        host="127.0.0.1",
        port=0,
        service_names=[SERVICE],
        tls=internal_certificates.material("files"),
        caller_policy=CallerPolicy.for_service(SERVICE, {"GetStorageUsage": {"users"}}),
    )
    channel = users_channel(f"127.0.0.1:{port}", internal_certificates)
    servicer.port = port
    yield servicer, files_pb2_grpc.FilesServiceStub(channel), channel
    await channel.close()
    await server.stop(0)


async def usage(stub, user_id: str, timeout: float = 2.0):
    return await call_rpc(stub.GetStorageUsage, files_pb2.GetStorageUsageRequest(user_id=user_id), timeout=timeout)


async def test_success_and_request_id_travels(served):
    servicer, stub, _ = served
    token = request_id_var.set("req-123")
    try:
        assert (await usage(stub, "u1")).bytes_used == 7
    finally:
        request_id_var.reset(token)
    assert servicer.seen_request_ids == ["req-123"]


@pytest.mark.parametrize(
    ("user_id", "error", "code", "status"),
    [
        ("missing", NotFound, "user_not_found", 404),
        ("taken", AlreadyExists, "email_taken", 409),
        ("bad", InvalidInput, "invalid_input", 422),
    ],
)
async def test_app_errors_cross_the_wire_with_kind_and_code(served, user_id, error, code, status):
    _, stub, _ = served
    with pytest.raises(error) as raised:
        await usage(stub, user_id)
    assert raised.value.code == code and HTTP_STATUS[raised.value.kind] == status


async def test_unexpected_server_errors_become_internal_without_details(served):
    _, stub, _ = served
    with pytest.raises(Exception) as raised:
        await usage(stub, "crash")
    assert HTTP_STATUS[raised.value.kind] == 500 and "bug" not in raised.value.message


async def test_deadline_becomes_timeout(served):
    _, stub, _ = served
    with pytest.raises(ServiceTimeout):
        await usage(stub, "slow", timeout=0.2)


async def test_idempotent_calls_are_retried_on_unavailable(served):
    servicer, stub, _ = served
    assert (await usage(stub, "flaky")).bytes_used == 7
    assert servicer.calls == 3


async def test_non_idempotent_calls_are_not_retried(served, internal_certificates):
    servicer, _, _ = served
    channel = users_channel(f"127.0.0.1:{servicer.port}", internal_certificates, idempotent_methods=[])
    try:
        with pytest.raises(ServiceUnavailable):
            await usage(files_pb2_grpc.FilesServiceStub(channel), "flaky")
    finally:
        await channel.close()
    assert servicer.calls == 1


async def test_unreachable_peer_fails_a_non_idempotent_call_at_once(internal_certificates):
    channel = users_channel("127.0.0.1:1", internal_certificates, idempotent_methods=[])
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as raised:
        await usage(files_pb2_grpc.FilesServiceStub(channel), "u1", timeout=3)
    assert HTTP_STATUS[raised.value.kind] == 503 and time.monotonic() - started < 2
    with pytest.raises(ServiceUnavailable):
        await check_peer_health(channel, timeout=1)
    await channel.close()


async def test_an_idempotent_call_waits_for_an_unreachable_peer_until_its_deadline(internal_certificates):
    channel = users_channel("127.0.0.1:1", internal_certificates, idempotent_methods=["GetStorageUsage"])
    started = time.monotonic()
    with pytest.raises(ServiceTimeout):
        await usage(files_pb2_grpc.FilesServiceStub(channel), "u1", timeout=1)
    assert 0.9 < time.monotonic() - started < 2
    await channel.close()


async def test_health_service_reports_serving(served):
    _, _, channel = served
    await check_peer_health(channel, timeout=1)
    await check_peer_health(channel, timeout=1, service=SERVICE)
