"""The JSON of file versions."""

from pydantic import Field

from scloud_common.web import ApiModel
from scloud_files.domain import FileVersion


class VersionRead(ApiModel):
    """One content of a file: the current one, or an earlier one kept by the retention policy."""

    id: str = Field(description="The version's id (a ULID): the file's own id for the bytes it was created with.")
    size: int = Field(description="Bytes.")
    type: str = Field(description="Media type these bytes are served with.")
    created_at: str = Field(description="When these bytes were uploaded (RFC 3339, UTC).")
    sha256: str | None = Field(
        description="Full-object SHA-256 as S3 verified it, base64 (`-<parts>` for a composite); null if not recorded."
    )
    checksum_part_size: int | None = Field(
        description="The part size a composite `sha256` was computed over (to check a download); null otherwise."
    )
    current: bool = Field(description="Whether the file serves these bytes now.")
    uploaded_by: str | None = Field(
        description="The account whose upload made this version when not the owner's (an editor's); null otherwise."
    )
    expires_at: str | None = Field(
        description="When the retention policy removes this earlier version; null for the current one."
    )

    @classmethod
    def from_domain(cls, version: FileVersion) -> "VersionRead":
        return cls(
            id=version.version_id,
            size=version.size,
            type=version.content_type,
            created_at=version.created_at,
            sha256=version.sha256,
            checksum_part_size=version.checksum_part_size,
            current=version.current,
            uploaded_by=version.uploaded_by,
            expires_at=version.expires_at,
        )


class VersionListRead(ApiModel):
    items: list[VersionRead] = Field(
        description="The current version first, then the earlier ones newest first (at most the retention's maximum)."
    )
