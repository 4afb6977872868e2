"""Items of the files table as written and read: keys, guards, index attributes, and the
conversion between records and domain items."""

import zlib
from typing import Any

from scloud_files.adapters.dynamodb.table import (
    GUARD_PREFIX,
    PURGE_SHARDS,
    ROOT,
    THUMBNAIL_SHARD_PREFIX,
    THUMBNAIL_SHARDS,
    USAGE_SORT_KEY,
)
from scloud_files.domain import Item, ItemKind, SortField, ThumbnailState, UnfiledFile, fold_name, sort_key


def item_key(user_id: str, file_id: str) -> dict[str, Any]:
    return {"userId": {"S": user_id}, "fileId": {"S": file_id}}


def usage_key(user_id: str) -> dict[str, Any]:
    return item_key(user_id, USAGE_SORT_KEY)


def parent_value(parent_id: str | None) -> str:
    return parent_id or ROOT


def guard_key(user_id: str, parent_id: str | None, name: str) -> dict[str, Any]:
    return item_key(user_id, f"{GUARD_PREFIX}{parent_value(parent_id)}#{fold_name(name)}")


def folder_key(user_id: str, parent_id: str | None) -> str:
    return f"{user_id}#{parent_value(parent_id)}"


def purge_shard(item_id: str) -> str:
    return f"purge#{zlib.crc32(item_id.encode()) % PURGE_SHARDS}"


def thumbnail_shard(item_id: str) -> str:
    return f"{THUMBNAIL_SHARD_PREFIX}{zlib.crc32(item_id.encode()) % THUMBNAIL_SHARDS}"


def purge_at_key(item: Item, purge_at: str) -> str:
    return f"{purge_at}#{item.user_id}#{item.item_id}"


def live_values(item: Item) -> dict[str, Any]:
    return {
        "fileName": {"S": item.name},
        "parentId": {"S": parent_value(item.parent_id)},
        "modifiedAt": {"S": item.modified_at},
        "folderKey": {"S": folder_key(item.user_id, item.parent_id)},
        "nameKey": {"S": sort_key(item, SortField.NAME)},
        "sizeKey": {"S": sort_key(item, SortField.SIZE)},
        "modifiedKey": {"S": sort_key(item, SortField.MODIFIED)},
        "ownerId": {"S": item.user_id},
    }


def set_expression(values: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    names = {f"#{name}": name for name in values}
    return (
        "SET " + ", ".join(f"#{name} = :{name}" for name in values),
        names,
        {f":{name}": value for name, value in values.items()},
    )


def item_record(item: Item) -> dict[str, Any]:
    record = {
        **item_key(item.user_id, item.item_id),
        "kind": {"S": item.kind.value},
        "createdAt": {"S": item.created_at},
    }
    record.update(live_values(item))
    if item.kind is ItemKind.FILE:
        record.update(
            {
                "fileSize": {"N": str(item.size or 0)},
                "contentType": {"S": item.content_type or ""},
                "uploadDate": {"S": item.created_at},
                "objectKey": {"S": item.object_key or ""},
            }
        )
        if item.media_type is not None:
            record["mediaType"] = {"S": item.media_type}
        if item.sha256 is not None:
            record["sha256"] = {"S": item.sha256}
        if item.checksum_part_size is not None:
            record["checksumPartSize"] = {"N": str(item.checksum_part_size)}
        if item.thumbnail is not None:
            record["thumbnail"] = {"S": item.thumbnail.value}
        if item.thumbnail is ThumbnailState.PENDING and item.trashed_at is None:
            record["purgeShard"] = {"S": thumbnail_shard(item.item_id)}
            record["purgeAt"] = {"S": item.item_id}
    return record


def legacy_file_record(file: UnfiledFile) -> dict[str, Any]:
    """A file as recorded before folders existed; for the migration's tests."""
    return {
        **item_key(file.user_id, file.file_id),
        "fileName": {"S": file.file_name},
        "fileSize": {"N": str(file.file_size)},
        "contentType": {"S": file.content_type},
        "uploadDate": {"S": file.upload_date},
        "objectKey": {"S": file.object_key},
    }


def item_of(record: dict[str, Any]) -> Item:
    def text(name: str) -> str | None:
        return record[name]["S"] if name in record else None

    kind = ItemKind(text("kind") or ItemKind.FILE.value)
    parent = text("parentId")
    purge_at = text("purgeAt") if not (text("purgeShard") or "").startswith(THUMBNAIL_SHARD_PREFIX) else None
    thumbnail = text("thumbnail")
    created = text("createdAt") or text("uploadDate") or ""
    return Item(
        item_id=record["fileId"]["S"],
        user_id=record["userId"]["S"],
        kind=kind,
        name=text("fileName") or "",
        parent_id=None if parent in (None, ROOT) else parent,
        created_at=created,
        modified_at=text("modifiedAt") or created,
        size=int(record["fileSize"]["N"]) if kind is ItemKind.FILE and "fileSize" in record else None,
        content_type=text("contentType") if kind is ItemKind.FILE else None,
        object_key=text("objectKey"),
        media_type=text("mediaType") if kind is ItemKind.FILE else None,
        sha256=text("sha256") if kind is ItemKind.FILE else None,
        checksum_part_size=int(record["checksumPartSize"]["N"])
        if kind is ItemKind.FILE and "checksumPartSize" in record
        else None,
        thumbnail=ThumbnailState(thumbnail) if kind is ItemKind.FILE and thumbnail else None,
        trashed_at=text("trashedAt"),
        purge_at=purge_at.split("#", 1)[0] if purge_at else None,
        deleting=record.get("deleting", {}).get("BOOL", False),
    )


def unfiled_file_of(record: dict[str, Any]) -> UnfiledFile:
    return UnfiledFile(
        file_id=record["fileId"]["S"],
        user_id=record["userId"]["S"],
        file_name=record["fileName"]["S"],
        file_size=int(record["fileSize"]["N"]),
        content_type=record["contentType"]["S"],
        upload_date=record["uploadDate"]["S"],
        object_key=record["objectKey"]["S"],
    )
