"""`python -m scloud_files.reconcile`: one full reconcile pass over the bucket and the files
table (drive/reconcile.py): objects older than FILES_RECONCILE_GRACE_SECONDS that no row names are
deleted, rows whose object is missing are reported. Safe to run at any time, beside the
periodic steps every files process runs."""

import asyncio
import logging

from scloud_files.bootstrap import build_blob_store, build_reconcile, open_repository
from scloud_files.config import FilesStorageSettings
from scloud_files.drive.reconcile import ReconcileReport, reconcile_everything


async def reconcile_store(settings: FilesStorageSettings) -> ReconcileReport:
    async with open_repository(settings) as repository:
        return await reconcile_everything(build_reconcile(settings, repository, build_blob_store(settings)))


def main() -> None:
    logging.basicConfig(level="INFO")
    report = asyncio.run(reconcile_store(FilesStorageSettings()))
    print(
        f"objects checked {report.objects_checked}, deleted without a row {len(report.objects_deleted)}; "
        f"file rows checked {report.rows_checked}, without an object {len(report.rows_without_objects)}"
    )
    for user_id, file_id in report.rows_without_objects:
        print(f"row without object\t{user_id}\t{file_id}")


if __name__ == "__main__":
    main()
