"""Files the flat list recorded before folders existed go into the root:
`python -m scloud_files.migrate_folders`. Each gets its parent, its listing keys and its name in
the root (`name (1).ext` if two had the same name); files already filed are left alone, so it
can run any number of times, on either store (FILES_STORE). `python -m scloud_files.provision`
runs it after provisioning."""

import asyncio
import logging
from datetime import timedelta

from scloud_files.bootstrap import open_repository
from scloud_files.config import FilesStorageSettings
from scloud_files.drive.clock import utc_now
from scloud_files.drive.migration import FileUnfiled
from scloud_files.drive.name_clash import NameClash
from scloud_files.drive.trashing import Trasher
from scloud_files.ports import FileRepository

logger = logging.getLogger(__name__)


async def migrate_users(file_unfiled: FileUnfiled, repository: FileRepository) -> int:
    """Files every user's unfiled files; returns how many moved."""
    moved = 0
    for user_id in await repository.list_user_ids():
        count = await file_unfiled(user_id)
        if count:
            logger.info("files moved into the root", extra={"user_id": user_id, "files": count})
        moved += count
    return moved


async def migrate_store(settings: FilesStorageSettings) -> int:
    """Files every unfiled file of the store the settings name; returns how many moved."""
    async with open_repository(settings) as repository:
        trasher = Trasher(repository, retention=timedelta(days=settings.trash_retention_days), now=utc_now)
        return await migrate_users(FileUnfiled(repository, NameClash(repository, trasher)), repository)


def migrate(settings: FilesStorageSettings) -> int:
    return asyncio.run(migrate_store(settings))


def main() -> None:
    logging.basicConfig(level="INFO")
    print(f"moved {migrate(FilesStorageSettings())} files into the root")


if __name__ == "__main__":
    main()
