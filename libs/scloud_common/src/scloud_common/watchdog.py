"""Whether the process can still serve, for the health the orchestrator acts on. A process whose
thread pools are all parked (once, every default-executor thread waited on the loop while the
loop waited on that executor) answers nothing useful yet looks alive: ECS never replaced it. The
watchdog runs a no-op on each registered pool every few seconds; a pool whose last no-op ran too
long ago makes the process unhealthy: `/healthz` answers 503 and the gRPC health service (what
the container health check asks) NOT_SERVING, so the task is replaced. When the pools drain,
health comes back by itself. A blocked event loop answers neither, and the probe, another
process with its own timeout, counts that as a failure too."""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from concurrent.futures import Executor
from contextlib import AbstractAsyncContextManager
from typing import Any

logger = logging.getLogger(__name__)

CHECK_INTERVAL_SECONDS = 2.0
# Longer than one AWS call can take with its retries (2 s connect + 5 s read, 3 attempts), so a
# pool busy with slow but live calls is not taken for a wedged one.
STALE_AFTER_SECONDS = 30.0
DEFAULT_EXECUTOR = "default"


class Watchdog:
    """Watches the loop's default executor (named `default`) and the `pools` given. Each pool
    must keep a thread free for the probe whenever its own work is bounded (as the archive pool
    does), or be one whose every task ends within STALE_AFTER_SECONDS (AWS calls)."""

    def __init__(
        self,
        pools: Mapping[str, Executor],
        *,
        interval_seconds: float = CHECK_INTERVAL_SECONDS,
        stale_after_seconds: float = STALE_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pools: dict[str, Executor | None] = {DEFAULT_EXECUTOR: None, **pools}
        self._interval = interval_seconds
        self._stale_after = stale_after_seconds
        self._clock = clock
        started = clock()
        self._answered = dict.fromkeys(self._pools, started)
        self._pending: set[str] = set()

    def problems(self) -> list[str]:
        """The names of the pools that have not run a probe for too long."""
        now = self._clock()
        return [name for name, answered in self._answered.items() if now - answered > self._stale_after]

    async def run(self, report: Callable[[bool], Awaitable[None]]) -> None:
        """Probes forever; calls `report(healthy)` whenever the verdict changes."""
        loop = asyncio.get_running_loop()
        healthy = True
        while True:
            for name, executor in self._pools.items():
                if name not in self._pending:
                    self._pending.add(name)
                    loop.run_in_executor(executor, self._answer, name)
            problems = self.problems()
            if (not problems) != healthy:
                healthy = not problems
                if problems:
                    logger.critical("process cannot serve", extra={"stalled": problems})
                else:
                    logger.warning("process serves again")
                await report(healthy)
            await asyncio.sleep(self._interval)

    def _answer(self, name: str) -> None:
        # Runs on the probed pool's thread: a plain store, which the loop reads without a lock.
        self._answered[name] = self._clock()
        self._pending.discard(name)


@contextlib.asynccontextmanager
async def in_background(work: Coroutine[Any, Any, object]) -> AsyncIterator[None]:
    """Runs `work` while the block runs, cancelled if still running at its end."""
    task = asyncio.create_task(work)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def watching(watchdog: Watchdog, report: Callable[[bool], Awaitable[None]]) -> AbstractAsyncContextManager[None]:
    return in_background(watchdog.run(report))
