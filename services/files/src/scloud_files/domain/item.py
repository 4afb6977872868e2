"""The items of a drive (files and folders), their ids and object keys, and what the use cases
hand back: pages, bulk results, archive members, totals."""

import re
import threading
from dataclasses import dataclass, field, replace
from enum import StrEnum

from ulid import ULID

from scloud_common.errors import AppError
from scloud_files.domain.thumbnail import ThumbnailState

# A ULID: what every item id is.
ITEM_ID_PATTERN = r"[0-7][0-9A-HJKMNP-TV-Z]{25}"
_FILE_ID = re.compile(rf"^{ITEM_ID_PATTERN}$")
MAX_FOLDER_DEPTH = 64
# A path walk stops here even if the stored parents loop (a race of two moves can close a loop).
MAX_PATH_WALK = 256
# Ids a bulk action takes at once; the client sends what is `remaining` again.
MAX_BULK_ITEMS = 500


class ItemKind(StrEnum):
    FILE = "file"
    FOLDER = "folder"


@dataclass(frozen=True)
class Item:
    """A file or a folder of a user's drive. `parent_id` None is the root. Files carry their bytes'
    size, type and object key; folders none of them. `trashed_at` is set on the item the user
    trashed, not on what it contains."""

    item_id: str
    user_id: str
    kind: ItemKind
    name: str
    parent_id: str | None
    created_at: str
    modified_at: str
    size: int | None = None
    content_type: str | None = None
    object_key: str | None = None
    # A file's type detected at upload, for people (labels, icons); None where it was not
    # recorded (older files, search's index): the name tells then (domain.media_type).
    media_type: str | None = None
    # The full-object SHA-256 S3 verified and reported (base64; `-<parts>` for a multipart
    # object), for users to check a download; None for files stored without one.
    sha256: str | None = None
    # The part size of the upload a composite `sha256` was computed over, which a client needs to
    # check a download against it; None for a plain checksum and for files recorded before it was kept.
    checksum_part_size: int | None = None
    # None for a file that gets no thumbnail (not an image) and for folders.
    thumbnail: ThumbnailState | None = None
    trashed_at: str | None = None
    purge_at: str | None = None
    # Deleted forever from the trash: hidden, waiting for the purge to remove its bytes.
    deleting: bool = False
    # Who uploaded these bytes when not the owner (an editor through a share); told to the
    # versions, not stored on the file's record.
    uploaded_by: str | None = None

    @property
    def is_folder(self) -> bool:
        return self.kind is ItemKind.FOLDER

    def moved(self, *, name: str, parent_id: str | None, modified_at: str) -> "Item":
        return replace(self, name=name, parent_id=parent_id, modified_at=modified_at)

    def serving(self, content: "Item") -> "Item":
        """The file with `content`'s bytes (a new version): its id, name, folder and creation
        stay; what describes the bytes and the modified time come from `content`."""
        return replace(
            self,
            size=content.size,
            content_type=content.content_type,
            object_key=content.object_key,
            media_type=content.media_type,
            sha256=content.sha256,
            checksum_part_size=content.checksum_part_size,
            thumbnail=content.thumbnail,
            modified_at=content.modified_at,
        )


@dataclass(frozen=True)
class PathEntry:
    item_id: str
    name: str


@dataclass(frozen=True)
class ItemPage:
    items: list[Item]
    next_cursor: str | None
    paths: dict[str, list[PathEntry]] = field(default_factory=dict)
    # The ids of the items with a live share link (drive.shared_mark).
    shared: frozenset[str] = frozenset()
    # The ids of the items the user starred (drive.star).
    starred: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: `items` done, `failed` with their errors, and the ids `remaining`
    (not attempted: the time budget ran out first), in the order asked."""

    items: list[Item]
    failed: list[tuple[str, AppError]]
    paths: dict[str, list[PathEntry]] = field(default_factory=dict)
    remaining: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ArchiveRequest:
    """What a one-time archive link downloads."""

    user_id: str
    item_ids: list[str]
    name: str
    expires_at: str


@dataclass(frozen=True)
class ArchiveEntry:
    """One member of an archive: a directory (no key) or a file's `size` bytes under
    `object_key`, stored as they are if `compressed` already (deflating them again costs CPU for
    nothing)."""

    path: str
    modified_at: str
    object_key: str | None = None
    size: int = 0
    compressed: bool = False


@dataclass(frozen=True)
class StorageUsage:
    """A user's totals: `bytes_used` and `file_count` count every file until it is purged, the
    trash included; `trash_bytes` is the share of files the user trashed themselves (what a
    trashed folder holds is not in it: a folder's trash is one write whatever it holds).
    `quota_bytes` is the quota the admin set for this user, None for the service's setting; it
    lives in the same record as the totals, so reading it costs no second read."""

    bytes_used: int
    file_count: int
    trash_bytes: int = 0
    quota_bytes: int | None = None


@dataclass(frozen=True)
class UnfiledFile:
    """A file as recorded before folders existed: no parent, no name guard. Only the migration
    into the root (`scloud_files.migrate_folders`) reads these."""

    file_id: str
    user_id: str
    file_name: str
    file_size: int
    content_type: str
    upload_date: str
    object_key: str

    def filed_in_root(self, name: str) -> "Item":
        """The file as an item of the root, under `name`; dated from its upload."""
        return Item(
            item_id=self.file_id,
            user_id=self.user_id,
            kind=ItemKind.FILE,
            name=name,
            parent_id=None,
            created_at=self.upload_date,
            modified_at=self.upload_date,
            size=self.file_size,
            content_type=self.content_type,
            object_key=self.object_key,
        )


@dataclass(frozen=True)
class StoredObject:
    """An object of the blob store and when it was stored (RFC 3339, UTC)."""

    key: str
    stored_at: str


def is_file_id(value: str) -> bool:
    return bool(_FILE_ID.match(value))


class FileIdGenerator:
    """ULIDs, strictly increasing within the process, so files uploaded in the same millisecond
    still list newest first."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            value = max(int(ULID()), self._last + 1)
            self._last = value
        return str(ULID.from_int(value))
