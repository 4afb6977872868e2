"""What moves when a whole installation moves between stores (`python -m scloud_admin`): each
record of a service's store in a form no store owns, so a SQLite row and a DynamoDB item holding
the same thing are the same record, compared and checksummed alike.

Each service's `adapters/transfer_*` modules read their store into these records a page at a time
and write them back; what is derived from a record (name guards, sort keys, index attributes) is
rebuilt by the writer, never moved."""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TransferRecord:
    """One thing a store holds: `kind` (e.g. "files.file"), `key` unique within the kind, and its
    fields as JSON values."""

    kind: str
    key: str
    body: Mapping[str, Any]

    def canonical(self) -> bytes:
        """The record as bytes that only an equal record has (keys sorted, no spaces)."""
        return json.dumps([self.kind, self.key, self.body], sort_keys=True, separators=(",", ":")).encode()

    def digest(self) -> bytes:
        return hashlib.sha256(self.canonical()).digest()


@dataclass(frozen=True)
class WriteOutcome:
    """What a write of a page did: records written (new or changed) and records already there, equal."""

    written: int = 0
    unchanged: int = 0

    def __add__(self, other: "WriteOutcome") -> "WriteOutcome":
        return WriteOutcome(self.written + other.written, self.unchanged + other.unchanged)
