"""Moving a whole installation from one end to another: the bytes first (so no record ever
points at bytes the target lacks), then each service's records, then the check of every record
kind and every object on both ends (comparison.py). Everything is streamed: a page of records or
a part of an object at a time. A re-run after an interruption skips what the target holds
already, equal, and copies the rest."""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from scloud_admin.bootstrap import Installation
from scloud_admin.comparison import Comparison, compare, listed, object_digest
from scloud_admin.marker import read_marker, remove_marker, write_marker
from scloud_admin.ports import ObjectStore
from scloud_common.transfer import WriteOutcome

Result = TypeVar("Result")
Echo = Callable[[str], None]


class TargetNotEmpty(Exception):
    """The target holds data that is not an unfinished move from this source."""


@dataclass(frozen=True)
class MoveReport:
    objects: WriteOutcome
    records: dict[str, WriteOutcome]
    comparison: Comparison


async def _in(pool: ThreadPoolExecutor, work: Callable[[], Result]) -> Result:
    return await asyncio.get_running_loop().run_in_executor(pool, work)


async def holds_data(installation: Installation, pool: ThreadPoolExecutor) -> bool:
    for store in installation.records.values():
        async for _ in store.pages(1):
            return True
    return await _in(pool, lambda: next(listed(installation.objects, 1), None) is not None)


def copy_objects(source: ObjectStore, target: ObjectStore, *, force: bool, page_size: int) -> WriteOutcome:
    """Copies each object the target lacks. One the target holds with the same size and content
    type is the one an earlier run copied (a key's bytes never change, and an upload that fails
    leaves nothing) and is skipped; with `force` its bytes are compared too, and replaced if they
    differ. Blocking: for a thread."""
    outcome = WriteOutcome()
    for listed_head in listed(source, page_size):
        head = source.head(listed_head.key)
        if head is None:
            continue
        present = target.head(head.key)
        if (
            present is not None
            and (present.size, present.content_type) == (head.size, head.content_type)
            and not (force and object_digest(source, head.key) != object_digest(target, head.key))
        ):
            outcome += WriteOutcome(unchanged=1)
            continue
        stream = source.open(head.key)
        try:
            target.upload(head.key, stream, content_type=head.content_type)
        finally:
            stream.close()
        outcome += WriteOutcome(written=1)
    return outcome


async def move(
    source: Installation,
    target: Installation,
    *,
    force: bool,
    page_size: int,
    pool: ThreadPoolExecutor,
    echo: Echo,
) -> MoveReport:
    """Copies `source` into `target` and checks them equal. TargetNotEmpty, with nothing written,
    if the target holds data and neither is resuming a move from this source nor `force`d."""
    resuming = await _in(pool, lambda: read_marker(target.objects)) == source.description
    if resuming:
        echo("Resuming the unfinished move from this source.")
    elif await holds_data(target, pool):
        if not force:
            raise TargetNotEmpty("the target holds data already; --force copies into it anyway")
        echo("The target holds data: copying into it (--force).")
    await _in(pool, lambda: write_marker(target.objects, source.description))
    objects = await _in(pool, lambda: copy_objects(source.objects, target.objects, force=force, page_size=page_size))
    echo(f"objects: {objects.written} copied, {objects.unchanged} already there")
    records: dict[str, WriteOutcome] = {}
    for service, store in source.records.items():
        outcome = WriteOutcome()
        async for page in store.pages(page_size):
            outcome += await target.records[service].write(page)
        records[service] = outcome
        echo(f"{service} records: {outcome.written} written, {outcome.unchanged} already there")
    comparison = await compare(source, target, page_size=page_size, pool=pool)
    if comparison.ok:
        await _in(pool, lambda: remove_marker(target.objects))
    return MoveReport(objects, records, comparison)
