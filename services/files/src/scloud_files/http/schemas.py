from datetime import datetime

from pydantic import Field

from scloud_common.web import ApiModel
from scloud_files.domain import FilePage as DomainFilePage
from scloud_files.domain import StoredFile


class FileRead(ApiModel):
    file_id: str = Field(description="ULID; later uploads have greater ids.")
    file_name: str
    file_size: int = Field(description="Bytes.")
    file_type: str = Field(
        description="Media type the file is served with, `type/subtype`: the declared type if safe to show "
        "inline, else `application/octet-stream`."
    )
    upload_date: str = Field(description="RFC 3339, UTC.")

    @classmethod
    def from_domain(cls, file: StoredFile) -> "FileRead":
        return cls(
            file_id=file.file_id,
            file_name=file.file_name,
            file_size=file.file_size,
            file_type=file.content_type,
            upload_date=file.upload_date,
        )


class FilePage(ApiModel):
    files: list[FileRead] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")

    @classmethod
    def from_domain(cls, page: DomainFilePage) -> "FilePage":
        return cls(files=[FileRead.from_domain(file) for file in page.files], next_cursor=page.next_cursor)


class DownloadLinkRead(ApiModel):
    url: str = Field(description="Presigned GET of the file's bytes, as an attachment unless shown inline.")
    expires_at: datetime


class UploadLimitsRead(ApiModel):
    max_upload_bytes: int
