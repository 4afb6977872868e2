"""File versions: an upload over a file makes a new version of it (drive.name_clash calls
`AddVersion`), the versions are listed, downloaded and restored, and the retention policy
removes the old ones (`PruneVersions`, run with the purge)."""

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from scloud_common.errors import AppError
from scloud_files.domain import (
    FileVersion,
    Item,
    ItemKind,
    ObjectKeys,
    ThumbnailState,
    VersionNotFound,
    VersionRetention,
    content_id,
    wants_thumbnail,
)
from scloud_files.domain.activity import ActivityAction
from scloud_files.drive.activity import ActivityRecorder
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.download_link import CreateDownloadLink
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.quota import StorageQuota
from scloud_files.drive.thumbnail import delete_renditions
from scloud_files.ports import BlobStore, FileVersions

logger = logging.getLogger(__name__)


async def remove_version(versions: FileVersions, blob_store: BlobStore, version: FileVersion) -> None:
    """Bytes first, then the record: a removal cut short is found again (by the retention pass
    or the file's purge) rather than leaving bytes nobody counts."""
    await blob_store.delete(version.object_key)
    if wants_thumbnail(version.media_type):
        await delete_renditions(blob_store, version.object_key)
    await versions.delete_version(version)


async def current_version(versions: FileVersions, file: Item) -> FileVersion:
    """What `file` serves now, as a version: its record once the file was replaced (who
    uploaded it, when), else made from the file (its first content has no record)."""
    current_id = content_id(file)
    recorded = await versions.get_version(file.user_id, current_id) if current_id != file.item_id else None
    return recorded if recorded is not None else replace(FileVersion.first_of(file), version_id=current_id)


class AddVersion:
    def __init__(
        self, versions: FileVersions, blob_store: BlobStore, *, retention: VersionRetention, now: Clock
    ) -> None:
        self._versions = versions
        self._blob_store = blob_store
        self._retention = retention
        self._now = now

    async def __call__(self, file: Item, content: Item) -> Item:
        """Makes the upload's bytes (`content`) the file's new version; what it served stays as
        an earlier version, dated by the retention policy. Past the policy's maximum the oldest
        versions go at once."""
        moment = self._now()
        superseded = await current_version(self._versions, file)
        expires_at = self._retention.expiry(superseded, superseded_at=moment)
        updated = await self._versions.add_version(file, content, superseded.superseded(timestamp(expires_at)))
        logger.info(
            "file version added",
            extra={"user_id": file.user_id, "file_id": file.item_id, "version_id": content.item_id},
        )
        earlier = await self._versions.list_versions(file.user_id, file.item_id)
        for version in earlier[self._retention.max_versions - 1 :]:
            await remove_version(self._versions, self._blob_store, version)
        return updated


class ListVersions:
    def __init__(self, versions: FileVersions, paths: FolderPaths) -> None:
        self._versions = versions
        self._paths = paths

    async def __call__(self, user_id: str, file_id: str) -> tuple[Item, list[FileVersion]]:
        """The live file and its versions, the current one first, then the earlier ones newest
        first."""
        file = await self._paths.require_live(user_id, file_id, ItemKind.FILE)
        return file, [await self.current(file), *await self._versions.list_versions(user_id, file_id)]

    async def current(self, file: Item) -> FileVersion:
        return await current_version(self._versions, file)

    async def require(self, user_id: str, file_id: str, version_id: str) -> tuple[Item, FileVersion]:
        """The live file and one of its versions (the current one too); VersionNotFound else."""
        file = await self._paths.require_live(user_id, file_id, ItemKind.FILE)
        if version_id == content_id(file):
            return file, await self.current(file)
        version = await self._versions.get_version(user_id, version_id)
        if version is None or version.file_id != file_id or version.current:
            raise VersionNotFound()
        return file, version


class CreateVersionDownloadLink:
    def __init__(self, versions: ListVersions, links: CreateDownloadLink) -> None:
        self._versions = versions
        self._links = links

    async def __call__(
        self, user_id: str, file_id: str, version_id: str, *, inline: bool = False
    ) -> tuple[str, datetime]:
        """A short-lived link to a version's bytes, named like the file."""
        file, version = await self._versions.require(user_id, file_id, version_id)
        return self._links.sign(as_file(file, version), inline=inline)


def as_file(file: Item, version: FileVersion) -> Item:
    """The file as it was when it served `version`."""
    return replace(
        file,
        object_key=version.object_key,
        size=version.size,
        content_type=version.content_type,
        media_type=version.media_type,
        sha256=version.sha256,
        checksum_part_size=version.checksum_part_size,
        thumbnail=None,
    )


class RestoreVersion:
    def __init__(
        self,
        versions: ListVersions,
        add_version: AddVersion,
        blob_store: BlobStore,
        quota: StorageQuota,
        *,
        keys: ObjectKeys,
        new_id: Callable[[], str],
        now: Clock,
        on_recorded: Callable[[Item], object] = lambda item: None,
        activity: ActivityRecorder | None = None,
    ) -> None:
        self._activity = activity
        self._on_recorded = on_recorded
        self._versions = versions
        self._add_version = add_version
        self._blob_store = blob_store
        self._quota = quota
        self._keys = keys
        self._new_id = new_id
        self._now = now

    async def __call__(self, user_id: str, file_id: str, version_id: str) -> Item:
        """Makes a copy of the version's bytes (inside the blob store) the file's new version:
        history is never rewritten, and the copy counts against the quota like any upload."""
        file, version = await self._versions.require(user_id, file_id, version_id)
        await self._quota.require_room(user_id, version.size)
        restored_id = self._new_id()
        key = self._keys.file(user_id, restored_id)
        await self._blob_store.copy(version.object_key, key)
        now = timestamp(self._now())
        content = replace(
            as_file(file, version),
            item_id=restored_id,
            object_key=key,
            created_at=now,
            modified_at=now,
            thumbnail=ThumbnailState.PENDING if wants_thumbnail(version.media_type) else None,
        )
        try:
            restored = await self._add_version(file, content)
        except AppError as error:
            # After an outcome nobody heard the version may have landed: the reconcile pass
            # removes the copy if no version names it.
            if not error.kind.is_failure_of_ours:
                await self._blob_store.delete(key)
            raise
        self._on_recorded(restored)
        if self._activity is not None:
            await self._activity.changed(
                ActivityAction.NEW_VERSION, before=file, after=restored, at=now, detail=restored_id
            )
        logger.info("file version restored", extra={"user_id": user_id, "file_id": file_id, "version_id": version_id})
        return restored


class PruneVersions:
    def __init__(self, versions: FileVersions, blob_store: BlobStore, *, now: Clock) -> None:
        self._versions = versions
        self._blob_store = blob_store
        self._now = now

    async def __call__(self, *, limit: int) -> int:
        """Removes up to `limit` earlier versions whose retention is over; how many."""
        due = await self._versions.due_versions(timestamp(self._now()), limit=limit)
        for version in due:
            await remove_version(self._versions, self._blob_store, version)
        if due:
            logger.info("file versions pruned", extra={"versions": len(due)})
        return len(due)

    async def all_of(self, file: Item) -> None:
        """Every earlier version of a file being purged."""
        for version in await self._versions.list_versions(file.user_id, file.item_id):
            await remove_version(self._versions, self._blob_store, version)
