"""A service's SQLite database: private files, WAL, one transaction per unit of work, writers that
queue instead of failing, migrations that run once and in order, and failures that mean something
to the caller."""

import asyncio
import sqlite3
import stat

import pytest

from scloud_common.errors import AlreadyExists, NotFound, ServiceUnavailable
from scloud_common.sqlite_schema import Migration, SchemaTooNew, split_statements
from scloud_common.sqlite_store import SqliteFault, SqliteStore

COUNTER_SCHEMA = [
    Migration(
        1,
        """
        CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL) STRICT;
        CREATE TABLE entry (writer INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (writer, n)) STRICT;
        INSERT INTO counter VALUES (1, 0);
        """,
    )
]


class Taken(AlreadyExists):
    code = "taken"


@pytest.fixture
async def store(tmp_path):
    store = await SqliteStore.open(tmp_path / "data" / "test.db", migrations=COUNTER_SCHEMA)
    yield store
    await store.close()


def bump(writer: int, n: int):
    def work(connection: sqlite3.Connection) -> None:
        value = connection.execute("SELECT value FROM counter WHERE id = 1").fetchone()[0]
        connection.execute("INSERT INTO entry VALUES (?, ?)", (writer, n))
        # Read, then write: exact only if no other writer runs between the two.
        connection.execute("UPDATE counter SET value = ? WHERE id = 1", (value + 1,))

    return work


def counter_and_entries(connection: sqlite3.Connection) -> tuple[int, int]:
    value = connection.execute("SELECT value FROM counter").fetchone()[0]
    return value, connection.execute("SELECT count(*) FROM entry").fetchone()[0]


async def test_eight_concurrent_writers_all_succeed_and_the_counter_is_exact(store):
    async def writer(number: int) -> None:
        for n in range(300):
            await store.write(bump(number, n))

    await asyncio.gather(*(writer(number) for number in range(8)))

    assert await store.read(counter_and_entries) == (2400, 2400)


async def test_writers_of_two_processes_on_one_file_wait_for_each_other(store, tmp_path):
    # A second store on the same file stands for another process (an admin command beside the
    # service): its writers contend for SQLite's lock, and the busy timeout makes them queue.
    other = await SqliteStore.open(store.path, migrations=COUNTER_SCHEMA)
    try:

        async def writer(target: SqliteStore, number: int) -> None:
            for n in range(100):
                await target.write(bump(number, n))

        await asyncio.gather(*(writer(store if number % 2 else other, number) for number in range(8)))
    finally:
        await other.close()

    assert await store.read(counter_and_entries) == (800, 800)


async def test_a_unit_of_work_that_fails_part_way_writes_nothing(store):
    def half_done(connection: sqlite3.Connection) -> None:
        bump(0, 0)(connection)
        raise NotFound()

    with pytest.raises(NotFound):
        await store.write(half_done)

    assert await store.read(counter_and_entries) == (0, 0)
    await store.write(bump(0, 0))  # the writer's connection is usable again
    assert await store.read(counter_and_entries) == (1, 1)


async def test_an_expected_constraint_becomes_the_domain_error_and_others_are_faults(store):
    await store.write(bump(0, 0))
    duplicate = {"UNIQUE constraint failed: entry.writer, entry.n": Taken}

    with pytest.raises(Taken):
        await store.write(bump(0, 0), constraint_errors=duplicate)
    with pytest.raises(SqliteFault):
        await store.write(bump(0, 0))

    assert await store.read(counter_and_entries) == (1, 1)


async def test_the_lock_held_past_the_busy_timeout_is_service_unavailable(tmp_path):
    store = await SqliteStore.open(tmp_path / "test.db", migrations=COUNTER_SCHEMA, busy_timeout_seconds=0.05)
    holder = sqlite3.connect(store.path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(ServiceUnavailable):
            await store.write(bump(0, 0))
        # Readers are not blocked by a writer in WAL mode.
        assert await store.read(counter_and_entries) == (0, 0)
        holder.execute("ROLLBACK")
        await store.write(bump(0, 0))
    finally:
        holder.close()
        await store.close()


async def test_reads_cannot_write(store):
    with pytest.raises(SqliteFault):
        await store.read(bump(0, 0))
    assert await store.read(counter_and_entries) == (0, 0)


async def test_a_failed_read_reports_its_own_error_and_leaves_the_readers_usable(store):
    def ends_its_transaction_then_fails(connection: sqlite3.Connection) -> None:
        # What SQLite does itself on some errors (a full disk, an interrupted statement).
        connection.execute("ROLLBACK")
        connection.execute("SELECT * FROM nowhere")

    with pytest.raises(SqliteFault) as failure:
        await store.read(ends_its_transaction_then_fails)

    assert "no such table" in str(failure.value.__cause__)
    assert await store.read(counter_and_entries) == (0, 0)


async def test_the_database_is_private_uses_wal_and_enforces_foreign_keys(store):
    await store.write(bump(0, 0))
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.with_name("test.db-wal").stat().st_mode) == 0o600

    def pragmas(connection: sqlite3.Connection) -> tuple:
        names = ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        return tuple(connection.execute(f"PRAGMA {name}").fetchone()[0] for name in names)

    # synchronous 1 is NORMAL; the busy timeout is in milliseconds.
    assert await store.read(pragmas) == ("wal", 1, 1, 5000)
    assert await store.write(pragmas) == ("wal", 1, 1, 5000)


async def test_migrations_run_once_in_order_and_are_recorded(tmp_path):
    applied: list[int] = []
    schema = [*COUNTER_SCHEMA, Migration(2, lambda connection: applied.append(2))]
    path = tmp_path / "test.db"

    for _ in range(2):
        store = await SqliteStore.open(path, migrations=schema)
        await store.close()

    assert applied == [2]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2


async def test_a_failing_migration_leaves_the_schema_as_it_was(tmp_path):
    path = tmp_path / "test.db"
    broken = [*COUNTER_SCHEMA, Migration(2, "CREATE TABLE added (x INTEGER); INSERT INTO nowhere VALUES (1);")]

    with pytest.raises(sqlite3.OperationalError):
        await SqliteStore.open(path, migrations=broken)

    database = sqlite3.connect(path)
    assert database.execute("PRAGMA user_version").fetchone()[0] == 0
    assert database.execute("SELECT name FROM sqlite_schema WHERE name = 'counter'").fetchall() == []


async def test_a_database_newer_than_the_code_is_refused(tmp_path):
    path = tmp_path / "test.db"
    store = await SqliteStore.open(path, migrations=[*COUNTER_SCHEMA, Migration(2, "CREATE TABLE t (x)")])
    await store.close()

    with pytest.raises(SchemaTooNew):
        await SqliteStore.open(path, migrations=COUNTER_SCHEMA)


@pytest.mark.parametrize("versions", [[2], [1, 1], [1, 3]])
async def test_migrations_must_be_numbered_from_one_without_gaps(tmp_path, versions):
    with pytest.raises(ValueError, match="numbered"):
        await SqliteStore.open(tmp_path / "test.db", migrations=[Migration(v, "SELECT 1") for v in versions])


def test_a_script_splits_into_its_statements_whatever_semicolons_it_quotes():
    script = """
        CREATE TABLE a (x TEXT DEFAULT ';');
        CREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM a; END;
        -- a comment; with a semicolon
        INSERT INTO a VALUES ('x')
    """
    statements = list(split_statements(script))
    assert len(statements) == 3
    assert statements[1].endswith("END;")
    with pytest.raises(ValueError, match="incomplete"):
        list(split_statements("INSERT INTO a VALUES ('open"))


async def test_readiness_holds_while_open_and_fails_when_the_file_is_gone_or_closed(store):
    await store.check_ready()

    store.path.rename(store.path.with_name("moved.db"))
    with pytest.raises(ServiceUnavailable):
        await store.check_ready()
    store.path.with_name("moved.db").rename(store.path)
    await store.check_ready()

    await store.close()
    with pytest.raises(ServiceUnavailable):
        await store.check_ready()
