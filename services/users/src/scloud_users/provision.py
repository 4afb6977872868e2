"""Creates the users table if it is missing: `python -m scloud_users.provision`.

For local runs and tests; production tables come from infra/.
"""

import logging

from pydantic_settings import SettingsConfigDict

from scloud_common.aws import create_aws_client, ensure_table
from scloud_common.settings import AwsSettings
from scloud_users.adapters.dynamodb import table_definition


class UsersStorageSettings(AwsSettings):
    model_config = SettingsConfigDict(env_prefix="USERS_", extra="ignore", frozen=True)


def users_table_name(settings: AwsSettings) -> str:
    return f"{settings.dynamodb_table_prefix}users"


def provision_resources(settings: AwsSettings) -> None:
    client = create_aws_client("dynamodb", region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    name = users_table_name(settings)
    ensure_table(client, table_definition(name))


def main() -> None:
    logging.basicConfig(level="INFO")
    provision_resources(UsersStorageSettings())


if __name__ == "__main__":
    main()
