"""What every service's `python -m scloud_<name>.provision` does: create its DynamoDB tables (and,
for files, its bucket) when missing, and verify the mail sender with SES. For local runs, compose
and tests; production resources come from infra/.

A service whose `store` is sqlite has no table to make (it migrates its database when it opens
it), and one whose `mail_transport` is not ses no sender to verify: both steps are skipped with
a log line, so the same command works for every configuration."""

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from scloud_common.aws import aws_client
from scloud_common.mail import sender_address
from scloud_common.settings import AwsSettings, MailingAwsSettings, MetadataStoreSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = logging.getLogger(__name__)

Settings = TypeVar("Settings", bound=AwsSettings)


class ProvisioningSettings(MailingAwsSettings, MetadataStoreSettings):
    """What auth's and users' provisioning reads: where AWS is, where the records are kept, and
    how mail leaves (with the service's env prefix, e.g. `_env_prefix="AUTH_"`)."""


def uses_sqlite(settings: AwsSettings) -> bool:
    """Whether the settings name a SQLite store (settings without a store are DynamoDB's)."""
    return isinstance(settings, MetadataStoreSettings) and settings.store == "sqlite"


def table_name(settings: AwsSettings, name: str) -> str:
    return f"{settings.dynamodb_table_prefix}{name}"


def ensure_table(client: "DynamoDBClient", definition: dict[str, Any]) -> None:
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


def ensure_indexes(client: "DynamoDBClient", definition: dict[str, Any]) -> None:
    """Adds the definition's global secondary indexes that a table created earlier lacks, one at a
    time (DynamoDB builds one per update), waiting for each to be active."""
    name = definition["TableName"]
    for index in definition.get("GlobalSecondaryIndexes", []):
        existing = {
            current["IndexName"]: current
            for current in client.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])
        }
        if index["IndexName"] not in existing:
            client.update_table(
                TableName=name,
                AttributeDefinitions=definition["AttributeDefinitions"],
                GlobalSecondaryIndexUpdates=[{"Create": index}],
            )
            logger.info("creating index %s of %s", index["IndexName"], name)
        for _ in range(600):
            current = {
                index["IndexName"]: index
                for index in client.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])
            }[index["IndexName"]]
            if current.get("IndexStatus", "ACTIVE") == "ACTIVE":
                break
            time.sleep(1)


def provision_table(settings: AwsSettings, definition: dict[str, Any], *, ttl_attribute: str | None = None) -> None:
    """Creates the table unless it exists, adds the indexes it lacks and, with `ttl_attribute`,
    turns on its TTL. Nothing on a SQLite store."""
    if uses_sqlite(settings):
        logger.info("store is sqlite: no DynamoDB table %s", definition["TableName"])
        return
    client = aws_client(settings, "dynamodb")
    ensure_table(client, definition)
    ensure_indexes(client, definition)
    if ttl_attribute is None:
        return
    name = definition["TableName"]
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl["TimeToLiveStatus"] in ("DISABLED", "DISABLING"):
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute}
        )


def provision_mail_sender(settings: MailingAwsSettings) -> None:
    """Verifies the sender's address with SES, as local stand-ins require before they accept mail
    from it. On real AWS the identity is verified once, out of band (infra/README.md). Nothing
    when mail goes to an SMTP server or a folder."""
    if settings.mail_transport != "ses":
        logger.info("mail transport is %s: no SES sender to verify", settings.mail_transport)
        return
    # No SES v2 stubs are installed, and BaseClient knows no operation names.
    client: Any = aws_client(settings, "sesv2")
    try:
        client.create_email_identity(EmailIdentity=sender_address(settings.mail_sender))
        logger.info("verified the mail sender")
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "AlreadyExistsException":
            raise


def run_provisioning(provision: Callable[[Settings], None], settings: Settings) -> None:
    """The body of each service's provisioning command."""
    logging.basicConfig(level="INFO")
    provision(settings)
