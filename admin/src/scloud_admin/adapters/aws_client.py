"""boto3 clients for one end of a move. Each end has its own endpoints and identity, so neither
may pick up the other's from this process's environment: endpoints are resolved from the end's
own variables (Side.endpoint) and the environment's endpoint variables are ignored."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, overload

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

CONNECT_TIMEOUT_SECONDS = 5.0
# Bounds each wait for bytes on the socket of a large object's transfer, not the transfer.
READ_TIMEOUT_SECONDS = 60.0


def _session(environ: Mapping[str, str]) -> boto3.session.Session:
    """The end's identity: its own keys or profile when its variables name them, otherwise
    boto3's usual chain (environment, ~/.aws, an instance role)."""
    return boto3.session.Session(
        aws_access_key_id=environ.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=environ.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=environ.get("AWS_SESSION_TOKEN"),
        profile_name=environ.get("AWS_PROFILE"),
    )


@overload
def end_client(
    environ: Mapping[str, str], service: Literal["s3"], *, region: str, endpoint_url: str | None
) -> "S3Client": ...


@overload
def end_client(
    environ: Mapping[str, str], service: Literal["dynamodb"], *, region: str, endpoint_url: str | None
) -> "DynamoDBClient": ...


def end_client(
    environ: Mapping[str, str], service: Literal["s3", "dynamodb"], *, region: str, endpoint_url: str | None
) -> "S3Client | DynamoDBClient":
    config = Config(
        region_name=region,
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        signature_version="s3v4" if service == "s3" else None,
        s3={"addressing_style": "path"} if service == "s3" and endpoint_url else None,
        # botocore has had it since 1.31; botocore-stubs does not know it yet.
        ignore_configured_endpoint_urls=True,  # type: ignore[call-arg]
    )
    return _session(environ).client(service, endpoint_url=endpoint_url, config=config)


class StoreMissing(Exception):
    """A table or bucket an end names does not exist."""


def require_table(client: "DynamoDBClient", table_name: str) -> None:
    try:
        client.describe_table(TableName=table_name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            raise StoreMissing(f"the DynamoDB table {table_name} does not exist") from None
        raise


def require_bucket(client: "S3Client", bucket: str) -> None:
    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchBucket", "NotFound"):
            raise StoreMissing(f"the bucket {bucket} does not exist") from None
        raise
