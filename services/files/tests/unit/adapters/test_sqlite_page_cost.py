"""A page of the SQLite store costs the same whatever the user holds: every query a listing
runs reads one range of one index (EXPLAIN QUERY PLAN: a SEARCH, never a SCAN of the items or a
sort of them), and the work SQLite does for a page (its virtual machine's steps, counted, not
timed) at 100,000 items is within 1.1 times of that at 100: what differs is only where the
folders of a page end and the files begin."""

import asyncio
import sqlite3

import pytest

from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.sqlite import MIGRATIONS, SqliteFileRepository
from scloud_files.adapters.sqlite.record import item_row
from scloud_files.domain import ItemKind, SortField
from services.files.tests.contracts.file_ports import NOW, a_file, a_folder

SMALL, LARGE = 100, 100_000
# Small enough that even the 100 items fill every page read, so both sides read as many rows.
PAGE = 10


def seed(connection: sqlite3.Connection) -> None:
    """`small` has 100 items in its root, `large` 100,000 (a few folders among them), each with
    some in the trash, written straight into the tables: the adapter's rows, without its checks."""
    rows = []
    for user, count in (("small", SMALL), ("large", LARGE)):
        connection.execute("INSERT INTO accounts (user_id) VALUES (?)", (user,))
        for index in range(count):
            item = (
                a_folder(f"folder {index}", user_id=user)
                if index % 50 == 0
                else a_file(f"file {index}.txt", user_id=user, size=index)
            )
            if index % 4 == 1:
                item = item.__class__(**{**item.__dict__, "trashed_at": NOW, "purge_at": NOW})
            rows.append(item_row(item))
    columns = list(rows[0])
    connection.executemany(
        f"INSERT INTO items ({', '.join(columns)}) VALUES ({', '.join(':' + column for column in columns)})", rows
    )


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """Seeded once for the module's tests."""
    path = tmp_path_factory.mktemp("cost") / "files.db"

    async def create() -> None:
        store = await SqliteStore.open(path, migrations=MIGRATIONS)
        await store.write(seed)
        await store.close()

    asyncio.run(create())
    return path


@pytest.fixture
async def store(database):
    # One reader, so the trace and the step counter set on it see every read.
    store = await SqliteStore.open(database, migrations=MIGRATIONS, readers=1)
    yield store
    await store.close()


async def pages(repository: SqliteFileRepository, user: str) -> None:
    """Every paged read of the port, first page and the next."""
    for sort in SortField:
        for descending in (False, True):
            for kinds in ([ItemKind.FOLDER, ItemKind.FILE], [ItemKind.FILE]):
                _, after = await repository.list_children(
                    user, None, sort=sort, descending=descending, kinds=kinds, limit=PAGE, after_key=None
                )
                assert after is not None
                await repository.list_children(
                    user, None, sort=sort, descending=descending, kinds=kinds, limit=PAGE, after_key=after
                )
    _, after = await repository.list_trash(user, limit=PAGE, after_key=None)
    await repository.list_trash(user, limit=PAGE, after_key=after)
    for kind in (ItemKind.FILE, None):
        _, after_id = await repository.list_newest(user, kind=kind, limit=PAGE, after_id=None)
        await repository.list_newest(user, kind=kind, limit=PAGE, after_id=after_id)
    await repository.name_holders(user, None, ["file 7.txt", "missing"])
    await repository.usage(user)


async def test_every_query_of_a_page_searches_one_index_range_without_sorting(store):
    statements: list[str] = []
    await store.read(lambda connection: connection.set_trace_callback(statements.append))
    try:
        await pages(SqliteFileRepository(store), "large")
    finally:
        await store.read(lambda connection: connection.set_trace_callback(None))
    selects = [statement for statement in statements if statement.startswith("SELECT")]
    assert len(selects) >= 30
    for statement in selects:
        plan = await store.read(
            lambda connection, statement=statement: [
                row["detail"] for row in connection.execute("EXPLAIN QUERY PLAN " + statement)
            ]
        )
        assert all(step.startswith("SEARCH ") for step in plan), (statement, plan)
        assert not any("TEMP B-TREE" in step for step in plan), (statement, plan)


async def test_a_page_takes_as_many_steps_at_100_000_items_as_at_100(store):
    repository = SqliteFileRepository(store)

    async def steps(user: str) -> int:
        counted = [0]

        def count() -> int:
            counted[0] += 1
            return 0

        await store.read(lambda connection: connection.set_progress_handler(count, 1))
        try:
            await pages(repository, user)
        finally:
            await store.read(lambda connection: connection.set_progress_handler(None, 1))
        return counted[0]

    small, large = await steps("small"), await steps("large")
    assert large < small * 1.1, (small, large)
