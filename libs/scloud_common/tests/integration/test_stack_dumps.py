"""A service process asked with SIGUSR1 shows where it waits (every thread's stack, every asyncio
task's) and carries on serving: how a stall in a deployed container is diagnosed."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from tests.harness import free_ports

pytestmark = pytest.mark.integration

START_BOUND_SECONDS = 30.0
DUMP_BOUND_SECONDS = 10.0

# A process built like the services (run_service), holding a thread and a task that wait for ever.
SERVICE_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, threading
    from contextlib import asynccontextmanager
    from scloud_common.runner import run_service
    from scloud_common.settings import ServiceSettings
    from scloud_common.web import create_app

    settings = ServiceSettings(
        http_port=int(sys.argv[1]), grpc_port=0,
        grpc_tls_ca_cert="unused", grpc_tls_cert="unused", grpc_tls_key="unused",
    )

    def blocked_thread_on_purpose(event):
        event.wait()

    async def stuck_task_on_purpose(event):
        await event.wait()

    @asynccontextmanager
    async def lifespan(app):
        released = threading.Event()
        threading.Thread(target=blocked_thread_on_purpose, args=(released,), daemon=True).start()
        task = asyncio.create_task(stuck_task_on_purpose(asyncio.Event()), name="the-stuck-one")
        yield
        released.set()
        task.cancel()

    run_service("probe", create_app(title="probe", description="probe", lifespan=lifespan), settings)
    """
)


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def wait_for(condition, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {within} s"
        time.sleep(0.1)


def logged_tasks(stdout: Path) -> list[str] | None:
    for line in stdout.read_text().splitlines():
        if line.startswith("{") and "asyncio tasks on request" in line:
            return json.loads(line)["tasks"]
    return None


def test_sigusr1_dumps_every_thread_and_task_and_the_process_serves_on(tmp_path):
    (port,) = free_ports(1)
    script = tmp_path / "service.py"
    script.write_text(SERVICE_SCRIPT)
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen([sys.executable, str(script), str(port)], stdout=out, stderr=err, env=os.environ)
    try:
        wait_for(lambda: healthy(port) or process.poll() is not None, START_BOUND_SECONDS, "answer on HTTP")
        assert process.poll() is None, stderr.read_text()

        process.send_signal(signal.SIGUSR1)

        wait_for(lambda: "blocked_thread_on_purpose" in stderr.read_text(), DUMP_BOUND_SECONDS, "threads' dump")
        wait_for(lambda: logged_tasks(stdout) is not None, DUMP_BOUND_SECONDS, "tasks' dump")
        threads = stderr.read_text()
        assert threads.count("(most recent call first)") >= 2, threads
        tasks = logged_tasks(stdout)
        stuck = [task for task in tasks if task.startswith("the-stuck-one")]
        assert len(stuck) == 1 and "stuck_task_on_purpose" in stuck[0], tasks
        assert any("serve" in task for task in tasks), tasks
        assert process.poll() is None and healthy(port)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
