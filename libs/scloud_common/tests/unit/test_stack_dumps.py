"""The tasks' part of a SIGUSR1 dump survives frames it cannot read the source of."""

import asyncio
from types import SimpleNamespace

from scloud_common.stack_dumps import describe_task, describe_tasks


class TaskWithoutLineNumbers:
    """A task whose suspended frame has no line number, as the container test met in auth:
    Task.print_stack then raised TypeError in linecache and the whole dump was lost."""

    def get_name(self) -> str:
        return "Task-7"

    def get_coro(self) -> str:
        return "<coroutine object serve>"

    def get_stack(self, *, limit: int) -> list[SimpleNamespace]:
        code = SimpleNamespace(co_filename="/app/server.py", co_name="serve")
        return [SimpleNamespace(f_code=code, f_lineno=None)]


def test_a_frame_without_a_line_number_is_described_not_fatal():
    described = describe_task(TaskWithoutLineNumbers())  # type: ignore[arg-type]
    assert described.splitlines() == [
        "Task-7 <coroutine object serve>",
        "Stack (most recent call last):",
        '  File "/app/server.py", line None, in serve',
    ]


async def test_every_task_of_the_loop_is_described_with_where_it_waits():
    waiting = asyncio.Event()

    async def waits_on_purpose() -> None:
        await waiting.wait()

    task = asyncio.create_task(waits_on_purpose(), name="waits-on-purpose")
    await asyncio.sleep(0)
    try:
        mine = [text for text in describe_tasks(asyncio.get_running_loop()) if text.startswith("waits-on-purpose")]
        assert len(mine) == 1 and "in waits_on_purpose" in mine[0]
    finally:
        waiting.set()
        await task
