"""Purges the trash: items whose retention is over (`FILES_TRASH_RETENTION_DAYS`) or deleted
forever lose their bytes, then their records, and leave the owner's totals.

Each files process runs `purge_periodically` in its lifespan; the due items are found through a
table index, so the job survives restarts and any number of processes may run it (removals are
idempotent). `python -m scloud_files.purge_trash` runs one pass, e.g. as a scheduled task."""

import asyncio
import contextlib
import logging

from scloud_common.aws import aws_client
from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.config import FilesStorageSettings
from scloud_files.provision import files_table_name
from scloud_files.service import PURGE_BATCH, FileService

logger = logging.getLogger(__name__)


async def purge_all_due(service: FileService) -> int:
    """Purges in batches until nothing is due."""
    purged = 0
    while batch := await service.purge_due(limit=PURGE_BATCH):
        purged += batch
    return purged


async def purge_periodically(service: FileService, *, interval_seconds: float) -> None:
    """Runs until cancelled; a failed pass is logged and tried again at the next one."""
    while True:
        service.purge_requested.clear()
        try:
            await purge_all_due(service)
        except Exception:
            logger.exception("trash purge failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(service.purge_requested.wait(), interval_seconds)


def main() -> None:
    logging.basicConfig(level="INFO")
    settings = FilesStorageSettings()
    service = FileService(
        repository=DynamoDbFileRepository(aws_client(settings, "dynamodb"), files_table_name(settings)),
        blob_store=S3BlobStore(aws_client(settings, "s3"), settings.s3_bucket, part_bytes=5 * 1024 * 1024),
        max_upload_bytes=1,
        download_url_ttl_seconds=1,
        trash_retention_days=settings.trash_retention_days,
    )
    print(f"purged {asyncio.run(purge_all_due(service))} trashed items")


if __name__ == "__main__":
    main()
