"""Bulk actions within a time budget: what is not attempted when the budget runs out comes back
as `remaining`, in order; nothing is applied without being reported; 501 ids are refused."""

from datetime import UTC, datetime

import pytest

from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.domain import OnConflict, TooManyItems
from scloud_files.drive.use_cases import build_drive

SECONDS_PER_WRITE = 1.0
BUDGET_SECONDS = 3.5


class SlowRepository(InMemoryFileRepository):
    """Every write takes a second of the monotonic clock the bulk runner reads."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = 0.0
        self.fail_item: str | None = None

    def monotonic(self) -> float:
        return self.clock

    async def trash(self, item, *, trashed_at, purge_at):
        self.clock += SECONDS_PER_WRITE
        if item.item_id == self.fail_item:
            raise ServiceUnavailable()
        return await super().trash(item, trashed_at=trashed_at, purge_at=purge_at)

    async def relocate(self, item, moved, *, target_chain=()):
        self.clock += SECONDS_PER_WRITE
        await super().relocate(item, moved, target_chain=target_chain)


@pytest.fixture
def repository():
    return SlowRepository()


@pytest.fixture
def drive(repository):
    return build_drive(
        repository,
        InMemoryBlobStore(),
        max_upload_bytes=1000,
        download_url_ttl_seconds=60,
        bulk_concurrency=1,
        bulk_budget_seconds=BUDGET_SECONDS,
        monotonic=repository.monotonic,
        now=lambda: datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
    )


async def folders(drive, count: int) -> list[str]:
    return [
        (await drive.create_folder("alice", name=f"f{n}", parent_id=None, on_conflict=OnConflict.FAIL))[0].item_id
        for n in range(count)
    ]


async def trashed_ids(repository) -> set[str]:
    return {item.item_id for item in repository.items.values() if item.trashed_at is not None}


async def test_what_does_not_fit_the_budget_is_remaining_in_order_and_untouched(drive, repository):
    ids = await folders(drive, 10)
    result = await drive.trash_items("alice", ids)
    done = [item.item_id for item in result.items]
    assert done == ids[:4] and result.failed == []
    assert result.remaining == ids[4:]
    assert await trashed_ids(repository) == set(done)
    again = await drive.trash_items("alice", result.remaining)
    assert [item.item_id for item in again.items] == ids[4:8] and again.remaining == ids[8:]


async def test_moves_report_remaining_too(drive, repository):
    target, *ids = await folders(drive, 7)
    result = await drive.move_items("alice", ids, parent_id=target, on_conflict=OnConflict.FAIL)
    assert [item.item_id for item in result.items] == ids[:4] and result.remaining == ids[4:]
    assert all(repository.items[("alice", item_id)].parent_id is None for item_id in result.remaining)


async def test_an_outage_is_reported_with_its_item_and_stops_the_rest(drive, repository):
    ids = await folders(drive, 5)
    repository.fail_item = ids[1]
    result = await drive.trash_items("alice", ids)
    assert [item.item_id for item in result.items] == ids[:1]
    assert [(item_id, error.code) for item_id, error in result.failed] == [(ids[1], "service_unavailable")]
    assert result.remaining == ids[2:]


async def test_more_than_500_ids_are_refused_before_anything_is_done(drive, repository):
    ids = await folders(drive, 2)
    with pytest.raises(TooManyItems) as refused:
        await drive.trash_items("alice", ids + [f"{n:026d}" for n in range(499)])
    assert refused.value.details == {"max": 500} and await trashed_ids(repository) == set()
