"""CopyJobStore on DynamoDB, in the files table (docs/data-model.md, "Copy jobs"): one record per
job in the user's partition (`#copyjob#<jobId>`), the job as one JSON document beside its cancel
mark, with a TTL so the table forgets it after its expiry."""

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from scloud_common.aws import translate_aws_errors
from scloud_files.adapters.copy_job_document import job_document, job_of
from scloud_files.adapters.dynamodb.access import TableAccess
from scloud_files.adapters.dynamodb.record import item_key
from scloud_files.adapters.dynamodb.table import TTL_ATTRIBUTE
from scloud_files.domain.copy_job import CopyJob

COPY_JOB_PREFIX = "#copyjob#"
EXISTS = "attribute_exists(userId)"


def _job_of(user_id: str, job_id: str, record: dict[str, Any] | None) -> CopyJob | None:
    # The TTL removes an expired record some time after it expires; until then it is skipped here.
    if not record or record["expiresAt"]["S"] < datetime.now(UTC).isoformat(timespec="seconds"):
        return None
    return job_of(user_id, job_id, record["job"]["S"], cancel_requested=record["cancelRequested"]["BOOL"])


class DynamoDbCopyJobs(TableAccess):
    @translate_aws_errors
    async def add(self, job: CopyJob) -> None:
        await self._call(
            "put_item",
            TableName=self._table,
            Item={
                **item_key(job.user_id, COPY_JOB_PREFIX + job.job_id),
                "job": {"S": job_document(job)},
                "cancelRequested": {"BOOL": False},
                "expiresAt": {"S": job.expires_at},
                TTL_ATTRIBUTE: {"N": str(int(datetime.fromisoformat(job.expires_at).timestamp()))},
            },
        )

    @translate_aws_errors
    async def get(self, user_id: str, job_id: str) -> CopyJob | None:
        response = await self._call(
            "get_item", TableName=self._table, Key=item_key(user_id, COPY_JOB_PREFIX + job_id), ConsistentRead=True
        )
        return _job_of(user_id, job_id, response.get("Item"))

    @translate_aws_errors
    async def save_progress(self, job: CopyJob) -> bool:
        try:
            response = await self._call(
                "update_item",
                TableName=self._table,
                Key=item_key(job.user_id, COPY_JOB_PREFIX + job.job_id),
                UpdateExpression="SET job = :job",
                ConditionExpression=EXISTS,
                ExpressionAttributeValues={":job": {"S": job_document(job)}},
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return bool(response["Attributes"]["cancelRequested"]["BOOL"])

    @translate_aws_errors
    async def request_cancel(self, user_id: str, job_id: str) -> CopyJob | None:
        try:
            response = await self._call(
                "update_item",
                TableName=self._table,
                Key=item_key(user_id, COPY_JOB_PREFIX + job_id),
                UpdateExpression="SET cancelRequested = :yes",
                ConditionExpression=EXISTS,
                ExpressionAttributeValues={":yes": {"BOOL": True}},
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return _job_of(user_id, job_id, response["Attributes"])
