"""A service process never lives on as half a service: when its gRPC server dies, it exits."""

import os
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest

from scloud_common.internal_tls import tls_settings
from tests.harness import free_ports

pytestmark = pytest.mark.integration

# A service built like the real ones (run_service + service_lifespan's supervision) whose gRPC
# server stops on its own a moment after start, as a crashed server would.
SERVICE_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from contextlib import asynccontextmanager
    from scloud_common.grpc_server import CallerPolicy, start_grpc_server, supervised_grpc_server
    from scloud_common.runner import run_service
    from scloud_common.settings import ServiceSettings
    from scloud_common.web import create_app

    settings = ServiceSettings(http_port=int(sys.argv[1]), grpc_port=0)

    @asynccontextmanager
    async def lifespan(app):
        server, _ = await start_grpc_server(
            lambda server: None,
            host="127.0.0.1",
            port=0,
            service_names=[],
            tls=settings.tls_material(),
            caller_policy=CallerPolicy({}),
        )
        async with supervised_grpc_server(server):
            asyncio.get_running_loop().call_later(1.5, lambda: asyncio.ensure_future(server.stop(0)))
            yield

    run_service("probe", create_app(title="probe", description="probe", lifespan=lifespan), settings)
    """
)


def test_the_process_exits_non_zero_when_its_grpc_server_dies(tmp_path, internal_certificates):
    (port,) = free_ports(1)
    script = tmp_path / "service.py"
    script.write_text(SERVICE_SCRIPT)
    # As a deployed service gets them: its gRPC certificates from the environment.
    tls_environment = {name.upper(): value for name, value in tls_settings(internal_certificates, "files").items()}
    process = subprocess.Popen(
        [sys.executable, str(script), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **tls_environment},
    )
    try:
        served = False
        deadline = time.monotonic() + 10
        while not served and time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    served = response.status == 200
            except OSError:
                time.sleep(0.1)
        assert served, "the service never answered on HTTP"
        assert process.wait(timeout=20) != 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
