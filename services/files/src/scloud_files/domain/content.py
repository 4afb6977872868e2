"""What the bytes of a file are served as: the stored type, inline or attachment, text previews."""

import re
import unicodedata
from enum import StrEnum
from urllib.parse import quote

from scloud_files.domain.item import Item, ItemKind
from scloud_files.domain.name import UNTITLED

DEFAULT_CONTENT_TYPE = "application/octet-stream"
_RESTRICTED_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_CONTENT_TYPE = re.compile(rf"^{_RESTRICTED_NAME}/{_RESTRICTED_NAME}$")
# Types a browser renders inline without running anything stored by a user, listed exactly: a
# prefix such as image/ would let image/svg-xml or video/x+xml through, which a browser may sniff
# as markup. Everything else (HTML, SVG, XHTML, XML, JavaScript, unknown types) is opaque bytes.
_INLINE_SAFE_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/bmp",
        "image/x-icon",
        "image/vnd.microsoft.icon",
        "application/pdf",
        "text/plain",
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/ogg",
        "audio/opus",
        "audio/wav",
        "audio/x-wav",
        "audio/webm",
        "audio/flac",
        "video/mp4",
        "video/webm",
        "video/ogg",
        "video/quicktime",
    }
)
_PATH_CHARACTERS = str.maketrans({"/": "_", "\\": "_", ":": "_"})
MAX_TEXT_PREVIEW_BYTES = 1024 * 1024
TEXT_PREVIEW_TYPE = "text/plain; charset=utf-8"
# Files shown as plain text when asked (`as=text`): their bytes are served as text/plain, which a
# browser never runs, whatever the extension claims.
_TEXT_EXTENSIONS = frozenset(
    "txt md markdown rst csv tsv json jsonl ndjson log ini cfg conf toml yaml yml xml html htm css js mjs "
    "ts tsx jsx py rb go rs java kt c h cc cpp hpp cs php sh bash zsh ps1 sql swift scala lua r pl tex "
    "env gitignore dockerfile makefile svg".split()
)


def served_content_type(declared: str | None) -> str:
    """The type the bytes are stored and served with, whatever the browser declared: the declared
    `type/subtype` only if it is safe to show inline, else application/octet-stream."""
    value = (declared or "").split(";", 1)[0].strip().lower()
    if not _CONTENT_TYPE.match(value) or not is_inline_safe(value):
        return DEFAULT_CONTENT_TYPE
    return value


def is_inline_safe(content_type: str) -> bool:
    return content_type in _INLINE_SAFE_TYPES


def portable_name(name: str) -> str:
    """The name as one path segment wherever it is saved or extracted: slashes, backslashes and
    colons (drive letters, alternate streams) become `_`, and a name of only dots and spaces,
    which would name a directory itself, has its dots replaced too. Stored names may predate the
    rule that refuses those, so nothing written out trusts them."""
    segment = name.translate(_PATH_CHARACTERS).strip()
    if not segment.replace(".", "").strip():
        segment = segment.replace(".", "_")
    return segment or UNTITLED


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


def is_text_previewable(item: Item) -> bool:
    if item.kind is not ItemKind.FILE or (item.size or 0) > MAX_TEXT_PREVIEW_BYTES:
        return False
    if (item.content_type or "") == "text/plain":
        return True
    stem, dot, extension = item.name.rpartition(".")
    return (extension if dot else stem).lower() in _TEXT_EXTENSIONS


class PreviewKind(StrEnum):
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    PDF = "pdf"
    TEXT = "text"


def preview_kind(item: Item) -> PreviewKind | None:
    """How a file may be shown in a browser, by the rules of the owner's preview: inline when its
    served type is on the allow list, as plain text when it is text-like and small, else not."""
    content_type = item.content_type or ""
    if content_type == "application/pdf":
        return PreviewKind.PDF
    family = content_type.partition("/")[0]
    if is_inline_safe(content_type) and family in ("image", "audio", "video"):
        return PreviewKind(family)
    return PreviewKind.TEXT if is_text_previewable(item) else None


# Formats whose bytes are compressed already: an archive stores them as they are.
_COMPRESSED_EXTENSIONS = frozenset(
    "jpg jpeg png gif webp avif heic heif jxl mp3 m4a aac ogg oga opus flac mp4 m4v mov mkv webm avi "
    "zip gz tgz bz2 xz zst 7z rar jar apk docx xlsx pptx odt ods odp epub pdf woff woff2".split()
)
_UNCOMPRESSED_MEDIA = frozenset({"image/bmp", "image/x-icon", "image/vnd.microsoft.icon", "audio/wav", "audio/x-wav"})


def is_compressed(item: Item) -> bool:
    """Whether the file's bytes are compressed already, by its type or its extension."""
    content_type = item.content_type or ""
    if content_type.startswith(("image/", "audio/", "video/")) and content_type not in _UNCOMPRESSED_MEDIA:
        return True
    stem, dot, extension = item.name.rpartition(".")
    return bool(dot and stem) and extension.lower() in _COMPRESSED_EXTENSIONS
