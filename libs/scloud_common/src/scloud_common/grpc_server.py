"""grpc.aio server plumbing: health service, request ids, and AppError -> status code."""

import asyncio
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from scloud_common.errors import AppError
from scloud_common.logs import REQUEST_ID_METADATA_KEY, clean_request_id, request_id_var

logger = logging.getLogger(__name__)

ERROR_CODE_METADATA_KEY = "scloud-error-code"

_died_unexpectedly = False


def grpc_server_died() -> bool:
    """True once a supervised server has stopped without being asked to."""
    return _died_unexpectedly


class _ServerContextInterceptor(grpc.aio.ServerInterceptor):
    """Binds the caller's request id, logs each call, and turns an AppError into its status code."""

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        metadata = dict(handler_call_details.invocation_metadata or ())
        request_id = clean_request_id(metadata.get(REQUEST_ID_METADATA_KEY))
        method = handler_call_details.method
        inner = handler.unary_unary

        async def behavior(request, context: grpc.aio.ServicerContext):
            token = request_id_var.set(request_id)
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                return await inner(request, context)
            except AppError as exc:
                code = exc.kind.grpc_code
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


async def start_grpc_server(
    register_servicers: Callable[[grpc.aio.Server], None],
    *,
    host: str,
    port: int,
    service_names: Iterable[str],
) -> tuple[grpc.aio.Server, int]:
    """Starts a server with the standard health service; returns it and the bound port (0 picks one)."""
    server = grpc.aio.server(interceptors=[_ServerContextInterceptor()])
    register_servicers(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    bound_port = server.add_insecure_port(f"{host}:{port}")
    if bound_port == 0:
        raise RuntimeError(f"cannot bind gRPC server to {host}:{port}")
    await server.start()
    for name in ("", *service_names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    server.scloud_health = health_servicer  # type: ignore[attr-defined]
    logger.info("grpc server listening", extra={"address": f"{host}:{bound_port}"})
    return server, bound_port


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
