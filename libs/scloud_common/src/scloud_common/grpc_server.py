"""grpc.aio server plumbing: mutual TLS, caller allow lists, health service, request ids, and
AppError -> status code."""

import asyncio
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from scloud_common.errors import AppError, PermissionDenied, Unauthenticated
from scloud_common.grpc_errors import GRPC_CODE
from scloud_common.internal_tls import SERVICE_NAMES, TlsMaterial, caller_name
from scloud_common.logs import REQUEST_ID_METADATA_KEY, clean_request_id, request_id_var
from scloud_common.tracing import current_trace_id

logger = logging.getLogger(__name__)

ERROR_CODE_METADATA_KEY = "scloud-error-code"

_died_unexpectedly = False


def grpc_server_died() -> bool:
    """True once a supervised server has stopped without being asked to."""
    return _died_unexpectedly


HEALTH_SERVICE = "grpc.health.v1.Health"


class UnknownCaller(Unauthenticated):
    code = "unknown_caller"
    message = "The caller's certificate names no SCloud service."


class CallerNotAllowed(PermissionDenied):
    code = "caller_not_allowed"
    message = "This service may not call this method."


@dataclass(frozen=True)
class CallerPolicy:
    """Which services may call which method (full gRPC method names). A method missing from the
    table is refused to everyone; the health service answers every known service."""

    allowed: Mapping[str, frozenset[str]]
    known_callers: frozenset[str] = frozenset(SERVICE_NAMES)

    @classmethod
    def for_service(cls, service: str, callers_by_method: Mapping[str, Collection[str]]) -> "CallerPolicy":
        return cls({f"/{service}/{method}": frozenset(callers) for method, callers in callers_by_method.items()})

    def check(self, method: str, caller: str | None) -> None:
        if caller is None or caller not in self.known_callers:
            raise UnknownCaller()
        if method.startswith(f"/{HEALTH_SERVICE}/"):
            return
        if caller not in self.allowed.get(method, frozenset()):
            raise CallerNotAllowed()


class _ServerContextInterceptor(grpc.aio.ServerInterceptor):
    """Checks who calls against the policy, binds the caller's request id, logs each call, and
    turns an AppError into its status code."""

    def __init__(self, policy: CallerPolicy) -> None:
        self._policy = policy

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable["grpc.RpcMethodHandler[Any, Any] | None"]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> "grpc.RpcMethodHandler[Any, Any] | None":
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        if handler.unary_unary is None:
            return self._guard_stream(handler, handler_call_details.method)
        metadata = dict(handler_call_details.invocation_metadata or ())
        # Metadata values are str unless their key ends in -bin, which the request id's does not.
        callers_request_id = clean_request_id(metadata.get(REQUEST_ID_METADATA_KEY))  # type: ignore[arg-type]
        method = handler_call_details.method
        # grpc.aio keeps its coroutine behaviours in grpc's handler type, which types them as sync.
        inner: Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]] = handler.unary_unary  # type: ignore[assignment]

        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            # The trace id when the tracing interceptor around this one continued the caller's trace
            # (as the caller logged it), else the id the caller sent.
            token = request_id_var.set(current_trace_id() or callers_request_id)
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            caller = caller_name(context)
            try:
                self._policy.check(method, caller)
                return await inner(request, context)
            except AppError as exc:
                code = GRPC_CODE[exc.kind]
                await context.abort(code, exc.message, trailing_metadata=((ERROR_CODE_METADATA_KEY, exc.code),))
            except asyncio.CancelledError:
                code = grpc.StatusCode.CANCELLED
                raise
            except Exception:
                if context.code() not in (None, grpc.StatusCode.OK):
                    code = context.code()
                    raise
                code = grpc.StatusCode.INTERNAL
                logger.exception("unhandled error in rpc", extra={"rpc": method})
                await context.abort(code, "internal error")
            finally:
                if method != "/grpc.health.v1.Health/Check":
                    logger.info(
                        "rpc",
                        extra={
                            "rpc": method,
                            "caller": caller,
                            "code": code.name,
                            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        },
                    )
                request_id_var.reset(token)

        return grpc.unary_unary_rpc_method_handler(
            behavior,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _guard_stream(
        self, handler: "grpc.RpcMethodHandler[Any, Any]", method: str
    ) -> "grpc.RpcMethodHandler[Any, Any] | None":
        """Server-streaming methods (only the health service's Watch) pass the same caller check."""
        if handler.unary_stream is None:
            return None
        # As above: grpc.aio's stream behaviours are async generators, typed as sync iterators.
        inner: Callable[[Any, grpc.aio.ServicerContext[Any, Any]], AsyncIterator[Any]] = handler.unary_stream  # type: ignore[assignment]

        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[Any]:
            try:
                self._policy.check(method, caller_name(context))
            except AppError as exc:
                await context.abort(
                    GRPC_CODE[exc.kind], exc.message, trailing_metadata=((ERROR_CODE_METADATA_KEY, exc.code),)
                )
            async for response in inner(request, context):
                yield response

        return grpc.unary_stream_rpc_method_handler(
            behavior,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


async def start_grpc_server(
    register_servicers: Callable[[grpc.aio.Server], None],
    *,
    host: str,
    port: int,
    service_names: Iterable[str],
    tls: TlsMaterial,
    caller_policy: CallerPolicy,
    warming: bool = False,
    interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
) -> tuple[grpc.aio.Server, int]:
    """Starts a mutual-TLS server with the standard health service; returns it and the bound port
    (0 picks one). Each of `service_names` answers SERVING at once; so does the overall status
    (""), unless `warming`: then it waits for `GrpcHealth.report_warm`. `interceptors` run first
    (outermost), so they see the status code the context interceptor answered with."""
    server = grpc.aio.server(interceptors=[*interceptors, _ServerContextInterceptor(caller_policy)])
    register_servicers(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    bound_port = server.add_secure_port(f"{host}:{port}", tls.server_credentials())
    if bound_port == 0:
        raise RuntimeError(f"cannot bind gRPC server to {host}:{port}")
    overall = health_pb2.HealthCheckResponse.NOT_SERVING if warming else health_pb2.HealthCheckResponse.SERVING
    await health_servicer.set("", overall)
    for name in service_names:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    await server.start()
    # Rides on the server so supervised_grpc_server can report NOT_SERVING at shutdown; grpc.aio.Server
    # declares no such attribute.
    server.scloud_health = health_servicer  # type: ignore[attr-defined]
    logger.info("grpc server listening", extra={"address": f"{host}:{bound_port}"})
    return server, bound_port


class GrpcHealth:
    """The server's health, overall ("", what the container health check asks) and per proto
    service (what peers ask). A proto service is SERVING while the process can serve (the
    watchdog's verdict), so two peers that wait on each other while starting never deadlock;
    the overall status is SERVING only once the process has also warmed up. Ignored once the
    server is shutting down."""

    def __init__(self, server: grpc.aio.Server, service_names: Iterable[str], *, warm: bool = True) -> None:
        self._servicer: health.aio.HealthServicer = server.scloud_health  # type: ignore[attr-defined]
        self._service_names = list(service_names)
        self._healthy = True
        self._warm = warm

    async def report(self, serving: bool) -> None:
        """The watchdog's verdict."""
        self._healthy = serving
        await self._publish()

    async def report_warm(self) -> None:
        self._warm = True
        await self._publish()

    async def _publish(self) -> None:
        await self._servicer.set("", _status(self._healthy and self._warm))
        for name in self._service_names:
            await self._servicer.set(name, _status(self._healthy))


def _status(serving: bool) -> "health_pb2.HealthCheckResponse.ServingStatus.ValueType":
    return health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING


@asynccontextmanager
async def supervised_grpc_server(server: grpc.aio.Server, grace_seconds: float = 5.0) -> AsyncIterator[None]:
    """Keeps the gRPC server for the life of the HTTP app; if it ever stops on its own, the
    whole process is stopped, so an orchestrator restarts it rather than leaving half a service."""
    stopping = False

    async def watch() -> None:
        global _died_unexpectedly
        await server.wait_for_termination()
        if not stopping:
            logger.critical("grpc server stopped unexpectedly; stopping the process")
            _died_unexpectedly = True
            os.kill(os.getpid(), signal.SIGTERM)

    watcher = asyncio.create_task(watch())
    try:
        yield
    finally:
        stopping = True
        health_servicer = getattr(server, "scloud_health", None)
        if health_servicer is not None:
            await health_servicer.enter_graceful_shutdown()
        await server.stop(grace_seconds)
        watcher.cancel()
