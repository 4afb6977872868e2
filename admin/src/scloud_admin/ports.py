"""What moving an installation needs from each store: the records of a service's metadata store,
and the objects of the bytes store. Each service's `adapters/transfer_*` modules are the record
stores (SQLite and DynamoDB); adapters/s3_object.py is the object store (SeaweedFS or S3). A
backup (backup.py) reads the same object store, and each service's SQLite database as a whole
file (adapters/sqlite_database.py)."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from scloud_common.transfer import TransferRecord, WriteOutcome


class RecordStore(Protocol):
    """Everything one service's store holds that moves, as transfer records."""

    service: str

    def pages(self, size: int) -> AsyncIterator[list[TransferRecord]]:
        """Every record, a page of at most about `size` at a time, each once, in no given order."""
        ...

    async def write(self, records: Sequence[TransferRecord]) -> WriteOutcome:
        """Stores each record as it is, replacing a different one under its key, leaving an
        equal one untouched (counted unchanged). Safe to repeat."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class ObjectHead:
    key: str
    size: int
    content_type: str


class ObjectStore(Protocol):
    """The bytes store. Blocking calls: callers run them on threads of their own."""

    def list_page(self, *, after: str | None, limit: int) -> list[ObjectHead]:
        """Up to `limit` objects in key order after `after` (from the start if None), with their
        size; `content_type` is empty here (a listing does not say it)."""
        ...

    def head(self, key: str) -> ObjectHead | None: ...

    def open(self, key: str) -> BinaryIO:
        """The object's bytes as a stream read a chunk at a time; the caller closes it."""
        ...

    def upload(self, key: str, stream: BinaryIO, *, content_type: str) -> None:
        """Stores the stream's bytes under `key`, a part at a time; nothing is left if it fails."""
        ...

    def delete(self, key: str) -> None: ...


class DatabaseFile(Protocol):
    """One service's SQLite database as a whole file, as a backup copies it and a restore
    replaces it. Blocking calls."""

    service: str
    # How many migrations this code knows: a database past it was made by a newer SCloud.
    code_schema_version: int

    def snapshot(self, into: Path) -> int:
        """Copies one consistent state of the database (even while a service writes to it) into
        the new file `into`, and answers its schema version. StoreMissing if there is none."""
        ...

    def holds_data(self) -> bool:
        """Whether the database exists and any of its tables holds a row."""
        ...

    def stage(self, stream: BinaryIO) -> Path:
        """Writes the stream's bytes to a new private file beside the database (flushed to disk)
        and answers its path, for `install` or `discard`."""
        ...

    def install(self, staged: Path) -> None:
        """Replaces the database with the staged file, in one rename."""
        ...

    def discard(self, staged: Path) -> None: ...
