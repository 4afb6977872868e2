"""grpc.aio client plumbing: channels with deadlines and retries, request ids, status code -> AppError."""

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from scloud_common.errors import AppError, ErrorKind, ServiceTimeout, ServiceUnavailable, error_for
from scloud_common.grpc_errors import kind_of_grpc_code
from scloud_common.grpc_server import ERROR_CODE_METADATA_KEY
from scloud_common.internal_tls import TlsMaterial
from scloud_common.logs import REQUEST_ID_METADATA_KEY, new_request_id, request_id_var
from scloud_common.metrics import GrpcClientMetricsInterceptor, ServiceMetrics
from scloud_common.tracing import grpc_client_tracing

Response = TypeVar("Response")


class _RequestIdClientInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    """Adds the request id to every call, and lets idempotent calls wait (within their deadline)
    for a peer that is reconnecting instead of failing at once: repeating them is harmless."""

    def __init__(self, wait_for_ready_methods: frozenset[str]) -> None:
        self._wait_for_ready_methods = wait_for_ready_methods

    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[grpc.aio.UnaryUnaryCall[Any, Any]]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> grpc.aio.UnaryUnaryCall[Any, Any]:
        metadata = grpc.aio.Metadata(*(client_call_details.metadata or ()))
        metadata.add(REQUEST_ID_METADATA_KEY, request_id_var.get() or new_request_id())
        method = client_call_details.method
        method_name = method.decode() if isinstance(method, bytes) else method
        details = grpc.aio.ClientCallDetails(
            method=method,
            timeout=client_call_details.timeout,
            metadata=metadata,
            credentials=client_call_details.credentials,
            wait_for_ready=client_call_details.wait_for_ready or method_name in self._wait_for_ready_methods,
        )
        return await continuation(details, request)


def retry_service_config(service: str, idempotent_methods: Iterable[str]) -> str:
    """Service config that retries only the idempotent methods, and only on UNAVAILABLE."""
    return json.dumps(
        {
            "methodConfig": [
                {
                    "name": [{"service": service, "method": method} for method in idempotent_methods],
                    "retryPolicy": {
                        "maxAttempts": 4,
                        "initialBackoff": "0.1s",
                        "maxBackoff": "1s",
                        "backoffMultiplier": 2,
                        "retryableStatusCodes": ["UNAVAILABLE"],
                    },
                }
            ]
        }
    )


def create_channel(
    target: str,
    *,
    peer: str,
    service: str,
    idempotent_methods: Iterable[str],
    tls: TlsMaterial,
    metrics: ServiceMetrics | None = None,
    traced: bool = False,
) -> grpc.aio.Channel:
    """A mutual-TLS channel to `target` (`host:port`), which must show the certificate of the
    service named `peer`, whatever its address. Call inside a running loop.

    A restarted peer is reconnected to within about a second: gRPC's default reconnect backoff
    grows to 120 s, which kept callers failing long after the peer was back. With `metrics`, each
    call is timed (scloud_grpc_client_duration_seconds); `traced`, each is a client span whose
    context the peer continues.
    """
    idempotent_methods = tuple(idempotent_methods)
    options = [
        ("grpc.enable_retries", 1),
        ("grpc.service_config", retry_service_config(service, idempotent_methods)),
        ("grpc.keepalive_time_ms", 30_000),
        ("grpc.ssl_target_name_override", peer),
        ("grpc.initial_reconnect_backoff_ms", 100),
        ("grpc.min_reconnect_backoff_ms", 100),
        ("grpc.max_reconnect_backoff_ms", 1_000),
    ]
    wait_for_ready_methods = frozenset(f"/{service}/{method}" for method in idempotent_methods)
    # The first is the outermost: the metrics time the whole call, and the tracing interceptor puts
    # the trace context in the metadata before the request id joins it.
    interceptors: list[grpc.aio.ClientInterceptor] = []
    if metrics is not None:
        interceptors.append(GrpcClientMetricsInterceptor(metrics))
    if traced:
        interceptors.extend(grpc_client_tracing())
    interceptors.append(_RequestIdClientInterceptor(wait_for_ready_methods))
    return grpc.aio.secure_channel(target, tls.channel_credentials(), options=options, interceptors=interceptors)


def app_error_from_rpc_error(error: grpc.aio.AioRpcError) -> AppError:
    code = error.code()
    if code == grpc.StatusCode.UNAVAILABLE:
        return ServiceUnavailable()
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return ServiceTimeout()
    kind = kind_of_grpc_code(code)
    if kind is ErrorKind.INTERNAL:
        return AppError()
    error_code = dict(error.trailing_metadata() or ()).get(ERROR_CODE_METADATA_KEY) or kind.name.lower()
    return error_for(kind, str(error_code), error.details() or "")


async def call_rpc(rpc: Callable[..., Awaitable[Response]], request: Any, *, timeout: float) -> Response:
    """Calls `rpc` with a deadline and re-raises its failure as the matching AppError."""
    try:
        return await rpc(request, timeout=timeout)
    except grpc.aio.AioRpcError as error:
        raise app_error_from_rpc_error(error) from error


async def check_peer_health(channel: grpc.aio.Channel, *, timeout: float, service: str = "") -> None:
    """Raises ServiceUnavailable unless the peer's standard health service says SERVING."""
    response = await call_rpc(
        health_pb2_grpc.HealthStub(channel).Check, health_pb2.HealthCheckRequest(service=service), timeout=timeout
    )
    if response.status != health_pb2.HealthCheckResponse.SERVING:
        raise ServiceUnavailable()


async def connect_peer(channel: grpc.aio.Channel, *, timeout: float, service: str = "") -> None:
    """Connects `channel` (name lookup, TCP, TLS) within `timeout`, then checks the peer's health:
    raises ServiceUnavailable unless both succeed. A call on a channel never used pays the connect
    inside its own deadline, which is what a cold process's first request must not do."""
    try:
        async with asyncio.timeout(timeout):
            await channel.channel_ready()
    except TimeoutError as exc:
        raise ServiceUnavailable() from exc
    await check_peer_health(channel, timeout=timeout, service=service)
