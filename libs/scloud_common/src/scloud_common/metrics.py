"""Prometheus metrics of one service process: HTTP requests per route template, gRPC calls per
method on both sides, AWS calls per operation; served on an internal port for scraping, never
through the gateway (docs/decisions/0007-prometheus-metrics.md)."""

import asyncio
import contextvars
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import grpc
from prometheus_client import CollectorRegistry, Histogram, start_http_server
from starlette.types import Scope

from scloud_common.api_version import mount_prefix
from scloud_common.event_metrics import EventMetrics, recording_for

logger = logging.getLogger(__name__)

# Probes are polled every few seconds by orchestrators and peers: counting them would drown the
# traffic the metrics are for.
UNMETERED_ROUTES = frozenset({"/healthz", "/readyz"})
UNMETERED_GRPC_PREFIX = "/grpc.health.v1.Health/"
# A path no route matched (a scanner's guesses): one label, or every guess would be a new series.
UNMATCHED_ROUTE = "unmatched"


class ServiceMetrics:
    """The metrics of one service process, in a registry of its own: the tests run several
    services' apps in one process, and the default global registry would mix their series."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.http_requests = Histogram(
            "scloud_http_request_duration_seconds",
            "HTTP requests by method, route template and status code: time until the response was sent.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.grpc_server_calls = Histogram(
            "scloud_grpc_server_duration_seconds",
            "gRPC calls this service answered, by full method name and status code.",
            ["method", "code"],
            registry=self.registry,
        )
        self.grpc_client_calls = Histogram(
            "scloud_grpc_client_duration_seconds",
            "gRPC calls this service made to a peer, by full method name and status code, retries included.",
            ["method", "code"],
            registry=self.registry,
        )
        self.aws_calls = Histogram(
            "scloud_aws_call_duration_seconds",
            "AWS API calls by service, operation and outcome (ok, or the AWS error code), retries included.",
            ["service", "operation", "outcome"],
            registry=self.registry,
        )
        # What the service did (uploads, session checks, mail...), recorded by domain code too.
        self.events = EventMetrics(self.registry)

    def observe_http_request(self, scope: Scope, status: int, seconds: float) -> None:
        """Records one answered HTTP request under its route template, unless it was a probe.
        Called by the request middleware (scloud_common.web) once the app has answered."""
        route = route_template(scope)
        if route not in UNMETERED_ROUTES:
            self.http_requests.labels(scope["method"], route, str(status)).observe(seconds)


# Bound by the service lifespan while the bootstrap builds the adapters, which keep the metrics of
# the app they were built for: passing them down every adapter's constructor would change them all
# for a cross-cutting concern. Unset (None) outside a lifespan: nothing is recorded.
_building_for: contextvars.ContextVar[ServiceMetrics | None] = contextvars.ContextVar("scloud_metrics", default=None)


def current_metrics() -> ServiceMetrics | None:
    """The metrics of the service whose adapters are being built, if any."""
    return _building_for.get()


@contextmanager
def building_for(metrics: ServiceMetrics) -> Iterator[None]:
    token = _building_for.set(metrics)
    try:
        with recording_for(metrics.events):
            yield
    finally:
        _building_for.reset(token)


def route_template(scope: Scope) -> str:
    """The template of the route that answered (`/api/v1/files/{file_id}`), never the raw path, so the
    number of series stays bounded whatever the paths requested."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED_ROUTE
    # The public API's routes answer under two prefixes their own paths leave out.
    prefix = mount_prefix(scope)
    return path if path.startswith(prefix + "/") else prefix + path


def _method_name(method: str | bytes) -> str:
    return method.decode() if isinstance(method, bytes) else method


class GrpcServerMetricsInterceptor(grpc.aio.ServerInterceptor):
    """Times each unary call this server answers, with the status code it ended with (the one the
    inner interceptors set when they turned an error into a status)."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self._histogram = metrics.grpc_server_calls

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable["grpc.RpcMethodHandler[Any, Any] | None"]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> "grpc.RpcMethodHandler[Any, Any] | None":
        handler = await continuation(handler_call_details)
        method = _method_name(handler_call_details.method)
        if handler is None or handler.unary_unary is None or method.startswith(UNMETERED_GRPC_PREFIX):
            return handler
        # As in grpc_server: grpc.aio's coroutine behaviours are typed as sync by grpc's handler type.
        inner: Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]] = handler.unary_unary  # type: ignore[assignment]
        histogram = self._histogram

        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                return await inner(request, context)
            except asyncio.CancelledError:
                code = grpc.StatusCode.CANCELLED
                raise
            except Exception:
                # grpc answers UNKNOWN to an exception that set no status.
                code = context.code() or grpc.StatusCode.UNKNOWN
                raise
            finally:
                histogram.labels(method, code.name).observe(time.perf_counter() - started)

        return grpc.unary_unary_rpc_method_handler(
            behavior,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


class GrpcClientMetricsInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    """Times each unary call made on the channel, until its status is known."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self._histogram = metrics.grpc_client_calls

    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[grpc.aio.UnaryUnaryCall[Any, Any]]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> grpc.aio.UnaryUnaryCall[Any, Any]:
        method = _method_name(client_call_details.method)
        if method.startswith(UNMETERED_GRPC_PREFIX):
            return await continuation(client_call_details, request)
        started = time.perf_counter()
        call = await continuation(client_call_details, request)
        # code() waits for the call to end without raising its error, which the caller still gets.
        code = await call.code()
        self._histogram.labels(method, code.name).observe(time.perf_counter() - started)
        return call


@dataclass(frozen=True)
class MetricsEndpoint:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/metrics"


@asynccontextmanager
async def serving_metrics(metrics: ServiceMetrics, *, host: str, port: int) -> AsyncIterator[MetricsEndpoint]:
    """Serves `metrics` in the Prometheus text format on `host:port` (0 picks a free port) with
    prometheus-client's own server, in a thread of its own, until the block ends."""
    server, thread = start_http_server(port, addr=host, registry=metrics.registry)
    endpoint = MetricsEndpoint(host, server.server_port)
    logger.info("metrics listening", extra={"address": f"{host}:{endpoint.port}"})
    try:
        yield endpoint
    finally:
        # shutdown() waits for the serving thread's next poll (up to half a second): not on the loop.
        await asyncio.to_thread(server.shutdown)
        server.server_close()
        thread.join()
