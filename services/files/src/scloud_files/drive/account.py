"""What the users service asks of files about an account: its totals, and deleting everything."""

import logging

from scloud_files.domain import ObjectKeys, StorageUsage
from scloud_files.ports import (
    ActivityLog,
    BlobStore,
    FileRepository,
    FileRequestStore,
    GrantStore,
    ShareLinkStore,
    StarStore,
)

logger = logging.getLogger(__name__)


class GetStorageUsage:
    def __init__(self, repository: FileRepository) -> None:
        self._repository = repository

    async def __call__(self, user_id: str) -> StorageUsage:
        return await self._repository.usage(user_id)


class DeleteUserFiles:
    def __init__(
        self,
        repository: FileRepository,
        blob_store: BlobStore,
        links: ShareLinkStore | None = None,
        requests: FileRequestStore | None = None,
        grants: GrantStore | None = None,
        stars: StarStore | None = None,
        activity: ActivityLog | None = None,
        *,
        keys: ObjectKeys,
    ) -> None:
        self._activity = activity
        self._repository = repository
        self._keys = keys
        self._blob_store = blob_store
        self._links = links
        self._requests = requests
        self._grants = grants
        self._stars = stars

    async def __call__(self, user_id: str) -> int:
        """Every byte and every record of a user (files, folders, trash, names, share links with
        their logs, file requests, stars), orphaned bytes included. Idempotent. The account is closed
        first, so an upload still in flight cannot record a file afterwards: it fails and removes
        its own bytes."""
        await self._repository.close_account(user_id)
        # Before the records: on DynamoDB the owner's partition is the index of their links.
        links = await self._links.delete_links(user_id) if self._links is not None else 0
        if self._requests is not None:
            links += await self._requests.delete_requests(user_id)
        # What they shared and what was shared with them: on DynamoDB both are found from their partition.
        grants = await self._grants.delete_for_account(user_id) if self._grants is not None else 0
        if self._stars is not None:
            await self._stars.delete_all(user_id)
        objects = 0
        for prefix in self._keys.user_prefixes(user_id):
            objects += await self._blob_store.delete_prefix(prefix)
        if self._activity is not None:
            await self._activity.delete_all(user_id)
        files = await self._repository.delete_all(user_id)
        logger.info(
            "user files deleted",
            extra={"user_id": user_id, "objects": objects, "files": files, "links": links, "grants": grants},
        )
        return files
