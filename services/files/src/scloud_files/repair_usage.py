"""Recounts storage totals from the file records: `python -m scloud_files.repair_usage --user ID`
or `--all`, on either store (FILES_STORE). The totals are kept by the writes themselves; this is
for the day they drift (a bug, a hand edit of the records). A write to a user's files while their
recount runs can be missed, so recount when that user is quiet; running it again is always safe."""

import argparse
import asyncio
import logging

from scloud_files.bootstrap import open_repository
from scloud_files.config import FilesStorageSettings
from scloud_files.domain import StorageUsage
from scloud_files.ports import FileRepository

logger = logging.getLogger(__name__)


async def repair_usage(repository: FileRepository, user_ids: list[str] | None) -> dict[str, StorageUsage]:
    """Recounts the given users, or every user in the store if None."""
    if user_ids is None:
        user_ids = await repository.list_user_ids()
    repaired = {}
    for user_id in user_ids:
        repaired[user_id] = await repository.recount_usage(user_id)
        logger.info("usage recounted", extra={"user_id": user_id, "usage": repaired[user_id]})
    return repaired


async def repair_store(settings: FilesStorageSettings, user_ids: list[str] | None) -> dict[str, StorageUsage]:
    async with open_repository(settings) as repository:
        return await repair_usage(repository, user_ids)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scloud_files.repair_usage", description=__doc__)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--user", action="append", metavar="ID", help="a user id; repeat for several")
    target.add_argument("--all", action="store_true", help="every user in the files store")
    args = parser.parse_args(argv)
    logging.basicConfig(level="INFO")
    repaired = asyncio.run(repair_store(FilesStorageSettings(), None if args.all else args.user))
    for user_id, usage in repaired.items():
        print(f"{user_id}\tbytes={usage.bytes_used}\tfiles={usage.file_count}")


if __name__ == "__main__":
    main()
