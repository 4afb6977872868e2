"""The copy routes' bodies: the selection to copy and a copy job's progress."""

from typing import Literal

from pydantic import Field

from scloud_common.web import ApiModel
from scloud_files.domain.copy_job import CopyJob
from scloud_files.drive.copy_job import CopyJobReport
from scloud_files.http.schemas import ROOT_ID, BulkIds, FailedItemRead, ItemRead


class ItemsCopy(ApiModel):
    ids: BulkIds
    parent_id: str | None = Field(ROOT_ID, description="The folder to copy into; `root` (the default) for the root.")
    on_conflict: Literal["fail", "rename"] = Field(
        "fail",
        description="If the folder has an item's name: `fail` it (`name_taken` in `failed`) or keep both "
        "(`name (1).ext`), as a move does.",
    )


class CopyJobRead(ApiModel):
    """A copy running in the background, or how it ended."""

    id: str
    state: Literal["running", "done", "failed", "cancelled"] = Field(
        description="`failed` also when the service stopped while copying; what was copied stays in every case."
    )
    files_total: int = Field(description="Files the selection held when the copy started.")
    files_copied: int
    bytes_total: int
    bytes_copied: int
    items: list[ItemRead] = Field(description="The copies of the selected items made so far.")
    failed: list[FailedItemRead] = Field(description="Selected items not copied, each with the reason.")
    cancel_requested: bool = Field(description="A cancel was asked: the copy stops after the files in progress.")
    created_at: str

    @classmethod
    def from_domain(cls, report: CopyJobReport) -> "CopyJobRead":
        job: CopyJob = report.job
        return cls(
            id=job.job_id,
            state=job.state.value,
            files_total=job.files_total,
            files_copied=job.files_copied,
            bytes_total=job.bytes_total,
            bytes_copied=job.bytes_copied,
            items=[ItemRead.from_domain(item) for item in report.copies],
            failed=[
                FailedItemRead(id=failure.item_id, code=failure.code, message=failure.message) for failure in job.failed
            ],
            cancel_requested=job.cancel_requested,
            created_at=job.created_at,
        )
