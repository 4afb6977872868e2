"""Provisioning on the embedded stores: with a SQLite store there is no DynamoDB table to make,
and with mail written to a folder no SES sender to verify, so nothing reaches AWS; the same
settings on the AWS path still say DynamoDB and SES."""

import logging

from scloud_common.provisioning import ProvisioningSettings, provision_mail_sender, provision_table, uses_sqlite
from scloud_common.settings import AwsSettings

DEFINITION = {"TableName": "scloud-things", "KeySchema": [], "AttributeDefinitions": []}


def test_a_sqlite_store_with_mail_in_a_folder_needs_nothing_from_aws(tmp_path, no_outside_clients, caplog):
    settings = ProvisioningSettings(
        store="sqlite",
        sqlite_path=tmp_path / "auth.db",
        mail_transport="directory",
        mail_directory=tmp_path / "mail",
    )
    with caplog.at_level(logging.INFO, logger="scloud_common.provisioning"):
        provision_table(settings, DEFINITION, ttl_attribute="expiresAt")
        provision_mail_sender(settings)
    assert "store is sqlite: no DynamoDB table scloud-things" in caplog.messages
    assert "mail transport is directory: no SES sender to verify" in caplog.messages


def test_the_store_and_the_transport_are_read_with_the_services_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTH_STORE", "sqlite")
    monkeypatch.setenv("AUTH_SQLITE_PATH", str(tmp_path / "auth.db"))
    monkeypatch.setenv("AUTH_MAIL_TRANSPORT", "directory")
    monkeypatch.setenv("AUTH_MAIL_DIRECTORY", str(tmp_path / "mail"))
    settings = ProvisioningSettings(_env_prefix="AUTH_")  # type: ignore[call-arg]
    assert (settings.store, settings.mail_transport) == ("sqlite", "directory")
    assert uses_sqlite(settings)


def test_settings_without_a_store_are_dynamodb():
    assert not uses_sqlite(AwsSettings())
    assert not uses_sqlite(ProvisioningSettings())
