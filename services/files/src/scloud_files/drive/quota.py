"""Each user's storage quota: what they store (the trash included, until purged) plus what their
uploads in progress declared, read from counters and from the bounded set of pending uploads,
never by reading their files."""

from dataclasses import dataclass

from scloud_files.domain import PendingUpload, QuotaExceeded
from scloud_files.ports import FileRepository, UploadReservations


@dataclass(frozen=True)
class QuotaUsage:
    """`used` is `stored` (every file until purged, the trash included) plus `reserved` (the
    declared sizes of uploads in progress); `trash` is the trash's share of `stored`."""

    quota: int
    stored: int
    trash: int
    reserved: int

    @property
    def used(self) -> int:
        return self.stored + self.reserved


class StorageQuota:
    """`quota_bytes` is the service's setting; a quota the admin set for a user (kept with the
    user's totals, `scloud-admin quota set`) replaces it for that user."""

    def __init__(self, repository: FileRepository, pending: UploadReservations, *, quota_bytes: int) -> None:
        self._repository = repository
        self._pending = pending
        self.quota_bytes = quota_bytes

    async def usage(self, user_id: str, *, excluding: PendingUpload | None = None) -> QuotaUsage:
        """The user's usage, without the reservation of `excluding` (an upload being completed)."""
        totals = await self._repository.usage(user_id)
        reserved = await self._pending.reserved_bytes(user_id)
        if excluding is not None:
            reserved = max(0, reserved - excluding.size)
        quota = self.quota_bytes if totals.quota_bytes is None else totals.quota_bytes
        return QuotaUsage(quota, totals.bytes_used, totals.trash_bytes, reserved)

    async def require_room(self, user_id: str, size: int, *, excluding: PendingUpload | None = None) -> QuotaUsage:
        """The usage, if `size` more bytes fit in the quota; QuotaExceeded otherwise."""
        usage = await self.usage(user_id, excluding=excluding)
        if usage.used + size > usage.quota:
            raise QuotaExceeded(used=usage.used, quota=usage.quota, size=size)
        return usage


@dataclass(frozen=True)
class StorageLimits:
    """What the browser shows and checks up front: the file size limits (one request, a direct
    upload, a batch's files and how many a batch declares), the usage bar and how long the trash
    keeps an item."""

    max_upload_bytes: int
    max_file_bytes: int
    trash_retention_days: int
    usage: QuotaUsage
    max_batch_files: int
    max_batch_file_bytes: int


class ReadStorageLimits:
    def __init__(
        self,
        quota: StorageQuota,
        *,
        max_upload_bytes: int,
        max_file_bytes: int,
        trash_retention_days: int,
        max_batch_files: int,
        max_batch_file_bytes: int,
    ) -> None:
        self._quota = quota
        self._max_upload_bytes = max_upload_bytes
        self._max_file_bytes = max_file_bytes
        self._trash_retention_days = trash_retention_days
        self._max_batch_files = max_batch_files
        self._max_batch_file_bytes = max_batch_file_bytes

    async def __call__(self, user_id: str) -> StorageLimits:
        return StorageLimits(
            max_upload_bytes=self._max_upload_bytes,
            max_file_bytes=self._max_file_bytes,
            trash_retention_days=self._trash_retention_days,
            usage=await self._quota.usage(user_id),
            max_batch_files=self._max_batch_files,
            max_batch_file_bytes=self._max_batch_file_bytes,
        )
