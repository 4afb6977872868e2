"""A cold start, over real loopback gRPC: users is not ready (its own health, what the container
health check asks, says NOT_SERVING and HTTP is not served) until its auth channel is connected
and auth answered SERVING, and by then auth's public keys are in; so the first signed-in request
makes no connection and fetches no keys, only the session check, on the channel already open."""

import asyncio
import contextlib
import uuid

import grpc
import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from scloud.auth.v1 import auth_pb2, auth_pb2_grpc
from scloud_common.internal_tls import tls_settings
from scloud_common.public_keys import AUTH_SERVICE
from scloud_users.adapters.in_memory import InMemoryAuthPeer, InMemoryFilesPeer, InMemoryUserRepository
from scloud_users.bootstrap import bootstrap
from scloud_users.config import UsersSettings
from scloud_users.http.app import create_app
from tests.fake_auth import KEY_ID, FakeAuth

pytestmark = pytest.mark.integration

WAIT_SECONDS = 20.0


class Calls(list[tuple[str, str]]):
    """Each call auth received, as (what, the connection it came on), in order."""

    def __init__(self) -> None:
        super().__init__()
        self._changed = asyncio.Condition()

    async def note(self, what: str, peer: str) -> None:
        async with self._changed:
            self.append((what, peer))
            self._changed.notify_all()

    async def wait_until(self, condition, what: str) -> None:
        try:
            async with asyncio.timeout(WAIT_SECONDS), self._changed:
                await self._changed.wait_for(condition)
        except TimeoutError:
            pytest.fail(f"not within {WAIT_SECONDS} s: {what}")


class RecordingHealth(health.aio.HealthServicer):
    def __init__(self, calls: Calls) -> None:
        super().__init__()
        self.calls = calls

    async def Check(self, request, context):  # noqa: N802 (gRPC method name)
        response = await super().Check(request, context)
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
        await self.calls.note(f"health:{status}", context.peer())
        return response


class RecordingAuth(auth_pb2_grpc.AuthServiceServicer):
    """auth's gRPC side as users calls it, noting each call and the connection it came on."""

    def __init__(self, fake: FakeAuth, calls: Calls) -> None:
        self.fake = fake
        self.calls = calls

    async def GetPublicKeys(self, request, context):  # noqa: N802
        await self.calls.note("keys", context.peer())
        pem = self.fake.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return auth_pb2.GetPublicKeysResponse(
            keys=[auth_pb2.PublicKey(key_id=KEY_ID, algorithm="EdDSA", public_key_pem=pem.decode())]
        )

    async def CheckSession(self, request, context):  # noqa: N802
        await self.calls.note("session", context.peer())
        return auth_pb2.CheckSessionResponse(active=(request.session_id, request.user_id) in self.fake.active_sessions)


async def own_health(port: int, certificates) -> int:
    """users' overall gRPC health, asked as the container health probe asks it."""
    channel = grpc.aio.secure_channel(
        f"127.0.0.1:{port}",
        certificates.material("users").channel_credentials(),
        options=[("grpc.ssl_target_name_override", "users")],
    )
    try:
        response = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    finally:
        await channel.close()
    status: int = response.status
    return status


@pytest.fixture
async def auth_server(internal_certificates):
    events = Calls()
    fake = FakeAuth()
    health_servicer = RecordingHealth(events)
    server = grpc.aio.server()
    auth_pb2_grpc.add_AuthServiceServicer_to_server(RecordingAuth(fake, events), server)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_secure_port("127.0.0.1:0", internal_certificates.material("auth").server_credentials())
    for name in ("", AUTH_SERVICE):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    await server.start()
    yield port, fake, health_servicer, events
    await server.stop(0)


async def test_users_is_ready_only_once_auth_is_connected_and_serving_and_its_keys_are_in(
    auth_server, internal_certificates
):
    auth_port, fake, auth_health, events = auth_server
    settings = UsersSettings(
        environment="test",
        http_port=0,
        grpc_port=0,
        auth_grpc_addr=f"127.0.0.1:{auth_port}",
        files_grpc_addr="unused:1",
        **tls_settings(internal_certificates, "users"),
    )
    repository = InMemoryUserRepository()

    async def build(settings):
        return await bootstrap(settings, repository=repository, files=InMemoryFilesPeer(), auth=InMemoryAuthPeer())

    app = create_app(settings, build_container=build)
    lifespan = app.router.lifespan_context(app)
    starting = asyncio.create_task(lifespan.__aenter__())
    try:
        await events.wait_until(lambda: [kind for kind, _ in events].count("health:NOT_SERVING") >= 2, "asked twice")
        assert not starting.done(), "users finished starting while auth said NOT_SERVING"
        assert (
            await own_health(app.state.grpc_port, internal_certificates) == health_pb2.HealthCheckResponse.NOT_SERVING
        )

        for name in ("", AUTH_SERVICE):
            await auth_health.set(name, health_pb2.HealthCheckResponse.SERVING)
        async with asyncio.timeout(WAIT_SECONDS):
            await asyncio.shield(starting)
        assert await own_health(app.state.grpc_port, internal_certificates) == health_pb2.HealthCheckResponse.SERVING
        assert [kind for kind, _ in events].count("keys") == 1, "auth's public keys were not fetched before ready"
        connection = next(peer for kind, peer in events if kind == "health:SERVING")

        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://users") as client:
            assert (await client.get("/readyz")).status_code == 200
            user = await app.state.container.service.create_user(
                email=f"{uuid.uuid4().hex[:8]}@example.com",
                username="Ada",
                password_hash="h",
                gender=None,
                date_of_birth=None,
            )
            session_id = uuid.uuid4().hex
            fake.active_sessions.add((session_id, user.user_id))
            before = len(events)
            response = await client.get(
                "/api/users/me", headers={"Authorization": f"Bearer {fake.token(user.user_id, session_id)}"}
            )
        assert response.status_code == 200
        # The request's only call to auth is the session check, on the connection warmed at start.
        assert events[before:] == [("session", connection)]
    finally:
        if starting.done() and not starting.cancelled() and starting.exception() is None:
            await lifespan.__aexit__(None, None, None)
        else:
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
