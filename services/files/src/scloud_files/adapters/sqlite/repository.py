"""FileRepository on SQLite, for running SCloud on one machine: one database file
(FILES_SQLITE_PATH) through scloud_common.sqlite_store, whose single writer thread runs every
write as one transaction. docs/data-model.md describes the tables; in short:

- files and folders are rows of `items` keyed by (user id, item id), with `parent_id` (`root`
  for the root);
- a partial UNIQUE index on (user, parent, folded name) over items not in the trash holds each
  folder's names; every write that takes a name checks it first, in its transaction, to name the
  holder (NameTaken);
- `accounts` holds each user's totals (trashed files count until purged) and the closed mark,
  changed in the same transaction as the file rows, and refused for a closed account;
- `file_versions` holds the contents files served before their latest upload (and names the
  object of a replaced file's current content), changed in the same transaction as the file row;
- partial indexes list a folder in each order, the trash, the newest items and what is due for
  purge, so each page reads one range of one index.
"""

from scloud_files.adapters.sqlite.account_record import AccountRecords
from scloud_files.adapters.sqlite.archive_link import ArchiveLinks
from scloud_files.adapters.sqlite.item_write import ItemWrites
from scloud_files.adapters.sqlite.listing import Listings
from scloud_files.adapters.sqlite.trash_record import TrashRecords
from scloud_files.adapters.sqlite.unfiled_record import UnfiledRecords
from scloud_files.adapters.sqlite.versions import VersionRecords


class SqliteFileRepository(
    ItemWrites, Listings, TrashRecords, UnfiledRecords, ArchiveLinks, AccountRecords, VersionRecords
):
    """Each part of the port lives in the module named for it; they share one store."""
