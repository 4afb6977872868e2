"""Peers' channels at start-up, over real loopback gRPC: a required peer holds readiness until its
channel is connected and its service SERVING; an optional one never holds readiness, and its
channel is connected in the background all the same."""

import grpc
import pytest

from scloud.files.v1 import files_pb2_grpc
from scloud_common.grpc_server import CallerPolicy, start_grpc_server
from scloud_common.internal_tls import tls_settings
from scloud_common.lifespan import Dependencies, warm_up
from scloud_common.settings import ServiceSettings

pytestmark = pytest.mark.integration

SERVICE = "scloud.files.v1.FilesService"


@pytest.fixture
async def files_port(internal_certificates):
    server, port = await start_grpc_server(
        lambda s: files_pb2_grpc.add_FilesServiceServicer_to_server(files_pb2_grpc.FilesServiceServicer(), s),
        host="127.0.0.1",
        port=0,
        service_names=[SERVICE],
        tls=internal_certificates.material("files"),
        caller_policy=CallerPolicy.for_service(SERVICE, {}),
        # Still warming its own dependencies: a caller's start must not wait on that.
        warming=True,
    )
    yield port
    await server.stop(0)


def dependencies(certificates) -> Dependencies:
    settings = ServiceSettings(http_port=0, grpc_port=0, grpc_timeout_seconds=2, **tls_settings(certificates, "users"))
    return Dependencies(settings)


async def test_a_required_peer_is_connected_and_serving_once_warmed(files_port, internal_certificates):
    deps = dependencies(internal_certificates)
    channel = deps.peer_channel("files", f"127.0.0.1:{files_port}", service=SERVICE, idempotent_methods=())
    assert set(deps.readiness_checks) == set(deps.warm_ups) == {"files"}
    assert channel.get_state() is grpc.ChannelConnectivity.IDLE
    assert await warm_up(deps.warm_ups, within=10)
    assert channel.get_state() is grpc.ChannelConnectivity.READY
    await deps.readiness_checks["files"]()
    await channel.close()


async def test_an_optional_peer_holds_no_readiness_but_is_connected_in_the_background(
    files_port, internal_certificates
):
    deps = dependencies(internal_certificates)
    channel = deps.peer_channel(
        "files", f"127.0.0.1:{files_port}", service=SERVICE, idempotent_methods=(), required=False
    )
    assert deps.readiness_checks == {} and deps.warm_ups == {}
    assert await warm_up(deps.background_warm_ups, within=10)
    assert channel.get_state() is grpc.ChannelConnectivity.READY
    await channel.close()


async def test_a_required_peer_that_is_not_there_fails_its_warm_up_within_the_bound(internal_certificates):
    deps = dependencies(internal_certificates)
    channel = deps.peer_channel("files", "127.0.0.1:1", service=SERVICE, idempotent_methods=())
    assert not await warm_up(deps.warm_ups, within=1)
    await channel.close()
