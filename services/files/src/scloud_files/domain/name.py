"""Item names: how a typed name is cleaned, compared (folded) and sorted (naturally), how "keep
both" numbers it, and what to do when a name is taken."""

import re
import unicodedata
from enum import StrEnum

from scloud_files.domain.errors import InvalidName

UNTITLED = "untitled"
MAX_NAME_LENGTH = 255
# Extensions up to this long survive when a long name is shortened.
MAX_KEPT_EXTENSION = 20
# Control (Cc), surrogate (Cs), format (Cf: zero-width and bidirectional marks, which can make
# "gpj.exe" display as "exe.jpg") and line/paragraph separators never belong in a name.
_REMOVED_NAME_CATEGORIES = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp"})
_DIGIT_RUN = re.compile(r"\d+")
_NATURAL_DIGITS = 20


class OnConflict(StrEnum):
    """What to do when the name is taken in the target folder."""

    FAIL = "fail"
    RENAME = "rename"
    REPLACE = "replace"
    MERGE = "merge"


def clean_file_name(raw: str) -> str:
    """The name as typed, in NFC, without control, zero-width or bidirectional characters, at most
    255 characters; "untitled" if nothing is left. Slashes and markup stay: the name is metadata
    only, never part of a key or a path. A name of only dots and spaces (`.`, `..`, `. .`) is
    refused (InvalidName) rather than changed: it names a directory itself wherever the item is
    extracted or synced, and any replacement would be a name the user never chose."""
    name = "".join(
        char for char in unicodedata.normalize("NFC", raw) if unicodedata.category(char) not in _REMOVED_NAME_CATEGORIES
    ).strip()
    if not name:
        return UNTITLED
    if not name.replace(".", "").strip():
        raise InvalidName()
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) < MAX_KEPT_EXTENSION:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_NAME_LENGTH].rstrip()
    return name


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


def numbered_name(name: str, number: int) -> str:
    """`report (1).pdf`: the "keep both" name; the extension stays last."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    suffix = f" ({number})" + (f".{extension}" if extension else "")
    return stem[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
