"""Request and response bodies of file requests: the owner's (`/api/v1/files/requests`) and the
visitor's (`/api/v1/files/public/requests`). A visitor's answers never carry an item's id but the
upload's own, nor the folder's."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from scloud_common.web import ApiModel
from scloud_files.domain import MAX_NOTE_CHARS, FileRequest, Item, PendingUpload, RequestedFolder, StoredPart
from scloud_files.http.schemas import Rfc3339Time
from scloud_files.http.upload_schemas import PartToComplete, StoredPartRead

MAX_LIMIT_BYTES = 5 * 1024**4


class FileRequestCreate(ApiModel):
    folder_id: str = Field(max_length=40, description="The folder the files go into.")
    expires_at: Rfc3339Time | None = Field(
        None, description="When the request closes; default 7 days from now, at most the configured maximum."
    )
    max_file_bytes: int | None = Field(
        None, ge=1, le=MAX_LIMIT_BYTES, description="Largest file accepted; default: the configured default."
    )
    max_total_bytes: int | None = Field(
        None, ge=1, le=MAX_LIMIT_BYTES, description="All files together; no total limit if null."
    )
    show_owner_name: bool = Field(True, description="Show the owner's display name to visitors.")


class FileRequestUpdate(ApiModel):
    """Only the fields sent change; a null maxTotalBytes removes the total limit."""

    expires_at: Rfc3339Time | None = None
    max_file_bytes: int | None = Field(None, ge=1, le=MAX_LIMIT_BYTES)
    max_total_bytes: int | None = Field(None, ge=1, le=MAX_LIMIT_BYTES)
    show_owner_name: bool | None = None


class FileRequestRead(ApiModel):
    """A request as its owner sees it. The request id (the URL) is only in the answer that made it."""

    id: str = Field(description="The owner's handle on the request (not the id visitors hold).")
    folder_id: str
    created_at: datetime
    expires_at: datetime
    max_file_bytes: int
    max_total_bytes: int | None
    owner_name: str | None = Field(description="The display name visitors see; null if not shown.")
    revoked_at: datetime | None
    status: Literal["active", "revoked", "expired"]
    bytes_received: int
    files_received: int

    @classmethod
    def from_domain(cls, request: FileRequest, now: str) -> "FileRequestRead":
        refusal = request.refusal(now)
        return cls(
            id=request.request_ref,
            folder_id=request.folder_id,
            created_at=datetime.fromisoformat(request.created_at),
            expires_at=datetime.fromisoformat(request.expires_at),
            max_file_bytes=request.max_file_bytes,
            max_total_bytes=request.max_total_bytes,
            owner_name=request.owner_name,
            revoked_at=datetime.fromisoformat(request.revoked_at) if request.revoked_at else None,
            status=refusal.value if refusal else "active",
            bytes_received=request.bytes_received,
            files_received=request.files_received,
        )


class FileRequestCreated(FileRequestRead):
    request_id: str = Field(description="The id visitors hold (128 random bits); shown this once, never stored.")
    url: str = Field(description="The public page of the request: `/r/<requestId>`.")


class FileRequestPageRead(ApiModel):
    items: list[FileRequestRead]
    next_cursor: str | None


class RequestedFolderRead(ApiModel):
    """All a visitor is shown: where their files go, the limits and the expiry."""

    folder_name: str
    expires_at: datetime
    max_file_bytes: int
    bytes_left: int | None = Field(description="What the request still accepts in all; null: no total limit.")
    owner_name: str | None

    @classmethod
    def from_domain(cls, folder: RequestedFolder) -> "RequestedFolderRead":
        return cls(
            folder_name=folder.folder_name,
            expires_at=datetime.fromisoformat(folder.expires_at),
            max_file_bytes=folder.max_file_bytes,
            bytes_left=folder.bytes_left,
            owner_name=folder.owner_name,
        )


class RequestUploadCreate(ApiModel):
    name: str = Field(
        min_length=1, max_length=1000, description="`.`, `..` and names of only dots and spaces: 422 `invalid_name`."
    )
    size: int = Field(ge=1, description="Bytes, at most the request's `maxFileBytes`.")
    type: str | None = Field(None, max_length=255, description="The declared media type.")
    modified_at: Rfc3339Time | None = Field(None, description="The file's own modification time, clamped to now.")
    part_size: int | None = Field(None, ge=1, description="Wanted part size in bytes; moved into S3's bounds.")


class RequestUploadRead(ApiModel):
    id: str = Field(description="The upload's id: what the next steps name.")
    name: str = Field(description="The name asked for; a number is added at completion if the folder has it.")
    size: int
    part_size: int
    part_count: int
    expires_at: datetime
    max_parts_per_request: int
    parts: list[StoredPartRead] = Field(description="The parts S3 holds already, by number: send only the others.")

    @classmethod
    def from_domain(
        cls, upload: PendingUpload, parts: list[StoredPart], *, max_parts_per_request: int
    ) -> "RequestUploadRead":
        return cls(
            id=upload.upload_id,
            name=upload.name,
            size=upload.size,
            part_size=upload.part_size,
            part_count=upload.layout.part_count,
            expires_at=datetime.fromisoformat(upload.expires_at),
            max_parts_per_request=max_parts_per_request,
            parts=[StoredPartRead.from_domain(part) for part in parts],
        )


class RequestUploadComplete(ApiModel):
    parts: list[PartToComplete] = Field(min_length=1, max_length=10_000, description="Every part, in order.")
    note: str | None = Field(
        None, max_length=MAX_NOTE_CHARS, description="A note to the owner, listed with the file in their notice."
    )


class ReceivedFileRead(ApiModel):
    name: str = Field(description="The name it was recorded under (`name (1).ext` if the folder had it).")
    size: int

    @classmethod
    def from_domain(cls, item: Item) -> "ReceivedFileRead":
        return cls(name=item.name, size=item.size or 0)
