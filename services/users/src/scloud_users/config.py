from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from scloud_common.email_address import InvalidEmail, normalize_email
from scloud_common.settings import (
    EmptyIsUnset,
    MailingAwsSettings,
    MetadataStoreSettings,
    ServiceSettings,
    read_secret_file,
)
from scloud_users.domain import InvalidProfile, RegistrationMode, clean_username, username_from_email
from scloud_users.first_admin import FIRST_ADMIN_MIN_PASSWORD_LENGTH, FirstAdmin
from scloud_users.registration_door import RegistrationPolicy


class InvitationSettings(BaseSettings):
    """Read by `scloud-admin invite create`, from the users service's environment."""

    invitation_lifetime_days: int = Field(
        7,
        ge=1,
        le=365,
        description="How long an invitation link works, unless `scloud-admin invite create --days` says.",
    )


class FirstAdminSettings(BaseSettings):
    """The owner's account, created when the service starts if no account has its email
    (scloud_users.first_admin), so that an invite-only SCloud has someone to invite from."""

    first_admin_email: Annotated[str | None, EmptyIsUnset] = Field(
        None,
        description="Email address of the first admin's account: created at start, its email already "
        "verified and whatever USERS_REGISTRATION says, unless an account has this email (then left as it "
        "is, its password never reset). Needs USERS_FIRST_ADMIN_PASSWORD_FILE; unset: no account is made.",
    )
    first_admin_username: Annotated[str | None, EmptyIsUnset] = Field(
        None,
        description="Username of the first admin's account; unset: the email's local part made a valid "
        "username (other characters become dots).",
    )
    first_admin_password_file: Annotated[Path | None, EmptyIsUnset] = Field(
        None,
        description="Path of a file holding the first admin's password (surrounding whitespace ignored, at "
        f"least {FIRST_ADMIN_MIN_PASSWORD_LENGTH} characters, as auth requires); required with "
        "USERS_FIRST_ADMIN_EMAIL and read at every start while that is set. Never the password itself in "
        "the environment; keep the file 0600. Changing it later changes no password.",
    )
    first_admin_bcrypt_rounds: int = Field(
        12,
        ge=10,
        le=15,
        description="bcrypt cost factor of the first admin's password hash; keep it equal to "
        "AUTH_BCRYPT_ROUNDS, or auth rewrites the hash at the first sign-in.",
    )

    @field_validator("first_admin_email")
    @classmethod
    def _normalize_first_admin_email(cls, email: str | None) -> str | None:
        if email is None:
            return None
        # The spelling auth normalises sign-in emails to, so the owner signs in with any casing.
        try:
            return normalize_email(email)
        except InvalidEmail:
            raise ValueError(f"USERS_FIRST_ADMIN_EMAIL: {email!r} is not an email address") from None

    @model_validator(mode="after")
    def _first_admin_is_complete(self) -> "FirstAdminSettings":
        self.first_admin()
        return self

    def first_admin(self) -> FirstAdmin | None:
        """The account to create at start, its password read from first_admin_password_file; None
        without an email. Raises ValueError when only one of email and file is set, the file is
        unreadable, empty or too short, or the username is not valid."""
        if self.first_admin_email is None:
            if self.first_admin_password_file is not None:
                raise ValueError("USERS_FIRST_ADMIN_PASSWORD_FILE is set but USERS_FIRST_ADMIN_EMAIL is not")
            if self.first_admin_username is not None:
                raise ValueError("USERS_FIRST_ADMIN_USERNAME is set but USERS_FIRST_ADMIN_EMAIL is not")
            return None
        if self.first_admin_password_file is None:
            raise ValueError("USERS_FIRST_ADMIN_PASSWORD_FILE must be set with USERS_FIRST_ADMIN_EMAIL")
        password = read_secret_file(self.first_admin_password_file, "USERS_FIRST_ADMIN_PASSWORD_FILE")
        if len(password.get_secret_value()) < FIRST_ADMIN_MIN_PASSWORD_LENGTH:
            raise ValueError(
                f"USERS_FIRST_ADMIN_PASSWORD_FILE holds a password shorter than {FIRST_ADMIN_MIN_PASSWORD_LENGTH} "
                "characters, which auth's password policy refuses"
            )
        try:
            username = clean_username(self.first_admin_username or username_from_email(self.first_admin_email))
        except InvalidProfile as error:
            raise ValueError(f"USERS_FIRST_ADMIN_USERNAME: {error.message}") from None
        return FirstAdmin(self.first_admin_email, username, password)


class UsersSettings(ServiceSettings, MailingAwsSettings, MetadataStoreSettings, InvitationSettings, FirstAdminSettings):
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
