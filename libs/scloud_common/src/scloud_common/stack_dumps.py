"""Where a live service process waits, on demand: `kill -USR1 <pid>` writes every thread's stack
to stderr and logs every asyncio task with its stack, and the process carries on serving.

The threads' dump comes from faulthandler, in the signal handler itself, so it is written even
when the event loop is blocked (a callback stuck in a lock, every executor thread waiting on the
loop). The tasks' dump runs as a loop callback: it shows what each request or RPC awaits when
the loop is free but the work is stuck (a deadline that is never met, a queue never served).
"""

import asyncio
import faulthandler
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

logger = logging.getLogger(__name__)

STACK_DUMP_SIGNAL = signal.SIGUSR1
# A task awaiting through many frames (a gRPC call inside a use case inside a route) is still
# shown whole; a runaway recursion is cut.
TASK_STACK_LIMIT = 50


def describe_tasks(loop: asyncio.AbstractEventLoop) -> list[str]:
    """Each unfinished task of `loop`: its name, its coroutine and where it is suspended."""
    return [describe_task(task) for task in sorted(asyncio.all_tasks(loop), key=lambda task: task.get_name())]


def describe_task(task: "asyncio.Task[object]") -> str:
    """One task's name, coroutine and frames, innermost last. Frames are written from their code
    and line number only: Task.print_stack reads each source line, and a frame without a line
    number (one the container test met in auth) made it raise, losing the whole dump."""
    where = [
        f'  File "{frame.f_code.co_filename}", line {frame.f_lineno}, in {frame.f_code.co_name}'
        for frame in task.get_stack(limit=TASK_STACK_LIMIT)
    ]
    return "\n".join([f"{task.get_name()} {task.get_coro()}", "Stack (most recent call last):", *where])


def log_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = describe_tasks(loop)
    logger.warning("asyncio tasks on request (SIGUSR1)", extra={"task_count": len(tasks), "tasks": tasks})


@contextmanager
def stack_dumps_on_signal(
    loop: asyncio.AbstractEventLoop, *, signum: int = STACK_DUMP_SIGNAL, threads_to: TextIO = sys.stderr
) -> Iterator[None]:
    """While inside, `signum` dumps the threads' stacks to `threads_to` and logs `loop`'s tasks.
    Must run in the main thread, in `loop`, which is where a process's entry runs."""
    loop.add_signal_handler(signum, log_tasks, loop)
    # Registered second, and chained, so the signal reaches faulthandler first and then the
    # loop's own handler (which only wakes the loop to run log_tasks).
    faulthandler.register(signum, file=threads_to, all_threads=True, chain=True)
    try:
        yield
    finally:
        faulthandler.unregister(signum)
        loop.remove_signal_handler(signum)
