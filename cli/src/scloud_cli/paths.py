"""Remote paths: `a/b/c` from the root, resolved a folder listing at a time, or an item's id.

Names are unique per folder compared folded (case and accents ignored, as the service compares
them), so a segment matches its exact name first, else its one folded equal."""

import re
import unicodedata
from dataclasses import dataclass

from scloud_cli.client import ROOT, ROOT_ID, Client, Item
from scloud_cli.errors import ConflictError, NotFoundError, UsageError

# Item ids are ULIDs: 26 characters of Crockford's base32.
ITEM_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFD", name)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)).casefold())


def split_path(path: str) -> list[str]:
    segments = [segment for segment in path.strip().split("/") if segment not in ("", ".")]
    if ".." in segments:
        raise UsageError(f"{path!r}: `..` is not supported in remote paths", code="invalid_path")
    return segments


def find_child(client: Client, folder_id: str, name: str) -> Item | None:
    folded = None
    for item in client.list_children(folder_id):
        if item.name == name:
            return item
        if folded is None and fold(item.name) == fold(name):
            folded = item
    return folded


def get_by_id(client: Client, item_id: str) -> Item:
    if item_id == ROOT_ID:
        return ROOT
    try:
        return client.get_file(item_id)
    except NotFoundError:
        return client.get_folder(item_id)


def resolve(client: Client, path: str) -> Item:
    """The item at `path` (or with that id); NotFoundError names the first missing segment."""
    if ITEM_ID.match(path.strip()) or path.strip() == ROOT_ID:
        try:
            return get_by_id(client, path.strip())
        except NotFoundError:
            pass
    item = ROOT
    walked: list[str] = []
    for segment in split_path(path):
        if not item.is_folder:
            raise NotFoundError(f"{'/'.join(walked)} is a file, not a folder", code="not_a_folder")
        child = find_child(client, item.id, segment)
        walked.append(segment)
        if child is None:
            raise NotFoundError(f"no such file or folder: /{'/'.join(walked)}", code="path_not_found")
        item = child
    return item


def resolve_folder(client: Client, path: str) -> Item:
    item = resolve(client, path)
    if not item.is_folder:
        raise UsageError(f"{path} is a file, not a folder", code="not_a_folder")
    return item


@dataclass(frozen=True)
class Destination:
    """Where a new or moved item goes: into `folder`, named `name` (None: keep the name)."""

    folder: Item
    name: str | None


def resolve_destination(client: Client, path: str) -> Destination:
    """An existing folder is a destination to go into; otherwise the path's parent must be a
    folder and its last segment is the new name."""
    try:
        item = resolve(client, path)
    except NotFoundError:
        segments = split_path(path)
        if not segments:
            raise
        parent = resolve_folder(client, "/".join(segments[:-1]))
        return Destination(parent, segments[-1])
    if not item.is_folder:
        raise ConflictError(f"{path} exists and is a file", code="name_taken")
    return Destination(item, None)


def ensure_folder(client: Client, path: str) -> Item:
    """The folder at `path` (or with that id), creating what is missing on the way (like `mkdir -p`)."""
    if ITEM_ID.match(path.strip()):
        try:
            return resolve_folder(client, path)
        except NotFoundError:
            pass
    item = ROOT
    for segment in split_path(path):
        child = find_child(client, item.id, segment)
        if child is None:
            child = client.create_folder(segment, item.id, on_conflict="merge")
        elif not child.is_folder:
            raise UsageError(f"{child.name} is a file, not a folder", code="not_a_folder")
        item = child
    return item
