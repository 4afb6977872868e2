"""The one place that builds boto3 clients, so every endpoint is configurable the same way."""

import boto3
from botocore.client import BaseClient
from botocore.config import Config


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
