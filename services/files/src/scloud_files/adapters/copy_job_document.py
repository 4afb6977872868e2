"""A copy job as one JSON document, the form both stores keep it in: it is only ever read and
written whole, by its key. The cancel mark is kept beside it, so a progress write never
overwrites a cancel."""

import json
from typing import Any

from scloud_files.domain import OnConflict
from scloud_files.domain.copy_job import CopyJob, CopyJobState, FailedCopy


def job_document(job: CopyJob) -> str:
    document: dict[str, Any] = {
        "itemIds": job.item_ids,
        "parentId": job.parent_id,
        "onConflict": job.on_conflict.value,
        "filesTotal": job.files_total,
        "bytesTotal": job.bytes_total,
        "createdAt": job.created_at,
        "heartbeatAt": job.heartbeat_at,
        "expiresAt": job.expires_at,
        "state": job.state.value,
        "filesCopied": job.files_copied,
        "bytesCopied": job.bytes_copied,
        "copyIds": job.copy_ids,
        "failed": [[failure.item_id, failure.code, failure.message] for failure in job.failed],
        "error": job.error,
    }
    return json.dumps(document, separators=(",", ":"))


def job_of(user_id: str, job_id: str, document: str, *, cancel_requested: bool) -> CopyJob:
    fields = json.loads(document)
    return CopyJob(
        user_id=user_id,
        job_id=job_id,
        item_ids=fields["itemIds"],
        parent_id=fields["parentId"],
        on_conflict=OnConflict(fields["onConflict"]),
        files_total=fields["filesTotal"],
        bytes_total=fields["bytesTotal"],
        created_at=fields["createdAt"],
        heartbeat_at=fields["heartbeatAt"],
        expires_at=fields["expiresAt"],
        state=CopyJobState(fields["state"]),
        files_copied=fields["filesCopied"],
        bytes_copied=fields["bytesCopied"],
        copy_ids=fields["copyIds"],
        failed=[FailedCopy(*failure) for failure in fields["failed"]],
        cancel_requested=cancel_requested,
        error=fields["error"],
    )
