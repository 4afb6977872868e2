"""The files repository on DynamoDB (repository.DynamoDbFileRepository) and its table."""

from scloud_files.adapters.dynamodb.access import BATCH_WRITE_SIZE
from scloud_files.adapters.dynamodb.activity import DynamoDbActivityLog
from scloud_files.adapters.dynamodb.copy_job import DynamoDbCopyJobs
from scloud_files.adapters.dynamodb.file_request import DynamoDbFileRequests
from scloud_files.adapters.dynamodb.grant import DynamoDbGrants
from scloud_files.adapters.dynamodb.pending_upload import DynamoDbPendingUploads
from scloud_files.adapters.dynamodb.record import guard_key, item_record, legacy_file_record
from scloud_files.adapters.dynamodb.repository import DynamoDbFileRepository
from scloud_files.adapters.dynamodb.share_link import DynamoDbShareLinks
from scloud_files.adapters.dynamodb.star import DynamoDbStars
from scloud_files.adapters.dynamodb.table import (
    SEARCH_ATTRIBUTES,
    SORT_INDEXES,
    TTL_ATTRIBUTE,
    USAGE_SORT_KEY,
    table_definition,
)

__all__ = [
    "BATCH_WRITE_SIZE",
    "SEARCH_ATTRIBUTES",
    "SORT_INDEXES",
    "TTL_ATTRIBUTE",
    "USAGE_SORT_KEY",
    "DynamoDbActivityLog",
    "DynamoDbCopyJobs",
    "DynamoDbFileRepository",
    "DynamoDbFileRequests",
    "DynamoDbGrants",
    "DynamoDbPendingUploads",
    "DynamoDbShareLinks",
    "DynamoDbStars",
    "guard_key",
    "item_record",
    "legacy_file_record",
    "table_definition",
]
