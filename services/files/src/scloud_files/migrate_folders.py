"""Files the flat list recorded before folders existed go into the root:
`python -m scloud_files.migrate_folders`. Each gets its parent, its listing keys and its name in
the root (`name (1).ext` if two had the same name); files already filed are left alone, so it
can run any number of times. `python -m scloud_files.provision` runs it after provisioning."""

import asyncio
import logging

from scloud_common.aws import aws_client
from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.config import FilesStorageSettings
from scloud_files.ports import FileRepository
from scloud_files.provision import files_table_name
from scloud_files.service import FileService

logger = logging.getLogger(__name__)


async def migrate_users(service: FileService, repository: FileRepository) -> int:
    """Files every user's unfiled files; returns how many moved."""
    moved = 0
    for user_id in await repository.list_user_ids():
        count = await service.file_unfiled(user_id)
        if count:
            logger.info("files moved into the root", extra={"user_id": user_id, "files": count})
        moved += count
    return moved


def migrate(settings: FilesStorageSettings) -> int:
    repository = DynamoDbFileRepository(aws_client(settings, "dynamodb"), files_table_name(settings))
    service = FileService(
        repository=repository,
        blob_store=S3BlobStore(aws_client(settings, "s3"), settings.s3_bucket, part_bytes=5 * 1024 * 1024),
        max_upload_bytes=1,
        download_url_ttl_seconds=1,
    )
    return asyncio.run(migrate_users(service, repository))


def main() -> None:
    logging.basicConfig(level="INFO")
    print(f"moved {migrate(FilesStorageSettings())} files into the root")


if __name__ == "__main__":
    main()
