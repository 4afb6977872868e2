"""The FastAPI lifespan every service uses: build the container, serve gRPC beside HTTP."""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import grpc
from fastapi import FastAPI

from scloud_common.grpc_server import CallerPolicy, start_grpc_server, supervised_grpc_server
from scloud_common.settings import ServiceSettings
from scloud_common.tokens import AccessTokenVerifier

Service = TypeVar("Service")


@dataclass
class ServiceContainer(Generic[Service]):
    """What a service's bootstrap builds: its use cases, the token verifier, the readiness checks
    of its dependencies and the clean-ups to run at shutdown."""

    service: Service
    token_verifier: AccessTokenVerifier
    readiness_checks: dict[str, Callable[[], Awaitable[None]]] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def aclose(self) -> None:
        for close in reversed(self.closers):
            await close()


def service_lifespan(
    settings: ServiceSettings,
    *,
    build_container: Callable[[Any], Awaitable[ServiceContainer]],
    register_servicers: Callable[[grpc.aio.Server, Any], None],
    grpc_service_names: Iterable[str],
    caller_policy: CallerPolicy,
) -> Callable[[FastAPI], Any]:
    """Runs inside the event loop, so gRPC servers and channels are created there, never at import.
    The bound gRPC port is kept in `app.state.grpc_port` (tests bind port 0)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = await build_container(settings)
        app.state.settings = settings
        app.state.container = container
        app.state.readiness_checks = container.readiness_checks
        try:
            server, port = await start_grpc_server(
                lambda server: register_servicers(server, container),
                host=settings.grpc_host,
                port=settings.grpc_port,
                service_names=grpc_service_names,
                tls=settings.tls_material(),
                caller_policy=caller_policy,
            )
            app.state.grpc_port = port
            async with supervised_grpc_server(server):
                yield
        finally:
            await container.aclose()

    return lifespan
