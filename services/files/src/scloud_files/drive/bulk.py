"""Bulk actions (move, trash, restore, delete forever of up to 500 items): each item on its own, a
few at a time, within a time budget shorter than the request's deadline, each outcome reported
with its item and what was not attempted handed back to be sent again."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence

from scloud_common.errors import AppError
from scloud_files.domain import MAX_BULK_ITEMS, BulkResult, Item, TooManyItems


class BulkRunner:
    def __init__(
        self, *, concurrency: int, budget_seconds: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._concurrency = concurrency
        self._budget_seconds = budget_seconds
        self._monotonic = monotonic

    async def __call__(self, item_ids: Sequence[str], action: Callable[[str], Awaitable[Item]]) -> BulkResult:
        """Runs `action` on each id in order, a few at a time. No item is started once the budget
        is spent or after an outage (a failure of ours); those are `remaining`. Every item
        started is waited for and reported, done or failed, so nothing is applied unreported."""
        ids = list(dict.fromkeys(item_ids))
        if len(ids) > MAX_BULK_ITEMS:
            raise TooManyItems()
        deadline = self._monotonic() + self._budget_seconds
        outcomes: dict[str, Item | AppError] = {}
        running: dict[asyncio.Task[Item | AppError], str] = {}
        waiting = list(reversed(ids))
        stopped = False

        async def attempt(item_id: str) -> Item | AppError:
            try:
                return await action(item_id)
            except AppError as error:
                return error

        while waiting or running:
            while waiting and not stopped and len(running) < self._concurrency:
                item_id = waiting.pop()
                running[asyncio.create_task(attempt(item_id))] = item_id
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                outcome = task.result()
                outcomes[running.pop(task)] = outcome
                stopped = stopped or (isinstance(outcome, AppError) and outcome.kind.is_failure_of_ours)
            stopped = stopped or self._monotonic() >= deadline
            if stopped and not running:
                break
        attempted = [(item_id, outcomes[item_id]) for item_id in ids if item_id in outcomes]
        return BulkResult(
            [outcome for _, outcome in attempted if isinstance(outcome, Item)],
            [(item_id, outcome) for item_id, outcome in attempted if isinstance(outcome, AppError)],
            remaining=[item_id for item_id in ids if item_id not in outcomes],
        )
