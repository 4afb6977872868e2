"""What every service's process is made of: a container of use cases built by the service's
bootstrap, and one FastAPI app whose lifespan serves gRPC beside HTTP."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from concurrent.futures import Executor
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import grpc
from fastapi import APIRouter, FastAPI

from scloud_common.grpc_client import check_peer_health, connect_peer, create_channel
from scloud_common.grpc_server import (
    CallerPolicy,
    GrpcHealth,
    start_grpc_server,
    supervised_grpc_server,
)
from scloud_common.metrics import (
    GrpcServerMetricsInterceptor,
    ServiceMetrics,
    building_for,
    current_metrics,
    serving_metrics,
)
from scloud_common.settings import ServiceSettings
from scloud_common.sqlite_schema import Migration
from scloud_common.sqlite_store import SqliteStore
from scloud_common.tokens import AccessTokenVerifier
from scloud_common.tracing import grpc_server_tracing, trace_app
from scloud_common.watchdog import Watchdog, in_background, watching
from scloud_common.web import create_app, include_public_api

logger = logging.getLogger(__name__)

Service = TypeVar("Service")
ReadinessCheck = Callable[[], Awaitable[None]]
Closer = Callable[[], Awaitable[None]]

# How long a starting process keeps trying to reach its dependencies (peers' channels connected
# and SERVING, the stores answering, auth's public keys fetched) before it serves HTTP anyway,
# with /readyz saying which fails. The containers' health check start period covers it.
WARM_UP_SECONDS = 60.0
WARM_UP_RETRY_SECONDS = 0.25


@dataclass
class ServiceContainer(Generic[Service]):
    """What a service's bootstrap builds: its use cases, the token verifier, the readiness checks
    of its dependencies and the clean-ups to run at shutdown.

    `warm_ups` replace, at start-up only, the readiness check of the same name (a peer's channel
    is connected there, which /readyz must not wait on); `background_warm_ups` (optional peers)
    run beside the start and readiness never waits on them."""

    service: Service
    token_verifier: AccessTokenVerifier
    readiness_checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    closers: list[Closer] = field(default_factory=list)
    # Thread pools the health watchdog probes, besides the loop's default executor.
    pools: dict[str, Executor] = field(default_factory=dict)
    warm_ups: dict[str, ReadinessCheck] = field(default_factory=dict)
    background_warm_ups: dict[str, ReadinessCheck] = field(default_factory=dict)

    def start_up_checks(self) -> dict[str, ReadinessCheck]:
        """What must pass once before the process is ready: every readiness check (or its warm-up),
        and the token verifier's public keys, which a signed-in request would otherwise fetch."""
        return {**self.readiness_checks, **self.warm_ups, "public-keys": self.token_verifier.load_keys}

    async def aclose(self) -> None:
        for close in reversed(self.closers):
            await close()


class Dependencies:
    """Collects, while a bootstrap builds real adapters, the readiness check of each dependency
    and the clean-ups to run at shutdown; peers are reached over mutual-TLS gRPC channels."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self.readiness_checks: dict[str, ReadinessCheck] = {}
        self.warm_ups: dict[str, ReadinessCheck] = {}
        self.background_warm_ups: dict[str, ReadinessCheck] = {}
        self.closers: list[Closer] = []
        self.pools: dict[str, Executor] = {}

    def check_ready(self, name: str, check: ReadinessCheck) -> None:
        self.readiness_checks[name] = check

    def close_at_shutdown(self, close: Closer) -> None:
        self.closers.append(close)

    def watch_pool(self, name: str, executor: Executor) -> None:
        """Health fails while `executor` cannot run a no-op (scloud_common.watchdog)."""
        self.pools[name] = executor

    def peer_channel(
        self, peer: str, target: str, *, service: str, idempotent_methods: Iterable[str], required: bool = True
    ) -> grpc.aio.Channel:
        """A channel to the peer service named `peer` at `target`, closed at shutdown. It is
        connected while the process starts, and the peer's `service` must answer SERVING (its
        own health, not the peer's overall readiness, so peers that start together do not wait on
        each other). A `required` peer is a readiness dependency: the process is ready only once
        that passed, and /readyz asks it again. One not `required` (only some requests need it)
        is connected in the background and never holds readiness."""
        channel = create_channel(
            target,
            peer=peer,
            service=service,
            idempotent_methods=idempotent_methods,
            tls=self._settings.tls_material(),
            metrics=current_metrics(),
            traced=self._settings.telemetry,
        )
        timeout = self._settings.grpc_timeout_seconds

        async def connect() -> None:
            await connect_peer(channel, timeout=timeout, service=service)

        if required:
            # A live check fails at once on a broken connection; it never waits for a reconnect.
            self.check_ready(peer, lambda: check_peer_health(channel, timeout=timeout, service=service))
            self.warm_ups[peer] = connect
        else:
            self.background_warm_ups[peer] = connect
        self.close_at_shutdown(channel.close)
        return channel

    async def sqlite_store(self, path: Path, *, migrations: Sequence[Migration]) -> SqliteStore:
        """The service's SQLite database at `path`, migrated, checked for readiness ("sqlite"),
        its threads watched by the health watchdog, and closed at shutdown."""
        store = await SqliteStore.open(path, migrations=migrations)
        self.check_ready("sqlite", store.check_ready)
        for role, executor in store.executors.items():
            self.watch_pool(f"sqlite-{role}", executor)
        self.close_at_shutdown(store.close)
        return store

    def container(self, service: Service, token_verifier: AccessTokenVerifier) -> ServiceContainer[Service]:
        return ServiceContainer(
            service,
            token_verifier,
            self.readiness_checks,
            self.closers,
            self.pools,
            self.warm_ups,
            self.background_warm_ups,
        )


async def _passes(name: str, check: ReadinessCheck) -> bool:
    try:
        await check()
    except Exception as exc:  # a dependency not there yet: tried again until the bound
        logger.debug("warm-up check failed", extra={"check": name, "error": repr(exc)})
        return False
    return True


async def warm_up(checks: dict[str, ReadinessCheck], *, within: float = WARM_UP_SECONDS) -> bool:
    """Runs the readiness checks until every one has passed once, or `within` seconds are up.

    Run before the process serves HTTP: by the time /readyz can first answer ready, the peers'
    channels are connected (TLS done) and the stores have answered, so the first real request
    (a signed-in one asks auth about its session within a 5 s deadline) finds them warm. Peers
    check each other in a cycle, which cannot deadlock: each asks the other's proto service,
    SERVING as soon as its gRPC server is up, not its overall readiness.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    waiting = dict(checks)
    while waiting:
        try:
            async with asyncio.timeout_at(deadline):
                passed = await asyncio.gather(*(_passes(name, check) for name, check in waiting.items()))
        except TimeoutError:
            passed = [False] * len(waiting)
        waiting = {name: check for (name, check), ok in zip(waiting.items(), passed, strict=True) if not ok}
        if waiting and loop.time() >= deadline:
            logger.warning("dependencies not ready at start-up", extra={"checks": sorted(waiting), "after": within})
            return False
        if waiting:
            await asyncio.sleep(WARM_UP_RETRY_SECONDS)
    return True


@dataclass(frozen=True)
class GrpcApi:
    """A service's gRPC side: its proto service, who may call which method, and how its
    servicers are added to a server given the container."""

    service_name: str
    caller_policy: CallerPolicy
    register_servicers: Callable[[grpc.aio.Server, Any], None]


def service_lifespan(
    settings: ServiceSettings,
    *,
    build_container: Callable[[Any], Awaitable[ServiceContainer[Any]]],
    grpc_api: GrpcApi,
    metrics: ServiceMetrics,
) -> Callable[[FastAPI], Any]:
    """Runs inside the event loop, so gRPC servers and channels are created there, never at import.
    The bound gRPC port is kept in `app.state.grpc_port` (tests bind port 0), and the metrics
    endpoint, when `metrics_port` is set, in `app.state.metrics_endpoint` (None otherwise)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Without telemetry no metrics are bound, so the adapters built here record none.
        with building_for(metrics) if settings.telemetry else nullcontext():
            container = await build_container(settings)
        app.state.settings = settings
        app.state.container = container
        app.state.readiness_checks = container.readiness_checks
        try:
            server, port = await start_grpc_server(
                lambda server: grpc_api.register_servicers(server, container),
                host=settings.grpc_host,
                port=settings.grpc_port,
                service_names=[grpc_api.service_name],
                tls=settings.tls_material(),
                caller_policy=grpc_api.caller_policy,
                warming=True,
                # Tracing outermost: the metrics and the context interceptor run inside the call's span.
                interceptors=[grpc_server_tracing(), GrpcServerMetricsInterceptor(metrics)]
                if settings.telemetry
                else [],
            )
            app.state.grpc_port = port
            app.state.watchdog = watchdog = Watchdog(container.pools)
            health = GrpcHealth(server, [grpc_api.service_name], warm=False)
            async with (
                _metrics_endpoint(app, settings, metrics),
                supervised_grpc_server(server),
                watching(watchdog, health.report),
                in_background(warm_up(container.background_warm_ups)),
            ):
                await warm_up(container.start_up_checks())
                # Past the bound too: a peer that is down is /readyz's to report, and a process
                # that the orchestrator replaces for it would only start cold again.
                await health.report_warm()
                yield
        finally:
            await container.aclose()

    return lifespan


@asynccontextmanager
async def _metrics_endpoint(app: FastAPI, settings: ServiceSettings, metrics: ServiceMetrics) -> AsyncIterator[None]:
    app.state.metrics_endpoint = None
    if settings.metrics_port is None:
        yield
        return
    async with serving_metrics(metrics, host=settings.metrics_host, port=settings.metrics_port) as endpoint:
        app.state.metrics_endpoint = endpoint
        yield


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    router: APIRouter,
    build_container: Callable[[Any], Awaitable[ServiceContainer[Any]]],
    grpc_api: GrpcApi,
) -> FastAPI:
    """One service's whole process: its HTTP routes, and its gRPC server in the app's lifespan.
    The interactive API docs are served in development only. Its metrics (scloud_common.metrics)
    are its own, in `app.state.metrics`, whichever other apps run in the same process; its traces
    (scloud_common.tracing) go to the process's tracer provider."""
    metrics = ServiceMetrics()
    app = create_app(
        title=title,
        description=description,
        docs=settings.environment == "development",
        lifespan=service_lifespan(settings, build_container=build_container, grpc_api=grpc_api, metrics=metrics),
        metrics=metrics if settings.telemetry else None,
    )
    include_public_api(app, router)
    if settings.telemetry:
        trace_app(app)
    app.state.metrics = metrics
    return app
