"""A file's versions: every upload over a file is a new version of the same file (same id, links
and shares); the earlier contents stay, each its own object, until the retention policy lets
them go."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from scloud_files.domain.item import Item


@dataclass(frozen=True)
class FileVersion:
    """One content of a file. `version_id` is the id in its object's key: the file's own id for
    the bytes it was created with, the upload's id for each later one. `current` is the content
    the file serves now; the others are kept until `expires_at` (the retention policy's date)."""

    version_id: str
    file_id: str
    user_id: str
    object_key: str
    size: int
    content_type: str
    created_at: str
    media_type: str | None = None
    sha256: str | None = None
    # The part size of a composite `sha256` (`-<parts>`), None for a plain one.
    checksum_part_size: int | None = None
    # The account whose upload made it; None where that was the file's owner or is not known.
    uploaded_by: str | None = None
    current: bool = False
    expires_at: str | None = None

    @classmethod
    def first_of(cls, file: Item) -> "FileVersion":
        """The bytes `file` was created with, while it still serves them."""
        return cls.uploaded(file, file_id=file.item_id)

    @classmethod
    def uploaded(cls, content: Item, *, file_id: str) -> "FileVersion":
        """The bytes of an upload (`content`, recorded under its own id) as the current version
        of file `file_id`."""
        return cls(
            version_id=content.item_id,
            file_id=file_id,
            user_id=content.user_id,
            object_key=content.object_key or "",
            size=content.size or 0,
            content_type=content.content_type or "",
            created_at=content.created_at,
            media_type=content.media_type,
            sha256=content.sha256,
            checksum_part_size=content.checksum_part_size,
            uploaded_by=content.uploaded_by,
            current=True,
        )

    def superseded(self, expires_at: str) -> "FileVersion":
        return replace(self, current=False, expires_at=expires_at)


@dataclass(frozen=True)
class VersionRetention:
    """What is kept, like the peers: every version for `keep_all_days`, then the last version of
    each day (UTC) until `keep_daily_days`, and never more than `max_versions` in all (the
    current one included; the oldest go first)."""

    keep_all_days: int = 30
    keep_daily_days: int = 183
    max_versions: int = 100

    def expiry(self, superseded: FileVersion, *, superseded_at: datetime) -> datetime:
        """When a version replaced at `superseded_at` goes. Versions arrive in time order, so a
        version replaced on its own day is not that day's last one and goes after
        `keep_all_days`; one replaced on a later day is its day's last and stays for
        `keep_daily_days`."""
        made = datetime.fromisoformat(superseded.created_at)
        same_day = made.date() == superseded_at.date()
        return made + timedelta(days=self.keep_all_days if same_day else self.keep_daily_days)


def content_id(file: Item) -> str:
    """The version id of what `file` serves now: the last segment of its object's key, which is
    the file's own id until its first replacement (a batch file's key ends with it too)."""
    return (file.object_key or file.item_id).rsplit("/", 1)[-1]
