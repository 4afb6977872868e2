"""Creates the files table and bucket if they are missing: `python -m scloud_files.provision`.

For local runs and tests; production resources come from infra/.
"""

import logging
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from scloud_common.aws import aws_client
from scloud_common.provisioning import provision_table, run_provisioning
from scloud_files.adapters.dynamodb import TTL_ATTRIBUTE, table_definition
from scloud_files.config import FilesStorageSettings
from scloud_files.migrate_folders import migrate

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

logger = logging.getLogger(__name__)


def ensure_bucket(client: "S3Client", bucket: str, *, region: str) -> None:
    """Creates the bucket unless this account has it, with default encryption, no public access,
    and a rule that clears multipart uploads left incomplete (an abort that itself failed)."""
    try:
        if region == "us-east-1":
            client.create_bucket(Bucket=bucket)
        else:
            # The stubs list only the regions known when they were built; AWS takes any region name.
            client.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
            )
        logger.info("created bucket %s", bucket)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "BucketAlreadyOwnedByYou":
            raise
    client.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    client.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    client.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "abort-incomplete-uploads",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            ]
        },
    )


def provision_resources(settings: FilesStorageSettings) -> None:
    provision_table(settings, table_definition(settings.files_table), ttl_attribute=TTL_ATTRIBUTE)
    ensure_bucket(aws_client(settings, "s3"), settings.s3_bucket, region=settings.aws_region)


def provision_and_migrate(settings: FilesStorageSettings) -> None:
    provision_resources(settings)
    migrate(settings)


def main() -> None:
    run_provisioning(provision_and_migrate, FilesStorageSettings())


if __name__ == "__main__":
    main()
