"""Creates the users table if it is missing, and verifies the mail sender:
`python -m scloud_users.provision`. With USERS_STORE=sqlite there is no table to make (the service
migrates its database when it opens it); with USERS_MAIL_TRANSPORT=directory no sender to verify.

For local runs and tests; production tables come from infra/.
"""

from scloud_common.provisioning import (
    ProvisioningSettings,
    provision_mail_sender,
    provision_table,
    run_provisioning,
    table_name,
)
from scloud_common.settings import AwsSettings, MailingAwsSettings
from scloud_users.adapters.dynamodb import table_definition


def users_table_name(settings: AwsSettings) -> str:
    return table_name(settings, "users")


def provision_resources(settings: MailingAwsSettings) -> None:
    provision_table(settings, table_definition(users_table_name(settings)))
    provision_mail_sender(settings)


def main() -> None:
    run_provisioning(provision_resources, ProvisioningSettings(_env_prefix="USERS_"))


if __name__ == "__main__":
    main()
