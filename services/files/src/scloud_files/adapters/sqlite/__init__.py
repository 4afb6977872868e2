"""The files repository on SQLite (repository.SqliteFileRepository) and its schema."""

from scloud_files.adapters.sqlite.activity import SqliteActivityLog
from scloud_files.adapters.sqlite.copy_job import SqliteCopyJobs
from scloud_files.adapters.sqlite.file_request import SqliteFileRequests
from scloud_files.adapters.sqlite.grant import SqliteGrants
from scloud_files.adapters.sqlite.pending_upload import SqlitePendingUploads
from scloud_files.adapters.sqlite.repository import SqliteFileRepository
from scloud_files.adapters.sqlite.schema import MIGRATIONS
from scloud_files.adapters.sqlite.share_link import SqliteShareLinks
from scloud_files.adapters.sqlite.star import SqliteStars

__all__ = [
    "MIGRATIONS",
    "SqliteActivityLog",
    "SqliteCopyJobs",
    "SqliteFileRepository",
    "SqliteFileRequests",
    "SqliteGrants",
    "SqlitePendingUploads",
    "SqliteShareLinks",
    "SqliteStars",
]
