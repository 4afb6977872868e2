"""Bulk actions (move, trash, restore, delete forever of up to 500 items): each item on its own, a
few at a time, each refusal reported with its item."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from scloud_common.errors import AppError
from scloud_files.domain import BulkResult, Item


class BulkRunner:
    def __init__(self, *, concurrency: int) -> None:
        self._concurrency = concurrency

    async def __call__(self, item_ids: Sequence[str], action: Callable[[str], Awaitable[Item]]) -> BulkResult:
        """Runs `action` on each id, a few at a time so 500 of them fit in a request's deadline;
        an item's refusal is reported with it, an outage fails the whole request."""
        limit = asyncio.Semaphore(self._concurrency)

        async def attempt(item_id: str) -> Item | AppError:
            async with limit:
                try:
                    return await action(item_id)
                except AppError as error:
                    if error.kind.is_failure_of_ours:
                        raise
                    return error

        ids = list(dict.fromkeys(item_ids))
        outcomes = await asyncio.gather(*(attempt(item_id) for item_id in ids))
        items = [outcome for outcome in outcomes if isinstance(outcome, Item)]
        failed = [
            (item_id, outcome) for item_id, outcome in zip(ids, outcomes, strict=True) if isinstance(outcome, AppError)
        ]
        return BulkResult(items, failed)
