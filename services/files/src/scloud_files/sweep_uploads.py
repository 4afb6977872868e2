"""Sweeps abandoned direct uploads: those past their expiry are aborted in S3 (their parts go) and
forgotten. Each files process runs `scloud_files.drive.upload_sweep.sweep_periodically` in its
lifespan; `python -m scloud_files.sweep_uploads` runs the sweep now until nothing expired is
left, on either store (FILES_STORE)."""

import asyncio
import logging

from scloud_files.bootstrap import build_multipart_store, open_upload_stores
from scloud_files.config import FilesStorageSettings
from scloud_files.drive.clock import Clock, utc_now
from scloud_files.drive.direct_upload import PendingUploads
from scloud_files.drive.upload_sweep import SWEEP_BATCH, SweepUploads
from scloud_files.ports import MultipartStore


async def sweep_store(
    settings: FilesStorageSettings, *, multipart: MultipartStore | None = None, now: Clock = utc_now
) -> int:
    """Batches until one is not full, as the service's own sweep does; how many uploads were
    aborted. An upload whose abort fails stays for the next sweep."""
    async with open_upload_stores(settings) as (repository, pending):
        uploads = PendingUploads(pending, multipart or build_multipart_store(settings), repository, now=now)
        sweep = SweepUploads(uploads, now=now)
        swept = 0
        while True:
            batch = await sweep()
            swept += batch
            if batch < SWEEP_BATCH:
                return swept


def main() -> None:
    logging.basicConfig(level="INFO")
    print(f"aborted {asyncio.run(sweep_store(FilesStorageSettings()))} abandoned uploads")


if __name__ == "__main__":
    main()
