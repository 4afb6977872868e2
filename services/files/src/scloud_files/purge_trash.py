"""Purges the trash: items whose retention is over (`FILES_TRASH_RETENTION_DAYS`) or deleted
forever lose their bytes, then their records, and leave the owner's totals.

Each files process runs `scloud_files.drive.purge.purge_periodically` in its lifespan; the due
items are found through a table index, so the job survives restarts and any number of processes
may run it (removals are idempotent). `python -m scloud_files.purge_trash` runs one pass, e.g. as a scheduled task."""

import asyncio
import logging

from scloud_common.aws import aws_client
from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.config import FilesStorageSettings
from scloud_files.drive.clock import utc_now
from scloud_files.drive.purge import PurgeDue, purge_all_due
from scloud_files.provision import files_table_name


def main() -> None:
    logging.basicConfig(level="INFO")
    settings = FilesStorageSettings()
    purge_due = PurgeDue(
        DynamoDbFileRepository(aws_client(settings, "dynamodb"), files_table_name(settings)),
        S3BlobStore(aws_client(settings, "s3"), settings.s3_bucket, part_bytes=5 * 1024 * 1024),
        now=utc_now,
    )
    print(f"purged {asyncio.run(purge_all_due(purge_due))} trashed items")


if __name__ == "__main__":
    main()
