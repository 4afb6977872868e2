"""One service's SQLite database: the file, its connections, its threads, its transactions, and
what a failure means to the caller.

- **One file per service**, created 0600 in a folder created 0700 (it holds password hashes and
  every file's name). WAL journal, so readers never wait for the writer; `synchronous=NORMAL`,
  which in WAL mode loses no committed transaction when the process dies (kill -9, a closed
  terminal) and keeps the file consistent through a power cut, giving up only the last commits
  before it in exchange for no fsync on each commit; foreign keys on; a busy timeout.
- **Threads of its own**: sqlite3 blocks, so every call runs in this store's pools, never on the
  loop and never in the loop's default executor. Writes run in ONE thread on one connection, so
  the writers of this process queue there in order instead of contending for SQLite's lock;
  reads run in a few threads, each with its own read-only connection.
- **One unit of work, one transaction**: `write(work)` runs `work(connection)` inside
  `BEGIN IMMEDIATE ... COMMIT` (the write lock is taken first, so another process's writer waits
  up to the busy timeout instead of failing mid-way), and rolls it all back if `work` raises;
  `read(work)` runs inside one read transaction, so it sees one snapshot.
- **One error model**: an `AppError` raised by `work` (a domain outcome: not found, conflict)
  reaches the caller as it is, after the rollback; a constraint the adapter expects becomes the
  domain error it names (`constraint_errors`); the lock still held by another process past the
  busy timeout, or a full disk, is ServiceUnavailable (503); anything else is a fault (500 with
  an error id in the log).
"""

import asyncio
import logging
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal, TypeVar

from scloud_common.errors import AppError, ServiceUnavailable
from scloud_common.sqlite_schema import Migration, check_migrations, migrate, schema_version

logger = logging.getLogger(__name__)

# STRICT tables (3.37) and RETURNING (3.35); Debian 12 and the python:3.11 images have 3.40.
MIN_SQLITE_VERSION = (3, 37, 0)
DEFAULT_READERS = 4
DEFAULT_BUSY_TIMEOUT_SECONDS = 5.0
READINESS_TIMEOUT_SECONDS = 2.0

Synchronous = Literal["NORMAL", "FULL"]
Result = TypeVar("Result")
Work = Callable[[sqlite3.Connection], Result]
# SQLite's message for a violated constraint, e.g. "UNIQUE constraint failed: users.email", to
# the domain error it means.
ConstraintErrors = Mapping[str, type[AppError]]

_OUTAGE_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL})


class SqliteFault(AppError):
    """A database failure retrying cannot fix; the error id ties the answer to the log."""

    code = "internal_error"

    def __init__(self, error_id: str) -> None:
        self.error_id = error_id
        super().__init__(f"Something went wrong on our side. Quote error id {error_id} when reporting it.")


class SqliteStore:
    """A service's database, open. Build it with `await SqliteStore.open(...)`, close it with
    `await store.close()`; adapters call `read` and `write` with functions of a connection."""

    def __init__(self, path: Path, *, readers: int, busy_timeout_seconds: float, synchronous: Synchronous) -> None:
        self.path = path
        self._busy_timeout = busy_timeout_seconds
        self._synchronous = synchronous
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._local = threading.local()
        self._closed = False
        name = path.stem
        self._writer = ThreadPoolExecutor(1, f"sqlite-{name}-write")
        self._readers = ThreadPoolExecutor(readers, f"sqlite-{name}-read")
        self._version = 0
        self._inode = 0

    @classmethod
    async def open(
        cls,
        path: str | os.PathLike[str],
        *,
        migrations: Sequence[Migration],
        readers: int = DEFAULT_READERS,
        busy_timeout_seconds: float = DEFAULT_BUSY_TIMEOUT_SECONDS,
        synchronous: Synchronous = "NORMAL",
    ) -> "SqliteStore":
        """Creates the file if it is missing, switches it to WAL, and migrates its schema to the
        code's version (refusing a database a newer version of the code has migrated)."""
        if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:
            raise RuntimeError(f"SQLite {sqlite3.sqlite_version} is too old; SCloud needs {MIN_SQLITE_VERSION}+")
        check_migrations(migrations)
        path = Path(path)
        create_private_file(path)
        store = cls(path, readers=readers, busy_timeout_seconds=busy_timeout_seconds, synchronous=synchronous)
        try:
            store._version = await store._run(
                store._writer, lambda connection: migrate(connection, migrations), translate=False
            )
        except BaseException:
            await store.close()
            raise
        store._inode = path.stat().st_ino
        return store

    async def write(self, work: Work[Result], *, constraint_errors: ConstraintErrors | None = None) -> Result:
        """Runs `work(connection)` as one write transaction and returns what it returns."""

        def transaction(connection: sqlite3.Connection) -> Result:
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            return result

        return await self._run(
            self._writer, transaction, constraint_errors=constraint_errors or {}, operation=_name_of(work)
        )

    async def read(self, work: Work[Result]) -> Result:
        """Runs `work(connection)` in one read transaction (one snapshot) on a read-only connection."""

        def snapshot(connection: sqlite3.Connection) -> Result:
            connection.execute("BEGIN")
            try:
                return work(connection)
            finally:
                # A read that failed may have ended its transaction already (SQLite rolls back
                # on some errors); ending it again would hide the first error.
                if connection.in_transaction:
                    connection.execute("COMMIT")

        return await self._run(self._readers, snapshot, operation=_name_of(work))

    @property
    def executors(self) -> dict[str, ThreadPoolExecutor]:
        """This store's threads, by role, for the health watchdog."""
        return {"write": self._writer, "read": self._readers}

    async def check_ready(self) -> None:
        """Ready while the file is the one opened (not deleted or replaced) and a reader answers
        in time with the schema version this code migrated to."""
        try:
            if self.path.stat().st_ino != self._inode:
                raise ServiceUnavailable("The database file was replaced while the service ran.")
        except FileNotFoundError:
            raise ServiceUnavailable("The database file is gone.") from None
        version = await asyncio.wait_for(self.read(schema_version), READINESS_TIMEOUT_SECONDS)
        if version != self._version:
            raise ServiceUnavailable(f"The database's schema is at version {version}, not {self._version}.")

    async def close(self) -> None:
        """Lets queued work finish, then closes every connection (the last close checkpoints the
        WAL into the database file)."""
        if self._closed:
            return
        self._closed = True
        await asyncio.to_thread(self._shut_down)

    def _shut_down(self) -> None:
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()

    def _connection(self, read_only: bool) -> sqlite3.Connection:
        # Each pool thread opens its connection on its first task and keeps it for its lifetime.
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            return connection
        connection = sqlite3.connect(
            self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
        )
        with self._connections_lock:
            self._connections.append(connection)
        connection.row_factory = sqlite3.Row
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise RuntimeError(f"{self.path} cannot use a WAL journal (got {mode!r}); put it on a local disk")
        connection.execute(f"PRAGMA synchronous = {self._synchronous}")
        connection.execute("PRAGMA foreign_keys = ON")
        if read_only:
            connection.execute("PRAGMA query_only = ON")
        self._local.connection = connection
        return connection

    async def _run(
        self,
        pool: ThreadPoolExecutor,
        work: Work[Result],
        *,
        constraint_errors: ConstraintErrors | None = None,
        operation: str = "",
        translate: bool = True,
    ) -> Result:
        if self._closed:
            raise ServiceUnavailable("The database is closed.")
        read_only = pool is self._readers
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, lambda: work(self._connection(read_only)))
        except sqlite3.Error as exc:
            if not translate:
                raise
            raise translate_sqlite_error(exc, constraint_errors or {}, operation=operation) from exc


def _name_of(work: Callable[..., object]) -> str:
    return getattr(work, "__qualname__", repr(work))


def translate_sqlite_error(exc: sqlite3.Error, constraint_errors: ConstraintErrors, *, operation: str) -> AppError:
    """What a failure of SQLite means to the caller (see the module's docstring)."""
    if isinstance(exc, sqlite3.IntegrityError):
        expected = constraint_errors.get(str(exc))
        if expected is not None:
            return expected()
    # The primary code is the low byte of the extended one (SQLITE_BUSY_SNAPSHOT is a BUSY).
    if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in _OUTAGE_CODES:
        logger.warning("sqlite unavailable", extra={"operation": operation, "error": repr(exc)})
        return ServiceUnavailable()
    error_id = uuid.uuid4().hex[:12]
    logger.error("sqlite fault", extra={"operation": operation, "error": repr(exc), "error_id": error_id})
    return SqliteFault(error_id)


def create_private_file(path: Path) -> None:
    """Creates the folders missing on the way to `path` as 0700 and the file as 0600 (whatever
    the umask), so that neither the database nor its WAL, which SQLite creates with the
    database's mode, is readable by other users. Existing folders and files are left as they are."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        path.chmod(0o600)
