"""The order of a folder's items and the trash, and page cursors bound to their query."""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

from scloud_files.domain.errors import InvalidCursor
from scloud_files.domain.item import Item, ItemKind, is_file_id
from scloud_files.domain.name import natural_name_key


class SortField(StrEnum):
    NAME = "name"
    SIZE = "size"
    MODIFIED = "modified"


# Folder names sort before file names in every order: each sort key starts with the kind's rank.
FOLDER_RANK = "0"
FILE_RANK = "1"
# Joins the parts of a sort key; control characters never survive clean_file_name, so no name
# holds it and a shorter name always sorts before its extensions ("a" < "a b").
KEY_SEPARATOR = "\x01"


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
