"""The one harness for tests that serve real apps: uvicorn servers on one event loop in a
background thread, started and stopped within bounds, reporting the ports they bound."""

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import uvicorn

# A service starting under a load average of 20 on 2 cores took longer than 20 s; a start that
# never comes still fails, only later.
START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 20.0
# After the graceful bound, for the cancelled servers to unwind.
FORCED_STOP_SECONDS = 5.0


def free_ports(count: int) -> list[int]:
    """Ports free right now, for addresses that must be known before a server starts (a peer's
    address in another service's settings, a subprocess's argument). Bind port 0 otherwise."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def loopback_config(app, *, port: int = 0) -> uvicorn.Config:
    """uvicorn serving `app` on 127.0.0.1 with its lifespan (where the services start gRPC)."""
    return uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")


@dataclass(frozen=True)
class RunningServer:
    server: uvicorn.Server
    host: str
    port: int

    @property
    def app(self):
        return self.server.config.app

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def grpc_port(self) -> int:
        """The port the app's lifespan bound its gRPC server to (`app.state.grpc_port`)."""
        return self.app.state.grpc_port

    @property
    def grpc_address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"


class ServerThread:
    """Serves every config on one event loop in a daemon thread. A server that ends, or fails to
    start, ends the others too, as one service process would; its error is raised to the test."""

    def __init__(self, configs: list[uvicorn.Config], *, start_timeout: float, stop_timeout: float) -> None:
        self._servers = [uvicorn.Server(config) for config in configs]
        self._start_timeout = start_timeout
        self._stop_timeout = stop_timeout
        self._errors: list[BaseException] = []
        self._serving: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve_all())
        except asyncio.CancelledError:
            pass  # a forced stop; stop() reports it

    async def _serve_all(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._serving = asyncio.current_task()
        await asyncio.gather(*(self._serve(server) for server in self._servers))

    async def _serve(self, server: uvicorn.Server) -> None:
        try:
            await server.serve()
        # uvicorn reports a failed bind or lifespan start-up with sys.exit, which would otherwise
        # end the loop without stopping the servers that did start.
        except (Exception, SystemExit) as error:
            self._errors.append(error)
        finally:
            for other in self._servers:
                other.should_exit = True

    def start(self) -> list[RunningServer]:
        self._thread.start()
        deadline = time.monotonic() + self._start_timeout
        while not all(server.started for server in self._servers):
            if not self._thread.is_alive():
                raise RuntimeError(f"uvicorn servers failed to start (see the captured log): {self._errors!r}")
            if time.monotonic() > deadline:
                self._stop_within_bounds()
                raise RuntimeError(f"uvicorn servers did not start within {self._start_timeout} s")
            self._thread.join(0.02)
        running = []
        for server in self._servers:
            host, port = server.servers[0].sockets[0].getsockname()[:2]
            running.append(RunningServer(server, host, port))
        return running

    def stop(self) -> None:
        if not self._stop_within_bounds():
            raise RuntimeError(f"uvicorn servers did not stop within {self._stop_timeout} s; forced to stop")
        if self._errors:
            raise RuntimeError(f"a uvicorn server failed while serving: {self._errors!r}")

    def _stop_within_bounds(self) -> bool:
        """Asks the servers to stop; past the bound, cancels them (a request or a lifespan that
        never ends would otherwise hold the thread forever). False if it came to that."""
        for server in self._servers:
            server.should_exit = True
        self._thread.join(self._stop_timeout)
        if not self._thread.is_alive():
            return True
        if self._loop is not None and self._serving is not None:
            # The loop may close between the join above and this call: then it has stopped anyway.
            with suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._serving.cancel)
        self._thread.join(FORCED_STOP_SECONDS)
        return False


@contextmanager
def serve_in_thread(
    *configs: uvicorn.Config,
    start_timeout: float = START_TIMEOUT_SECONDS,
    stop_timeout: float = STOP_TIMEOUT_SECONDS,
) -> Iterator[list[RunningServer]]:
    """Runs the servers for the `with` block; yields them started, in the order given."""
    thread = ServerThread(list(configs), start_timeout=start_timeout, stop_timeout=stop_timeout)
    running = thread.start()
    try:
        yield running
    finally:
        thread.stop()
