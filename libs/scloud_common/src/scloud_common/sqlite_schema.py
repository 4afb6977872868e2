"""Versioned schema migrations of one service's SQLite database, run when its store opens.

A service declares its schema as a list of `Migration`s numbered 1, 2, 3...; each is SQL (one or
more statements) or a function of the connection. The version applied last is kept in the
database header (`PRAGMA user_version`), which SQLite changes inside the same transaction as the
migrations themselves, so a crash part way leaves the old version and none of the new schema.
"""

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One step of a schema: `apply` is SQL text (statements separated by `;`) or a function
    that changes the schema or the data through the connection it is given."""

    version: int
    apply: str | Callable[[sqlite3.Connection], None]


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer version of the code, which this one cannot serve."""


def check_migrations(migrations: Sequence[Migration]) -> None:
    """Refuses a list that is not numbered 1, 2, 3... in order: a gap or a duplicate is a
    mistake in the code, found at start rather than in some database later."""
    versions = [migration.version for migration in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3... in order, got {versions}")


def schema_version(connection: sqlite3.Connection) -> int:
    version: int = connection.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(connection: sqlite3.Connection, migrations: Sequence[Migration]) -> int:
    """Applies the migrations the database lacks, in order, in one write transaction, and returns
    the version reached. Idempotent; two processes starting at once apply each step once, because
    the version is read after the write lock is taken."""
    check_migrations(migrations)
    connection.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(connection)
        if current > len(migrations):
            raise SchemaTooNew(
                f"the database is at schema version {current}, newer than this code's {len(migrations)}: "
                "run the newer code, or restore a backup made for this one"
            )
        for migration in migrations[current:]:
            _apply(connection, migration)
            # PRAGMA takes no parameters; the version is an int from the code, never input.
            connection.execute(f"PRAGMA user_version = {int(migration.version)}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return len(migrations)


def _apply(connection: sqlite3.Connection, migration: Migration) -> None:
    if callable(migration.apply):
        migration.apply(connection)
        return
    for statement in split_statements(migration.apply):
        connection.execute(statement)


def split_statements(script: str) -> Iterator[str]:
    """The statements of an SQL script, one by one. `executescript` would run them all but first
    commits whatever transaction is open, which would split a migration from its version."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        # A `;` inside a string, a comment or a trigger's body does not end the statement.
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending.strip()
            pending = ""
    # What is left lacks its `;` (the last piece got one the script does not have): a last
    # statement without one, or a trailing comment, is fine; an open string or body is not.
    rest = pending[:-1] + "\n;"
    if rest.strip(" \t\r\n;"):
        if not sqlite3.complete_statement(rest):
            raise ValueError(f"incomplete SQL statement at the end of a migration: {pending[:-1].strip()!r}")
        yield rest.strip()
