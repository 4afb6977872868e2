"""Stored files, their names, ids and paging cursors, and the files errors. Plain Python: no I/O."""

import base64
import binascii
import json
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from ulid import ULID

from scloud_common.errors import (
    AlreadyExists,
    AppError,
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unauthenticated,
)

DEFAULT_CONTENT_TYPE = "application/octet-stream"
UNTITLED = "untitled"
MAX_NAME_LENGTH = 255
# Extensions up to this long survive when a long name is shortened.
MAX_KEPT_EXTENSION = 20

_RESTRICTED_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_CONTENT_TYPE = re.compile(rf"^{_RESTRICTED_NAME}/{_RESTRICTED_NAME}$")
_FILE_ID = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")
# Control (Cc), surrogate (Cs), format (Cf: zero-width and bidirectional marks, which can make
# "gpj.exe" display as "exe.jpg") and line/paragraph separators never belong in a name.
_REMOVED_NAME_CATEGORIES = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp"})
# Types a browser may render inline without running anything stored by a user. Everything else
# (HTML, SVG, XHTML, XML, JavaScript, unknown types) is served as opaque bytes to save.
_INLINE_SAFE_PREFIXES = ("image/", "audio/", "video/")
_INLINE_SAFE_TYPES = frozenset({"application/pdf", "text/plain"})
_INLINE_UNSAFE_TYPES = frozenset({"image/svg+xml"})


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


class ItemKind(StrEnum):
    FILE = "file"
    FOLDER = "folder"


class SortField(StrEnum):
    NAME = "name"
    SIZE = "size"
    MODIFIED = "modified"


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
    trashed_at: str | None = None
    purge_at: str | None = None
    # Deleted forever from the trash: hidden, waiting for the purge to remove its bytes.
    deleting: bool = False

    @property
    def is_folder(self) -> bool:
        return self.kind is ItemKind.FOLDER

    def moved(self, *, name: str, parent_id: str | None, modified_at: str) -> "Item":
        return replace(self, name=name, parent_id=parent_id, modified_at=modified_at)


@dataclass(frozen=True)
class PathEntry:
    item_id: str
    name: str


@dataclass(frozen=True)
class ItemPage:
    items: list[Item]
    next_cursor: str | None
    paths: dict[str, list[PathEntry]] = field(default_factory=dict)


@dataclass(frozen=True)
class BulkResult:
    items: list[Item]
    failed: list[tuple[str, AppError]]
    paths: dict[str, list[PathEntry]] = field(default_factory=dict)


@dataclass(frozen=True)
class ArchiveRequest:
    """What a one-time archive link downloads."""

    user_id: str
    item_ids: list[str]
    name: str
    expires_at: str


@dataclass(frozen=True)
class StorageUsage:
    bytes_used: int
    file_count: int


class FileNotFound(NotFound):
    code = "file_not_found"
    message = "File not found."


class FileTooLarge(PayloadTooLarge):
    code = "file_too_large"
    message = "The file is larger than the upload limit."


class FolderNotFound(NotFound):
    code = "folder_not_found"
    message = "Folder not found."


class ItemNotFound(NotFound):
    code = "item_not_found"
    message = "No such file or folder."


class ArchiveNotFound(NotFound):
    code = "archive_not_found"
    message = "This download link is unknown, used or expired. Start the download again."


class NameTaken(AlreadyExists):
    code = "name_taken"
    message = "An item with this name already exists in the folder."

    def __init__(self, existing_id: str) -> None:
        super().__init__()
        self.details = {"existingId": existing_id}


class FolderCycle(InvalidInput):
    code = "folder_cycle"
    message = "A folder cannot be moved into itself or one of its subfolders."


class ChainChanged(Conflict):
    code = "folder_moved"
    message = "A folder on the way was moved at the same time. Try again."


class NotInTrash(InvalidInput):
    code = "not_in_trash"
    message = "This item is not in the trash."


class NotPreviewable(InvalidInput):
    code = "not_previewable"
    message = "This file cannot be previewed as text."


class FolderTooDeep(InvalidInput):
    code = "folder_too_deep"
    message = "Folders cannot be nested this deep."


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"
    message = "The page cursor is not valid. Start again from the first page."


class InvalidUpload(InvalidInput):
    code = "invalid_upload"
    message = "Send the file as multipart/form-data in a field named `file`."


class AccountClosed(Unauthenticated):
    code = "account_closed"
    message = "This account has been deleted."


def object_key(user_id: str, file_id: str) -> str:
    """Built from server ids only: a user's file name never reaches the key."""
    return f"{user_prefix(user_id)}{file_id}"


def user_prefix(user_id: str) -> str:
    return f"users/{user_id}/"


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


def clean_file_name(raw: str) -> str:
    """The name as typed, in NFC, without control, zero-width or bidirectional characters, at most
    255 characters; "untitled" if nothing is left. Slashes and markup stay: the name is metadata
    only, never part of a key or a path."""
    name = "".join(
        char for char in unicodedata.normalize("NFC", raw) if unicodedata.category(char) not in _REMOVED_NAME_CATEGORIES
    ).strip()
    if not name:
        return UNTITLED
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) < MAX_KEPT_EXTENSION:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_NAME_LENGTH].rstrip()
    return name


def served_content_type(declared: str | None) -> str:
    """The type the bytes are stored and served with, whatever the browser declared: the declared
    `type/subtype` only if it is safe to show inline, else application/octet-stream."""
    value = (declared or "").split(";", 1)[0].strip().lower()
    if not _CONTENT_TYPE.match(value) or not is_inline_safe(value):
        return DEFAULT_CONTENT_TYPE
    return value


def is_inline_safe(content_type: str) -> bool:
    if content_type in _INLINE_UNSAFE_TYPES:
        return False
    return content_type in _INLINE_SAFE_TYPES or content_type.startswith(_INLINE_SAFE_PREFIXES)


def content_disposition(file_name: str, *, inline: bool = False) -> str:
    """Content-Disposition carrying the file's name (RFC 6266 / RFC 5987): an ASCII fallback for
    old clients, with quotes, backslashes and anything unprintable replaced, and the exact UTF-8
    name percent-encoded, so quotes, semicolons or line breaks in a name cannot break the header."""
    decomposed = unicodedata.normalize("NFKD", file_name)
    fallback = "".join(
        char if char.isascii() and char.isprintable() and char not in '"\\' else "_"
        for char in decomposed
        if not unicodedata.combining(char)
    )
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback or UNTITLED}\"; filename*=UTF-8''{quote(file_name, safe='')}"


# Folder names sort before file names in every order: each sort key starts with the kind's rank.
FOLDER_RANK = "0"
FILE_RANK = "1"
# Joins the parts of a sort key; control characters never survive clean_file_name, so no name
# holds it and a shorter name always sorts before its extensions ("a" < "a b").
KEY_SEPARATOR = "\x01"
_DIGIT_RUN = re.compile(r"\d+")
_NATURAL_DIGITS = 20


def fold_name(name: str) -> str:
    """The name as compared for uniqueness and search: case- and accent-insensitive."""
    decomposed = unicodedata.normalize("NFKD", name)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)).casefold())


def natural_name_key(name: str) -> str:
    """Folded name with digit runs zero-padded, so "file2" sorts before "file10" as strings do."""

    def pad(match: re.Match[str]) -> str:
        digits = match.group().lstrip("0") or "0"
        return digits.rjust(_NATURAL_DIGITS, "0")

    return _DIGIT_RUN.sub(pad, fold_name(name))


def kind_rank(kind: ItemKind) -> str:
    return FOLDER_RANK if kind is ItemKind.FOLDER else FILE_RANK


def sort_key(item: Item, sort: SortField) -> str:
    """Orders a folder's items: rank, then the sorted value, then the id so keys are unique."""
    rank = kind_rank(item.kind)
    if sort is SortField.SIZE and not item.is_folder:
        value = f"{item.size or 0:020d}"
    elif sort is SortField.MODIFIED:
        value = item.modified_at
    else:
        value = natural_name_key(item.name)
    return KEY_SEPARATOR.join((rank, value, item.item_id))


def sort_key_item_id(key: str) -> str | None:
    """The item id a sort key ends with, or None if `key` is not a sort key."""
    rank, separator, rest = key.partition(KEY_SEPARATOR)
    _, separator2, item_id = rest.rpartition(KEY_SEPARATOR)
    if rank not in (FOLDER_RANK, FILE_RANK) or not separator or not separator2 or not is_file_id(item_id):
        return None
    return item_id


def segments(kinds: Sequence[ItemKind]) -> list[str]:
    """Ranks to read in turn: folders first, whatever the direction."""
    return [rank for rank in (FOLDER_RANK, FILE_RANK) if any(kind_rank(kind) == rank for kind in kinds)]


def page_after(
    items: Sequence[Item], sort: SortField, *, descending: bool, after_key: str | None, limit: int
) -> tuple[list[Item], str | None]:
    """One page of already loaded items in folder order, and the sort key to continue after."""
    keyed = sorted(((sort_key(item, sort), item) for item in items), key=lambda pair: pair[0])
    ordered = [pair for rank in (FOLDER_RANK, FILE_RANK) for pair in _ranked(keyed, rank, descending)]
    if after_key is not None:
        after_rank = after_key[0]
        ordered = [
            (key, item)
            for key, item in ordered
            if key[0] > after_rank or (key[0] == after_rank and (key < after_key if descending else key > after_key))
        ]
    page = ordered[:limit]
    return [item for _, item in page], page[-1][0] if len(ordered) > limit else None


def _ranked(keyed: list[tuple[str, Item]], rank: str, descending: bool) -> list[tuple[str, Item]]:
    group = [pair for pair in keyed if pair[0][0] == rank]
    return group[::-1] if descending else group


def numbered_name(name: str, number: int) -> str:
    """`report (1).pdf`: the "keep both" name; the extension stays last."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    suffix = f" ({number})" + (f".{extension}" if extension else "")
    return stem[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix


def encode_page_cursor(query: Sequence[Any], key: str) -> str:
    """A page cursor bound to the query it continues, so it cannot be replayed on another one."""
    return base64.urlsafe_b64encode(json.dumps([list(query), key]).encode()).decode().rstrip("=")


def trash_key(item: Item) -> str:
    """Orders the trash by deletion time; unique by the id."""
    return KEY_SEPARATOR.join((item.trashed_at or "", item.item_id))


def is_trash_key(key: str) -> bool:
    trashed_at, separator, item_id = key.rpartition(KEY_SEPARATOR)
    return bool(separator and trashed_at) and is_file_id(item_id)


def is_sort_key(key: str) -> bool:
    return sort_key_item_id(key) is not None


def decode_page_cursor(cursor: str, query: Sequence[Any], *, is_key: Callable[[str], bool] = is_sort_key) -> str:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidCursor() from None
    if (
        not isinstance(decoded, list)
        or len(decoded) != 2
        or decoded[0] != list(query)
        or not isinstance(decoded[1], str)
        or not is_key(decoded[1])
    ):
        raise InvalidCursor()
    key: str = decoded[1]
    return key


MAX_FOLDER_DEPTH = 64
# A path walk stops here even if the stored parents loop (a race of two moves can close a loop).
MAX_PATH_WALK = 256
MAX_TEXT_PREVIEW_BYTES = 1024 * 1024
TEXT_PREVIEW_TYPE = "text/plain; charset=utf-8"
# Files shown as plain text when asked (`as=text`): their bytes are served as text/plain, which a
# browser never runs, whatever the extension claims.
_TEXT_EXTENSIONS = frozenset(
    "txt md markdown rst csv tsv json jsonl ndjson log ini cfg conf toml yaml yml xml html htm css js mjs "
    "ts tsx jsx py rb go rs java kt c h cc cpp hpp cs php sh bash zsh ps1 sql swift scala lua r pl tex "
    "env gitignore dockerfile makefile svg".split()
)


def is_text_previewable(item: Item) -> bool:
    if item.kind is not ItemKind.FILE or (item.size or 0) > MAX_TEXT_PREVIEW_BYTES:
        return False
    if (item.content_type or "") == "text/plain":
        return True
    stem, dot, extension = item.name.rpartition(".")
    return (extension if dot else stem).lower() in _TEXT_EXTENSIONS
