"""The files table: its keys, its sparse indexes, and the attributes that put an item in them.
docs/data-model.md describes every item and index."""

from typing import Any

from scloud_files.domain import SortField

USAGE_SORT_KEY = "#usage"
ROOT = "root"
GUARD_PREFIX = "#name#"
ARCHIVE_PREFIX = "#archive#"
ARCHIVE_SORT_KEY = "#archive"
TTL_ATTRIBUTE = "ttl"
PURGE_SHARDS = 16
# Direct uploads in progress (`#upload#<id>`) and the user's count and reserved bytes of them.
UPLOAD_PREFIX = "#upload#"
UPLOADS_SORT_KEY = "#uploads"
# Uploads are swept by expiry through byPurge too, under partitions of their own.
UPLOAD_SHARDS = 4
# Files waiting for their thumbnail are listed through byPurge too, under `thumb#<n>` by item id
# (oldest first); trashing one moves it to the trash's partitions.
THUMBNAIL_SHARDS = 4
THUMBNAIL_SHARD_PREFIX = "thumb#"
# A file's contents besides its first one while it serves it (`#ver#<versionId>`); the earlier
# ones are listed through byPurge by expiry, under `version#<n>`.
VERSION_PREFIX = "#ver#"
VERSION_SHARDS = 4
VERSION_SHARD_PREFIX = "version#"
# File and folder ids are ULIDs, whose first character is 0-7: this range holds only them.
ITEM_RANGE = {"KeyConditionExpression": "userId = :user AND fileId BETWEEN :first AND :last"}
ITEM_BOUNDS = {":first": {"S": "0"}, ":last": {"S": "8"}}

SORT_INDEXES = {
    SortField.NAME: ("byName", "nameKey"),
    SortField.SIZE: ("bySize", "sizeKey"),
    SortField.MODIFIED: ("byModified", "modifiedKey"),
}
# What a search or the flat listing reads of each item (byNewest): no object key, no index keys;
# the thumbnail state, which the item shape answers, so no item is read again. (byNewest replaced
# byOwner, the same keys without the thumbnail: an index's projection cannot change in place.)
SEARCH_ATTRIBUTES = ["kind", "fileName", "parentId", "fileSize", "contentType", "createdAt", "modifiedAt", "thumbnail"]
# Attributes only a live item has (in its folder's listings and in search), removed when trashed.
LIVE_ATTRIBUTES = ("folderKey", "nameKey", "sizeKey", "modifiedKey", "ownerId")
TRASH_ATTRIBUTES = ("trashedAt", "trashUser", "trashKey", "purgeShard", "purgeAt")


def _index(name: str, partition: str, sort: str, projection: dict[str, Any]) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": partition, "KeyType": "HASH"}, {"AttributeName": sort, "KeyType": "RANGE"}],
        "Projection": projection,
    }


def table_definition(table_name: str) -> dict[str, Any]:
    key_attributes = ["userId", "fileId", "folderKey", "nameKey", "sizeKey", "modifiedKey", "ownerId"]
    key_attributes += ["trashUser", "trashKey", "purgeShard", "purgeAt"]
    everything = {"ProjectionType": "ALL"}
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": "S"} for name in key_attributes],
        "KeySchema": [
            {"AttributeName": "userId", "KeyType": "HASH"},
            {"AttributeName": "fileId", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            *(_index(index, "folderKey", attribute, everything) for index, attribute in SORT_INDEXES.values()),
            _index(
                "byNewest",
                "ownerId",
                "fileId",
                {"ProjectionType": "INCLUDE", "NonKeyAttributes": SEARCH_ATTRIBUTES},
            ),
            _index("byTrash", "trashUser", "trashKey", everything),
            _index("byPurge", "purgeShard", "purgeAt", everything),
        ],
        "SSESpecification": {"Enabled": True},
    }
