"""FileRepository on DynamoDB: table `<prefix>files`, partition key userId, sort key fileId.
docs/data-model.md describes the items and indexes; in short:

- files and folders are items keyed by their ULID, with `parentId` (`root` for the root);
- `#name#<parentId>#<folded name>` guards hold each folder's names, written in the same
  transaction as the item, so names are unique per folder whatever runs concurrently;
- `#usage` holds the user's totals (trashed files count until purged), updated in the same
  transaction as the file rows, conditioned on the account not being closed;
- sparse GSIs list a folder in each order (byName, bySize, byModified, partition
  `<userId>#<parentId>`), the user's names (byNewest, for search), the trash (byTrash) and what
  is due for purge (byPurge, across users; the files waiting for a thumbnail too). An item is in an index only while it carries that
  index's key attributes, which trashing removes or sets in one write;
- `#ver#<versionId>` items hold the contents a file served before (and name the object of a
  replaced file's current content), listed from the file row's `versionIds`.
"""

from scloud_common.aws import translate_aws_errors
from scloud_files.adapters.dynamodb.account_record import AccountRecords
from scloud_files.adapters.dynamodb.archive_link import ArchiveLinks
from scloud_files.adapters.dynamodb.item_write import ItemWrites
from scloud_files.adapters.dynamodb.listing import Listings
from scloud_files.adapters.dynamodb.thumbnail_record import ThumbnailRecords
from scloud_files.adapters.dynamodb.trash_record import TrashRecords
from scloud_files.adapters.dynamodb.unfiled_record import UnfiledRecords
from scloud_files.adapters.dynamodb.versions import VersionRecords


class DynamoDbFileRepository(
    ItemWrites, Listings, TrashRecords, ThumbnailRecords, UnfiledRecords, ArchiveLinks, AccountRecords, VersionRecords
):
    """Each part of the port lives in the module named for it; they share one TableAccess."""

    @translate_aws_errors
    async def check_ready(self) -> None:
        await self._call("describe_table", TableName=self._table)
