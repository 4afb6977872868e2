from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from scloud_common.email_address import InvalidEmail, normalize_email
from scloud_common.settings import MailingAwsSettings, MetadataStoreSettings, ServiceSettings
from scloud_users.domain import RegistrationMode
from scloud_users.registration_door import RegistrationPolicy


class InvitationSettings(BaseSettings):
    """Read by `scloud-admin invite create`, from the users service's environment."""

    invitation_lifetime_days: int = Field(
        7,
        ge=1,
        le=365,
        description="How long an invitation link works, unless `scloud-admin invite create --days` says.",
    )


class UsersSettings(ServiceSettings, MailingAwsSettings, MetadataStoreSettings, InvitationSettings):
    model_config = SettingsConfigDict(env_prefix="USERS_", extra="ignore", frozen=True)

    auth_grpc_addr: str = Field(description="host:port of the auth service's gRPC server.")
    files_grpc_addr: str = Field(description="host:port of the files service's gRPC server.")
    account_deletion_timeout_seconds: float = Field(
        60.0, gt=0, description="Deadline of the files service's delete-everything call when an account is deleted."
    )
    registration: RegistrationMode = Field(
        "open",
        description="Who may register: `open` (anyone), `invite` (only with an invitation link an operator made "
        "with `scloud-admin invite create`, each used once) or `domains` (only email addresses at "
        "USERS_REGISTRATION_DOMAINS).",
    )
    registration_domains: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Comma-separated email domains whose addresses may register when USERS_REGISTRATION=domains "
        "(exact domains: `example.com` admits `ada@example.com`, not `ada@mail.example.com`). Required then; "
        "the registration page shows them.",
    )

    @field_validator("registration_domains", mode="before")
    @classmethod
    def _split_domains(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(domain.strip() for domain in value.split(",") if domain.strip())
        return value

    @field_validator("registration_domains")
    @classmethod
    def _normalize_domains(cls, domains: tuple[str, ...]) -> tuple[str, ...]:
        normalized = []
        for domain in domains:
            # The spelling normalised emails have (IDNA, lower case), so a domain matches its addresses.
            try:
                normalized.append(normalize_email(f"someone@{domain.lstrip('@')}").rpartition("@")[2])
            except InvalidEmail:
                raise ValueError(f"USERS_REGISTRATION_DOMAINS: {domain!r} is not an email domain") from None
        return tuple(dict.fromkeys(normalized))

    @model_validator(mode="after")
    def _domains_when_needed(self) -> "UsersSettings":
        if self.registration == "domains" and not self.registration_domains:
            raise ValueError("USERS_REGISTRATION=domains needs USERS_REGISTRATION_DOMAINS (comma-separated domains)")
        return self

    @property
    def registration_policy(self) -> RegistrationPolicy:
        return RegistrationPolicy(self.registration, self.registration_domains)
