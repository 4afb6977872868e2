"""Process entry shared by the services: uvicorn serving the app whose lifespan runs gRPC."""

import asyncio
import socket
import sys

import uvicorn
from fastapi import FastAPI

from scloud_common.grpc_server import grpc_server_died
from scloud_common.logs import configure_logging
from scloud_common.settings import ServiceSettings
from scloud_common.stack_dumps import stack_dumps_on_signal
from scloud_common.tracing import install_tracer_provider, shut_down_tracing, tracer_provider


def uvicorn_config(app: FastAPI, settings: ServiceSettings) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        proxy_headers=True,
        # Only the gateway names the client: any other peer could forge X-Forwarded-For.
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=10,
        server_header=False,
    )


class _ServiceServer(uvicorn.Server):
    """uvicorn's server, answering SIGUSR1 with a dump of the process's threads and tasks
    (scloud_common.stack_dumps) for as long as it serves."""

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        with stack_dumps_on_signal(asyncio.get_running_loop()):
            await super().serve(sockets)


def run_service(name: str, app: FastAPI, settings: ServiceSettings) -> None:
    """Serves HTTP and (through the app's lifespan) gRPC in one loop; exits non-zero if either dies."""
    configure_logging(name, settings.log_level)
    install_tracer_provider(tracer_provider(name, otlp_endpoint=settings.otlp_endpoint))
    server = _ServiceServer(uvicorn_config(app, settings))
    try:
        server.run()
    finally:
        shut_down_tracing()
    if not server.started or grpc_server_died():
        sys.exit(1)
