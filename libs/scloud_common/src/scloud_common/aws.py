"""The one place that builds boto3 clients, so every endpoint is configurable the same way."""

import functools
import logging

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from scloud_common.errors import ServiceUnavailable

logger = logging.getLogger(__name__)


def create_aws_client(
    service_name: str,
    *,
    region: str,
    endpoint_url: str | None = None,
    max_pool_connections: int = 32,
) -> BaseClient:
    """A boto3 client for real AWS, LocalStack or moto server (when `endpoint_url` is set).

    S3 clients sign with SigV4 (presigned links fail on other endpoints without it) and use
    path-style addressing on custom endpoints, whose hosts have no per-bucket DNS names.
    """
    config = Config(
        region_name=region,
        retries={"mode": "standard", "max_attempts": 4},
        connect_timeout=5,
        read_timeout=60,
        max_pool_connections=max_pool_connections,
        signature_version="s3v4" if service_name == "s3" else None,
        s3={"addressing_style": "path"} if service_name == "s3" and endpoint_url else None,
    )
    return boto3.session.Session().client(service_name, endpoint_url=endpoint_url, config=config)


def translate_aws_errors(method):
    """Decorates an async adapter method so that an AWS failure it does not handle itself reaches
    the caller as ServiceUnavailable (503 / UNAVAILABLE), never as a 500."""

    @functools.wraps(method)
    async def wrapper(*args, **kwargs):
        try:
            return await method(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            logger.error("aws call failed", extra={"operation": method.__qualname__, "error": repr(exc)})
            raise ServiceUnavailable() from exc

    return wrapper


def ensure_table(client: BaseClient, definition: dict) -> None:
    """Creates a DynamoDB table from a create_table definition unless it exists, and waits for it."""
    try:
        client.create_table(**definition)
        logger.info("created table %s", definition["TableName"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
    client.get_waiter("table_exists").wait(
        TableName=definition["TableName"], WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
