"""Rows of the files database as written and read: an item's columns (with its folded name and
sort keys, computed by the domain), and the conversion back to domain items."""

import sqlite3
from typing import Any

from scloud_files.adapters.sqlite.schema import ROOT
from scloud_files.domain import (
    Item,
    ItemKind,
    SortField,
    ThumbnailState,
    UnfiledFile,
    fold_name,
    sort_key,
    trash_key,
)

ITEM_COLUMNS = (
    "user_id, item_id, kind, name, parent_id, created_at, modified_at, size, content_type, object_key, "
    "trashed_at, purge_at, deleting, purging, media_type, sha256, checksum_part_size, thumbnail"
)
# What a search or the newest-first listing reads: no object key; the thumbnail state, which the
# item shape answers.
LIVE_COLUMNS = "user_id, item_id, kind, name, parent_id, created_at, modified_at, size, content_type, thumbnail"
SORT_COLUMNS = {SortField.NAME: "name_key", SortField.SIZE: "size_key", SortField.MODIFIED: "modified_key"}
UNFILED_COLUMNS = "user_id, file_id, file_name, file_size, content_type, upload_date, object_key"


def parent_value(parent_id: str | None) -> str:
    return parent_id or ROOT


def placement(item: Item) -> dict[str, Any]:
    """The columns that follow an item's name, folder and modified time."""
    return {
        "name": item.name,
        "folded_name": fold_name(item.name),
        "parent_id": parent_value(item.parent_id),
        "modified_at": item.modified_at,
        **{column: sort_key(item, sort) for sort, column in SORT_COLUMNS.items()},
    }


def item_row(item: Item) -> dict[str, Any]:
    is_file = item.kind is ItemKind.FILE
    return {
        "user_id": item.user_id,
        "item_id": item.item_id,
        "kind": item.kind.value,
        "created_at": item.created_at,
        "size": (item.size or 0) if is_file else None,
        "content_type": item.content_type if is_file else None,
        "media_type": item.media_type if is_file else None,
        "sha256": item.sha256 if is_file else None,
        "checksum_part_size": item.checksum_part_size if is_file else None,
        "thumbnail": item.thumbnail.value if is_file and item.thumbnail is not None else None,
        "object_key": item.object_key if is_file else None,
        "trashed_at": item.trashed_at,
        "purge_at": item.purge_at,
        "trash_key": trash_key(item) if item.trashed_at is not None else None,
        "deleting": int(item.deleting),
        **placement(item),
    }


def insert_row(connection: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    # Column names come from this module's dictionaries, never from input.
    columns = ", ".join(row)
    connection.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + name for name in row)})", row)


def assignments(row: dict[str, Any]) -> str:
    """`name = :name, ...` for an UPDATE of these columns."""
    return ", ".join(f"{column} = :{column}" for column in row)


def item_of(row: sqlite3.Row) -> Item:
    """An item from a row of ITEM_COLUMNS or LIVE_COLUMNS (which leaves the trash and object key unset)."""
    keys = row.keys()
    parent = row["parent_id"]
    return Item(
        item_id=row["item_id"],
        user_id=row["user_id"],
        kind=ItemKind(row["kind"]),
        name=row["name"],
        parent_id=None if parent == ROOT else parent,
        created_at=row["created_at"],
        modified_at=row["modified_at"],
        size=row["size"],
        content_type=row["content_type"],
        object_key=row["object_key"] if "object_key" in keys else None,
        trashed_at=row["trashed_at"] if "trashed_at" in keys else None,
        purge_at=row["purge_at"] if "purge_at" in keys else None,
        deleting=bool(row["deleting"] or row["purging"]) if "deleting" in keys else False,
        media_type=row["media_type"] if "media_type" in keys else None,
        sha256=row["sha256"] if "sha256" in keys else None,
        checksum_part_size=row["checksum_part_size"] if "checksum_part_size" in keys else None,
        thumbnail=ThumbnailState(row["thumbnail"]) if "thumbnail" in keys and row["thumbnail"] else None,
    )


def select_item(connection: sqlite3.Connection, user_id: str, item_id: str) -> Item | None:
    row = connection.execute(
        f"SELECT {ITEM_COLUMNS} FROM items WHERE user_id = ? AND item_id = ?", (user_id, item_id)
    ).fetchone()
    return item_of(row) if row else None


def unfiled_file_of(row: sqlite3.Row) -> UnfiledFile:
    return UnfiledFile(
        file_id=row["file_id"],
        user_id=row["user_id"],
        file_name=row["file_name"],
        file_size=row["file_size"],
        content_type=row["content_type"],
        upload_date=row["upload_date"],
        object_key=row["object_key"],
    )
