"""Creates the files table and bucket if they are missing, then files what predates folders into
the root: `python -m scloud_files.provision`. With FILES_STORE=sqlite there is no table to make
(the database is migrated when it is opened); the bucket is set up on AWS, LocalStack, moto and
SeaweedFS alike, and running it again changes nothing.

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
    """Creates the bucket unless this account has it, with default encryption, no public access
    (where the endpoint has that setting), and a rule that clears multipart uploads left
    incomplete (an abort that itself failed)."""
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
    block_public_access(client, bucket)
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


def block_public_access(client: "S3Client", bucket: str) -> None:
    """Turns every public access setting off. SeaweedFS has no such setting (501 NotImplemented);
    its buckets are private to the identities in its config anyway, so that is logged and passed."""
    try:
        client.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NotImplemented":
            raise
        logger.info("the S3 endpoint has no public access block; bucket %s left as it is", bucket)


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
