"""Purges the trash: items whose retention is over (`FILES_TRASH_RETENTION_DAYS`) or deleted
forever lose their bytes, then their records, and leave the owner's totals.

Each files process runs `scloud_files.drive.purge.purge_periodically` in its lifespan; the due
items are found through an index of the store, so the job survives restarts and any number of
processes may run it (removals are idempotent). `python -m scloud_files.purge_trash` runs one
pass, e.g. as a scheduled task, on either store (FILES_STORE)."""

import asyncio
import logging

from scloud_files.bootstrap import build_blob_store, open_stores
from scloud_files.config import FilesStorageSettings
from scloud_files.drive.clock import Clock, utc_now
from scloud_files.drive.purge import PurgeDue, purge_all_due
from scloud_files.ports import BlobStore


async def purge_store(
    settings: FilesStorageSettings, *, blob_store: BlobStore | None = None, now: Clock = utc_now
) -> int:
    """One pass over the store the settings name; returns how many items were purged. The purged
    items' share links, file requests, grants, stars and earlier versions go with them, and earlier
    versions past their retention go too, as in the service's own purge."""
    async with open_stores(settings) as stores:
        purge_due = PurgeDue(
            stores.repository,
            blob_store or build_blob_store(settings),
            now=now,
            links=stores.links,
            requests=stores.requests,
            grants=stores.grants,
            stars=stores.stars,
        )
        return await purge_all_due(purge_due)


def main() -> None:
    logging.basicConfig(level="INFO")
    print(f"purged {asyncio.run(purge_store(FilesStorageSettings()))} trashed items")


if __name__ == "__main__":
    main()
