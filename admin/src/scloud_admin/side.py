"""One end of a move: where an installation's stores are, configured as the services are (the
same AUTH_/USERS_/FILES_ settings and AWS variables), from an env file or the environment."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from dotenv import dotenv_values
from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from scloud_common.settings import AwsSettings, MailingAwsSettings, MetadataStoreSettings
from scloud_files.config import FilesSettings, FilesStorageSettings
from scloud_users.config import InvitationSettings

ENVIRONMENT = "env"


class _FromMappingOnly(BaseSettings):
    """Settings read only from the values given, never from the process environment: a move's
    two ends have the same variable names with different values."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


class AuthStoreSettings(_FromMappingOnly, AwsSettings, MetadataStoreSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore", frozen=True)


class UsersStoreSettings(_FromMappingOnly, AwsSettings, MetadataStoreSettings):
    model_config = SettingsConfigDict(env_prefix="USERS_", extra="ignore", frozen=True)


class InvitationLinkSettings(_FromMappingOnly, MailingAwsSettings, InvitationSettings):
    """What an invitation link needs: the app's public address and how long a link works."""

    model_config = SettingsConfigDict(env_prefix="USERS_", extra="ignore", frozen=True)


class FilesStoreSettings(_FromMappingOnly, FilesStorageSettings):
    model_config = SettingsConfigDict(env_prefix="FILES_", extra="ignore", frozen=True)


class FilesQuotaSettings(_FromMappingOnly):
    """The quota every user has unless the admin set their own, as the files service reads it."""

    model_config = SettingsConfigDict(env_prefix="FILES_", extra="ignore", frozen=True)

    # The service's own default and description, so the two never disagree.
    quota_bytes: int = Field(
        FilesSettings.model_fields["quota_bytes"].default,
        gt=0,
        description=FilesSettings.model_fields["quota_bytes"].description,
    )


Settings = TypeVar("Settings", bound=BaseSettings)


@dataclass(frozen=True)
class Side:
    """`label` names the end in messages (source, target); `environ` holds its variables."""

    label: str
    environ: Mapping[str, str]

    @classmethod
    def load(cls, label: str, argument: str) -> "Side":
        """`argument` is an env file's path, or `env` for this process's environment."""
        if argument == ENVIRONMENT:
            return cls(label, dict(os.environ))
        path = Path(argument)
        if not path.is_file():
            raise ValueError(f"the {label}'s env file {argument} does not exist")
        return cls(label, {name: value for name, value in dotenv_values(path).items() if value is not None})

    def settings(self, settings_class: type[Settings]) -> Settings:
        prefix = str(settings_class.model_config.get("env_prefix", ""))
        values: dict[str, Any] = {
            name[len(prefix) :].lower(): value for name, value in self.environ.items() if name.startswith(prefix)
        }
        return settings_class(**values)

    @property
    def auth(self) -> AuthStoreSettings:
        return self.settings(AuthStoreSettings)

    @property
    def users(self) -> UsersStoreSettings:
        return self.settings(UsersStoreSettings)

    @property
    def invitation_links(self) -> InvitationLinkSettings:
        return self.settings(InvitationLinkSettings)

    @property
    def files(self) -> FilesStoreSettings:
        return self.settings(FilesStoreSettings)

    @property
    def files_quota(self) -> FilesQuotaSettings:
        return self.settings(FilesQuotaSettings)

    def endpoint(self, settings: AwsSettings, service: str) -> str | None:
        """Where `service` (s3, dynamodb) is, in boto3's order: the service's own
        `<SVC>_AWS_ENDPOINT_URL`, then `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`;
        None is AWS itself."""
        return (
            settings.aws_endpoint_url
            or self.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}")
            or self.environ.get("AWS_ENDPOINT_URL")
        )
