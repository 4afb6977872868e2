"""Creates the sessions table (with TTL) if it is missing: `python -m scloud_auth.provision`.

For local runs and tests; production tables come from infra/.
"""

import logging

from pydantic_settings import SettingsConfigDict

from scloud_auth.adapters.dynamodb import table_definition
from scloud_common.aws import create_aws_client, ensure_table
from scloud_common.settings import AwsSettings


class AuthStorageSettings(AwsSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore", frozen=True)


def sessions_table_name(settings: AwsSettings) -> str:
    return f"{settings.dynamodb_table_prefix}sessions"


def provision_resources(settings: AwsSettings) -> None:
    client = create_aws_client("dynamodb", region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    name = sessions_table_name(settings)
    ensure_table(client, table_definition(name))
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
