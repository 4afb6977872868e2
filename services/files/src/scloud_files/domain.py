"""Stored files, their names, ids and paging cursors, and the files errors. Plain Python: no I/O."""

import base64
import binascii
import re
import threading
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from ulid import ULID

from scloud_common.errors import InvalidInput, NotFound, PayloadTooLarge, Unauthenticated

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
class StoredFile:
    file_id: str
    user_id: str
    file_name: str
    file_size: int
    content_type: str
    upload_date: str
    object_key: str


@dataclass(frozen=True)
class FilePage:
    files: list[StoredFile]
    next_cursor: str | None


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


def encode_cursor(file_id: str) -> str:
    return base64.urlsafe_b64encode(file_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The file id a page cursor continues after; InvalidCursor if the cursor was not ours."""
    try:
        file_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise InvalidCursor() from None
    if not is_file_id(file_id):
        raise InvalidCursor()
    return file_id
