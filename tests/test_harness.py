"""The server-in-a-thread harness: it reports what it bound, and every wait it makes has a bound."""

import asyncio
import threading
import time
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from scripts.processes import TerminalWatch
from tests.harness import loopback_config, serve_in_thread


def app_named(name: str, *, grpc_port: int = 0, startup=None, shut_down: list[str] | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if startup is not None:
            await startup()
        app.state.grpc_port = grpc_port
        yield
        if shut_down is not None:
            shut_down.append(name)

    app = FastAPI(lifespan=lifespan)

    @app.get("/name")
    async def read_name() -> str:
        return name

    @app.get("/forever")
    async def never_answer() -> None:
        await asyncio.Event().wait()

    return app


def refuses_connections(url: str) -> bool:
    try:
        httpx.get(f"{url}/name", timeout=2)
    except httpx.ConnectError:
        return True
    return False


def test_each_server_answers_on_the_port_it_reports_with_its_apps_grpc_port():
    configs = [
        loopback_config(app_named("first", grpc_port=1111)),
        loopback_config(app_named("second", grpc_port=2222)),
    ]
    with serve_in_thread(*configs) as (first, second):
        assert first.port != second.port
        assert httpx.get(f"{first.url}/name").json() == "first"
        assert httpx.get(f"{second.url}/name").json() == "second"
        assert (first.grpc_address, second.grpc_address) == ("127.0.0.1:1111", "127.0.0.1:2222")
    assert refuses_connections(first.url) and refuses_connections(second.url)


def test_a_failed_start_up_is_raised_at_once_and_the_started_servers_shut_down_cleanly():
    async def fail() -> None:
        await asyncio.sleep(0.2)
        raise RuntimeError("no table")

    shut_down: list[str] = []
    fine = loopback_config(app_named("fine", shut_down=shut_down))
    broken = loopback_config(app_named("broken", startup=fail))
    started_at = time.monotonic()
    with pytest.raises(RuntimeError, match="failed to start"):
        with serve_in_thread(fine, broken):
            pass
    assert time.monotonic() - started_at < 5
    assert shut_down == ["fine"]


def test_a_start_up_that_never_ends_fails_within_the_start_bound():
    async def hang() -> None:
        await asyncio.Event().wait()

    started_at = time.monotonic()
    with pytest.raises(RuntimeError, match="did not start within 0.5 s"):
        with serve_in_thread(loopback_config(app_named("stuck", startup=hang)), start_timeout=0.5, stop_timeout=0.5):
            pass
    assert time.monotonic() - started_at < 5


def test_a_request_that_never_ends_is_cut_off_at_the_stop_bound_and_reported():
    with pytest.raises(RuntimeError, match="did not stop within 0.5 s"):
        with serve_in_thread(loopback_config(app_named("busy")), stop_timeout=0.5) as (server,):
            pending = threading.Thread(target=ask_forever, args=(server.url,))
            pending.start()
            deadline = time.monotonic() + 5
            while not server.server.server_state.tasks and time.monotonic() < deadline:
                time.sleep(0.02)
            assert server.server.server_state.tasks, "the request never reached the server"
            stopping_at = time.monotonic()
    assert time.monotonic() - stopping_at < 5
    assert refuses_connections(server.url)
    pending.join(10)


def ask_forever(url: str) -> None:
    try:
        httpx.get(f"{url}/forever", timeout=10)
    except httpx.HTTPError:
        pass


def test_the_run_notices_a_lost_terminal_even_if_the_first_check_found_none():
    """Regression: a run under `script` found no terminal at its one check at the start, so it
    never noticed its terminal close and kept every process running."""
    checks = iter([False, True, True, False, False])
    terminal = TerminalWatch(lambda: next(checks))
    assert [terminal.lost() for _ in range(5)] == [False, False, False, True, True]


def test_a_run_that_never_had_a_terminal_never_loses_one():
    terminal = TerminalWatch(lambda: False)
    assert not any(terminal.lost() for _ in range(3))
