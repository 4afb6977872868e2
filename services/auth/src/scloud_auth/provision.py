"""Creates the sessions table (with TTL) if it is missing: `python -m scloud_auth.provision`.

For local runs and tests; production tables come from infra/.
"""

import logging

from botocore.exceptions import ClientError
from pydantic_settings import SettingsConfigDict

from scloud_auth.adapters.dynamodb import table_definition
from scloud_common.aws import create_aws_client
from scloud_common.settings import AwsSettings

logger = logging.getLogger(__name__)


class AuthStorageSettings(AwsSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore", frozen=True)


def sessions_table_name(settings: AwsSettings) -> str:
    return f"{settings.dynamodb_table_prefix}sessions"


def provision_resources(settings: AwsSettings) -> None:
    client = create_aws_client("dynamodb", region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    name = sessions_table_name(settings)
    try:
        client.create_table(**table_definition(name))
        logger.info("created table %s", name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl["TimeToLiveStatus"] in ("DISABLED", "DISABLING"):
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"}
        )


def main() -> None:
    logging.basicConfig(level="INFO")
    provision_resources(AuthStorageSettings())


if __name__ == "__main__":
    main()
