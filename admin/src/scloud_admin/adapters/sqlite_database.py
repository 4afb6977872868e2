"""A service's SQLite database as one file, for backups: copied with SQLite's online backup API
(one read transaction, so a database in WAL mode is copied in one consistent state even while a
service writes to it), and replaced by a rename of a file written beside it."""

import os
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import BinaryIO

from scloud_admin.adapters.aws_client import StoreMissing
from scloud_common.sqlite_schema import schema_version
from scloud_common.sqlite_store import create_private_file

CHUNK_BYTES = 1024 * 1024
BUSY_TIMEOUT_SECONDS = 5.0
# SQLite's files beside a database: a stale write-ahead log left next to a replaced database
# would be replayed into it on the next open.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")


class SqliteDatabaseFile:
    def __init__(self, service: str, path: Path, *, code_schema_version: int) -> None:
        self.service = service
        self.path = path
        self.code_schema_version = code_schema_version

    def _connect(self) -> sqlite3.Connection:
        # mode=rw: opening never creates a database that is not there.
        return sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_SECONDS)

    def snapshot(self, into: Path) -> int:
        if not self.path.is_file():
            raise StoreMissing(f"the SQLite database {self.path} does not exist")
        source = self._connect()
        try:
            target = sqlite3.connect(into)
            try:
                # All pages in one step: one read transaction, so one state of the database.
                source.backup(target)
                return schema_version(target)
            finally:
                target.close()
        finally:
            source.close()

    def holds_data(self) -> bool:
        if not self.path.exists():
            return False
        try:
            connection = self._connect()
            try:
                tables = [
                    name
                    for (name,) in connection.execute(
                        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    )
                ]
                quoted = ['"' + name.replace('"', '""') + '"' for name in tables]
                return any(connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in quoted)
            finally:
                connection.close()
        except sqlite3.DatabaseError:
            # Not a database SCloud can read: something is there, so it is not an empty target.
            return True

    def stage(self, stream: BinaryIO) -> Path:
        staged = self.path.parent / f".{self.path.name}.{uuid.uuid4().hex}.restoring"
        # Folders 0700 and the file 0600, by the services' own rule: it holds password hashes.
        create_private_file(staged)
        try:
            with staged.open("wb") as file:
                shutil.copyfileobj(stream, file, CHUNK_BYTES)
                file.flush()
                os.fsync(file.fileno())
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        return staged

    def install(self, staged: Path) -> None:
        for suffix in COMPANION_SUFFIXES:
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        staged.chmod(0o600)
        os.replace(staged, self.path)
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    def discard(self, staged: Path) -> None:
        staged.unlink(missing_ok=True)
