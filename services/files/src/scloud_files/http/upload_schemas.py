"""Request and response bodies of direct uploads (`/api/v1/uploads`)."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from scloud_common.web import ApiModel
from scloud_files.domain import PendingUpload, StoredPart
from scloud_files.drive.batch_upload import BatchFileOutcome, CreatedBatch, SignedFile, TakenName
from scloud_files.drive.direct_upload import SignedPart
from scloud_files.http.schemas import ROOT_ID, ItemRead, Rfc3339Time

Sha256 = Field(min_length=44, max_length=44, description="Base64 of the part's 32-byte SHA-256 digest.")


class UploadCreate(ApiModel):
    name: str = Field(
        min_length=1, max_length=1000, description="`.`, `..` and names of only dots and spaces: 422 `invalid_name`."
    )
    size: int = Field(ge=1, description="Bytes. Empty files go through `POST /api/v1/files/upload`.")
    type: str | None = Field(None, max_length=255, description="The declared media type.")
    parent_id: str | None = Field(ROOT_ID, max_length=40, description="The folder to upload into; `root` by default.")
    on_conflict: Literal["fail", "rename", "replace"] = Field(
        "fail",
        description="If the folder has the name: `fail` (409 `name_taken`, checked now and again at completion), "
        "`rename` (`name (1).ext`) or `replace` (the other file goes to the trash), both at completion.",
    )
    modified_at: Rfc3339Time | None = Field(
        None, description="The file's own modification time, clamped to now; default: the completion time."
    )
    part_size: int | None = Field(
        None, ge=1, description="Wanted part size in bytes; the server moves it into S3's bounds (5 MiB...)."
    )


class UploadCreated(ApiModel):
    id: str = Field(description="The upload's id, also the id the file will have.")
    name: str = Field(description="The name as it will be recorded; `rename` may still number it at completion.")
    part_size: int = Field(description="Every part is this size but the last: size - (partCount-1) * partSize.")
    part_count: int
    expires_at: datetime = Field(description="Complete the upload before this, or it is aborted.")
    max_parts_per_request: int = Field(description="Parts one `POST /api/v1/uploads/{id}/parts` signs at most.")

    @classmethod
    def from_domain(cls, upload: PendingUpload, *, max_parts_per_request: int) -> "UploadCreated":
        return cls(
            id=upload.upload_id,
            name=upload.name,
            part_size=upload.part_size,
            part_count=upload.layout.part_count,
            expires_at=datetime.fromisoformat(upload.expires_at),
            max_parts_per_request=max_parts_per_request,
        )


class PartToSign(ApiModel):
    number: int = Field(ge=1, le=10_000)
    size: int = Field(ge=0)
    sha256: str = Sha256


class PartsSign(ApiModel):
    parts: list[PartToSign] = Field(min_length=1, max_length=1000, description="At most `maxPartsPerRequest`.")


class SignedPartRead(ApiModel):
    number: int
    url: str = Field(description="Presigned UploadPart PUT, bound to the part's size and SHA-256.")
    headers: dict[str, str] = Field(description="Send exactly these headers with the PUT.")
    expires_at: datetime

    @classmethod
    def from_domain(cls, part: SignedPart) -> "SignedPartRead":
        return cls(
            number=part.number, url=part.url, headers=part.headers, expires_at=datetime.fromisoformat(part.expires_at)
        )


class SignedPartsRead(ApiModel):
    parts: list[SignedPartRead]


class StoredPartRead(ApiModel):
    number: int
    size: int
    etag: str

    @classmethod
    def from_domain(cls, part: StoredPart) -> "StoredPartRead":
        return cls(number=part.number, size=part.size, etag=part.etag)


class UploadRead(ApiModel):
    id: str
    name: str
    size: int
    part_size: int
    part_count: int
    parent_id: str
    expires_at: datetime
    parts: list[StoredPartRead] = Field(description="The parts S3 holds already, by number: send only the others.")

    @classmethod
    def from_domain(cls, upload: PendingUpload, parts: list[StoredPart]) -> "UploadRead":
        return cls(
            id=upload.upload_id,
            name=upload.name,
            size=upload.size,
            part_size=upload.part_size,
            part_count=upload.layout.part_count,
            parent_id=upload.parent_id or ROOT_ID,
            expires_at=datetime.fromisoformat(upload.expires_at),
            parts=[StoredPartRead.from_domain(part) for part in parts],
        )


class PartToComplete(ApiModel):
    number: int = Field(ge=1, le=10_000)
    etag: str = Field(min_length=1, max_length=200, description="The ETag S3 answered the part's PUT with.")
    sha256: str = Sha256


class UploadComplete(ApiModel):
    parts: list[PartToComplete] = Field(min_length=1, max_length=10_000, description="Every part, in order.")


class BatchFileCreate(ApiModel):
    name: str = Field(min_length=1, max_length=1000, description="Unique in the batch (compared folded).")
    size: int = Field(
        ge=1, description="Bytes, at most `maxBatchFileBytes`; empty files go through `/api/v1/files/upload`."
    )
    type: str | None = Field(None, max_length=255, description="The declared media type.")
    sha256: str = Field(min_length=44, max_length=44, description="Base64 of the file's 32-byte SHA-256 digest.")
    modified_at: Rfc3339Time | None = Field(
        None, description="The file's own modification time, clamped to now; default: the completion time."
    )


class BatchCreate(ApiModel):
    files: list[BatchFileCreate] = Field(min_length=1, max_length=1000, description="At most `maxBatchFiles`.")
    parent_id: str | None = Field(ROOT_ID, max_length=40, description="The folder to upload into; `root` by default.")
    on_conflict: Literal["fail", "rename", "replace"] = Field(
        "fail",
        description="If the folder has a name: `fail` (that file answered `name_taken` now and left out of the "
        "batch; refused at completion if the name is taken meanwhile), `rename` or `replace`, at completion.",
    )


class BatchFileSigned(ApiModel):
    """A file of the request: to PUT (`id`, `url`, `headers`), or left out because its name is
    taken (`error` `name_taken`, `existingId`: the file holding it)."""

    name: str
    id: str | None = Field(None, description="The file's id once recorded.")
    url: str | None = Field(
        None, description="Presigned PutObject, bound to the file's size, content type and SHA-256."
    )
    headers: dict[str, str] | None = Field(None, description="Send exactly these headers with the PUT.")
    error: Literal["name_taken"] | None = Field(None, description="Why it is not in the batch.")
    existing_id: str | None = Field(None, description="With `name_taken`: the item holding the name.")

    @classmethod
    def from_domain(cls, answer: SignedFile | TakenName) -> "BatchFileSigned":
        if isinstance(answer, TakenName):
            return cls(name=answer.name, error="name_taken", existing_id=answer.existing_id)
        return cls(id=answer.file.file_id, name=answer.file.name, url=answer.url, headers=answer.headers)


class BatchCreated(ApiModel):
    id: str | None = Field(description="The batch's id; null when every name was taken (nothing to send).")
    expires_at: datetime | None = Field(description="PUT the files and complete the batch before this.")
    files: list[BatchFileSigned] = Field(description="Every file of the request, in its order.")

    @classmethod
    def from_domain(cls, created: CreatedBatch) -> "BatchCreated":
        batch = created.batch
        return cls(
            id=batch.upload_id if batch else None,
            expires_at=datetime.fromisoformat(batch.expires_at) if batch else None,
            files=[BatchFileSigned.from_domain(answer) for answer in created.answers],
        )


class BatchComplete(ApiModel):
    sent: list[str] = Field(
        max_length=1000, description="The ids of the files whose PUT succeeded; the others are not recorded."
    )


class BatchFileOutcomeRead(ApiModel):
    id: str
    state: Literal["recorded", "missing", "refused"] = Field(
        description="`missing`: not sent, or S3 does not have it; `refused`: see `error`, its bytes deleted."
    )
    item: ItemRead | None = Field(None, description="The file, when recorded.")
    error: str | None = Field(None, description="Why it was refused: `upload_mismatch`, `name_taken`.")

    @classmethod
    def from_domain(cls, outcome: BatchFileOutcome) -> "BatchFileOutcomeRead":
        return cls(
            id=outcome.file_id,
            state=outcome.state.value,
            item=ItemRead.from_domain(outcome.item) if outcome.item is not None else None,
            error=outcome.error,
        )


class BatchCompleted(ApiModel):
    files: list[BatchFileOutcomeRead] = Field(description="Every file of the batch, in the order declared.")
