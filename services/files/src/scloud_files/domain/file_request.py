"""File requests: upload-only links into one folder of the owner's. What a request holds, what a
visitor is shown of it, and the files received since the owner was last told.
docs/data-model.md ("Sharing") describes the rules."""

import json
from dataclasses import dataclass
from enum import StrEnum

# The received files one notice lists by name; past them the notice only counts.
MAX_NOTICE_FILES = 50
MAX_NOTE_CHARS = 500


class RequestRefusal(StrEnum):
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ReceivedFile:
    """A file a visitor sent, as the owner's notice lists it, with the note they wrote."""

    name: str
    size: int
    at: str
    note: str | None = None


@dataclass(frozen=True)
class FileRequest:
    """`request_ref` (a ULID) is the owner's handle; `token_hash` the SHA-256 of the id visitors
    hold, which is never stored. `bytes_received` counts what completed uploads brought, against
    `max_total_bytes` (None: no total limit). `notice_pending` (at most MAX_NOTICE_FILES, then
    `notice_more` counts) is what the next notice lists, due at `notice_due_at`."""

    request_ref: str
    token_hash: str
    owner_id: str
    folder_id: str
    created_at: str
    expires_at: str
    forget_at: str
    max_file_bytes: int
    max_total_bytes: int | None = None
    owner_name: str | None = None
    revoked_at: str | None = None
    bytes_received: int = 0
    files_received: int = 0
    notice_pending: tuple[ReceivedFile, ...] = ()
    notice_more: int = 0
    notice_due_at: str | None = None

    def refusal(self, now: str) -> RequestRefusal | None:
        if self.revoked_at is not None:
            return RequestRefusal.REVOKED
        if self.expires_at <= now:
            return RequestRefusal.EXPIRED
        return None

    def has_room_for(self, size: int) -> bool:
        return self.max_total_bytes is None or self.bytes_received + size <= self.max_total_bytes


@dataclass(frozen=True)
class RequestedFolder:
    """All a visitor is shown: no id, no path, nothing of the owner's but the name they chose."""

    folder_name: str
    expires_at: str
    max_file_bytes: int
    bytes_left: int | None
    owner_name: str | None


def encode_received(files: tuple[ReceivedFile, ...]) -> str:
    return json.dumps([[f.name, f.size, f.at, f.note] for f in files])


def decode_received(text: str | None) -> tuple[ReceivedFile, ...]:
    return tuple(ReceivedFile(name, size, at, note) for name, size, at, note in json.loads(text or "[]"))
