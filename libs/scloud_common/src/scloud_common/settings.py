"""Settings fields every service shares. Each service subclasses `ServiceSettings`
with its own env prefix (AUTH_, USERS_, FILES_) and adds its own fields."""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SecretsSettingsSource, SettingsConfigDict

from scloud_common.internal_tls import TlsMaterial

Environment = Literal["development", "test", "production"]

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "changethis", "secret", "password", "dev", "development"})
# A folder of secret files, one per setting, named like its environment variable
# (auth_jwt_private_key, files_object_key_secret): pydantic-settings' secrets directory. Read from
# the environment before any setting, since it says where settings come from; the environment
# wins over a file, as an explicit value should. compose.prod.yaml mounts the volume its secrets job
# fills there (scloud_common.server_secrets).
SECRETS_DIR_VARIABLE = "SCLOUD_SECRETS_DIR"


def _empty_is_unset(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


# An optional setting compose may pass empty (`AUTH_X: ${SCLOUD_X:-}` for a variable the operator
# left unset, or set empty to mean "none", as SCLOUD_AWS_ENDPOINT for AWS itself): empty is unset.
# One marker on the field rather than a validator per class: pydantic looks validators up by name
# across a settings class's bases, and two of one name hide each other.
EmptyIsUnset = BeforeValidator(_empty_is_unset)


class AwsSettings(BaseSettings):
    """Where a service's AWS resources are. Enough on its own for the provisioning commands."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        secrets_dir = os.environ.get(SECRETS_DIR_VARIABLE)
        if secrets_dir and isinstance(file_secret_settings, SecretsSettingsSource):
            if not Path(secrets_dir).is_dir():
                raise ValueError(f"{SECRETS_DIR_VARIABLE} names {secrets_dir}, which is not a folder")
            file_secret_settings.secrets_dir = secrets_dir
        return init_settings, env_settings, dotenv_settings, file_secret_settings

    environment: Environment = Field(
        "production",
        description="development, test or production. Only development may generate missing secrets.",
    )
    aws_region: str = Field("us-east-1", description="AWS region of S3 and DynamoDB.")
    aws_endpoint_url: Annotated[str | None, EmptyIsUnset] = Field(
        None,
        description="Override for every AWS endpoint (LocalStack, moto server). Unset on real AWS.",
    )
    dynamodb_table_prefix: str = Field(
        "scloud-", description="Prefix of every DynamoDB table name, to share one account between stages."
    )


MetadataStore = Literal["sqlite", "dynamodb"]


class MetadataStoreSettings(BaseSettings):
    """Where a service keeps its records: DynamoDB (AWS, or a local stand-in at aws_endpoint_url)
    or one SQLite file on this machine. Both adapters of each port pass the same contract suite."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    store: MetadataStore = Field(
        "dynamodb",
        description="sqlite: one database file on this machine (sqlite_path), for running SCloud on one "
        "machine; dynamodb: the service's DynamoDB table, as on AWS.",
    )
    sqlite_path: Path | None = Field(
        None,
        description="Path of the service's SQLite database file; required when store is sqlite. Missing "
        "folders are created 0700 and the file 0600; keep it on a local disk (WAL needs shared memory).",
    )

    @model_validator(mode="after")
    def _sqlite_needs_a_path(self) -> Self:
        if self.store == "sqlite":
            self.sqlite_database()
        return self

    def sqlite_database(self) -> Path:
        """The database file; raises ValueError when sqlite_path is not set."""
        if self.sqlite_path is None:
            raise ValueError("sqlite_path must be set when store is sqlite")
        return self.sqlite_path


MailTransport = Literal["ses", "smtp", "directory"]
# How the SMTP transport protects the connection: STARTTLS on a plain connection (port 587), TLS from
# the first byte (port 465), or nothing, which only development and test may use.
SmtpSecurity = Literal["starttls", "tls", "none"]


@dataclass(frozen=True)
class SmtpCredentials:
    user: str
    password: SecretStr


class MailSettings(BaseSettings):
    """Where a service's mail comes from, how it leaves, and where its links point."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    mail_transport: MailTransport = Field(
        "ses",
        description="ses: send through Amazon SES v2 (or the local stand-in's SES at aws_endpoint_url); "
        "smtp: hand each message to the SMTP server at mail_smtp_host (any mail provider or relay); "
        "directory: send nothing, write each message as an RFC 5322 .eml file into mail_directory, for "
        "running SCloud on one machine (open the files with any mail program).",
    )
    mail_directory: Path | None = Field(
        None,
        description="Folder the directory transport writes messages into, one file each, named so they sort "
        "oldest first; required when mail_transport is directory. Created 0700 if missing; files are 0600 "
        "(they hold verification and reset links).",
    )
    mail_smtp_host: str | None = Field(
        None, description="Host name of the SMTP server; required when mail_transport is smtp."
    )
    mail_smtp_port: int = Field(
        587, gt=0, lt=65536, description="Port of the SMTP server: 587 for starttls (submission), 465 for tls."
    )
    mail_smtp_security: SmtpSecurity = Field(
        "starttls",
        description="starttls: upgrade the connection with STARTTLS and refuse a server that does not offer "
        "it; tls: TLS from the first byte (port 465); none: plain text, refused outside development and "
        "test. The server's certificate is checked against the system's trusted CAs.",
    )
    mail_smtp_user: Annotated[str | None, EmptyIsUnset] = Field(
        None, description="User name to log in to the SMTP server with; unset: send without logging in."
    )
    mail_smtp_password_file: Annotated[Path | None, EmptyIsUnset] = Field(
        None,
        description="Path of a file holding the SMTP password (surrounding whitespace ignored); required "
        "with mail_smtp_user. Never the password itself in the environment; keep the file 0600.",
    )
    mail_smtp_timeout_seconds: float = Field(
        10.0, gt=0, description="Bound on handing over one message, connecting and logging in included."
    )

    mail_sender: str = Field(
        "SCloud <no-reply@scloud.localhost>",
        description="From address of every email: a verified SES identity (provisioning verifies it on "
        "local stand-ins), or an address the SMTP server lets mail_smtp_user send from. Set a real one of "
        "your domain outside development.",
    )
    public_url: str = Field(
        "http://localhost:8080",
        description="Address of the web app as users reach it (the gateway); links in emails start with it.",
    )

    @model_validator(mode="after")
    def _transport_needs_its_settings(self) -> Self:
        if self.mail_transport == "directory":
            self.mail_folder()
        if self.mail_transport == "smtp":
            self.smtp_host()
            self.smtp_credentials()
        return self

    def mail_folder(self) -> Path:
        """The directory transport's folder; raises ValueError when mail_directory is not set."""
        if self.mail_directory is None:
            raise ValueError("mail_directory must be set when mail_transport is directory")
        return self.mail_directory

    def smtp_host(self) -> str:
        """The SMTP transport's server; raises ValueError when mail_smtp_host is not set."""
        if not self.mail_smtp_host:
            raise ValueError("mail_smtp_host must be set when mail_transport is smtp")
        return self.mail_smtp_host

    def smtp_credentials(self) -> SmtpCredentials | None:
        """The SMTP login, its password read from mail_smtp_password_file; None without a user.
        Raises ValueError when the file is missing, unreadable or empty."""
        if self.mail_smtp_user is None:
            if self.mail_smtp_password_file is not None:
                raise ValueError("mail_smtp_password_file is set but mail_smtp_user is not")
            return None
        if self.mail_smtp_password_file is None:
            raise ValueError("mail_smtp_password_file must be set with mail_smtp_user")
        password = read_secret_file(self.mail_smtp_password_file, "mail_smtp_password_file")
        return SmtpCredentials(self.mail_smtp_user, password)


class MailingAwsSettings(AwsSettings, MailSettings):
    """Enough for a provisioning command that also verifies the mail sender. Where the mail settings
    meet the environment, so the checks that depend on it live here."""

    @model_validator(mode="after")
    def _smtp_is_protected_outside_development(self) -> Self:
        if self.mail_transport != "smtp":
            return self
        if self.mail_smtp_security == "none" and self.environment not in ("development", "test"):
            raise ValueError(
                f"mail_smtp_security none sends passwords and links in clear: refused when environment is "
                f"{self.environment!r} (use starttls or tls)"
            )
        credentials = self.smtp_credentials()
        if credentials is not None:
            require_real_secret("mail_smtp_password_file's password", credentials.password, self.environment)
        return self


class GrpcTlsSettings(BaseSettings):
    """The mutual-TLS material of one service (see `scloud_common.internal_tls`). Required in every
    environment: there is no plaintext internal gRPC."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    grpc_tls_ca_cert: str = Field(
        description="Certificate of the internal CA that signs every service's certificate: PEM text, "
        "or the path of a PEM file."
    )
    grpc_tls_cert: str = Field(
        description="This service's certificate (PEM text or path). Its common name is the service's "
        "name (auth, users, files), which peers check."
    )
    grpc_tls_key: SecretStr = Field(description="Private key of grpc_tls_cert (PEM text or path).")

    def tls_material(self) -> TlsMaterial:
        return TlsMaterial.load(ca_cert=self.grpc_tls_ca_cert, cert=self.grpc_tls_cert, key=self.grpc_tls_key)


class ServiceSettings(AwsSettings, GrpcTlsSettings):
    log_level: str = Field("INFO", description="Root log level (DEBUG, INFO, WARNING, ERROR).")
    http_host: str = Field("127.0.0.1", description="Address the HTTP API listens on; 0.0.0.0 in containers.")
    http_port: int = Field(description="Port of the HTTP API (browser-facing, behind the gateway).")
    grpc_host: str = Field(
        "127.0.0.1", description="Address the internal gRPC server listens on; 0.0.0.0 in containers."
    )
    grpc_port: int = Field(description="Port of the internal gRPC server; 0 picks a free one (tests).")
    grpc_timeout_seconds: float = Field(5.0, gt=0, description="Deadline of each outgoing gRPC call, retries included.")
    metrics_host: str = Field(
        "127.0.0.1",
        description="Address the Prometheus metrics endpoint listens on; 0.0.0.0 in containers, where only "
        "the internal network reaches it (never published, never routed by the gateway).",
    )
    metrics_port: int | None = Field(
        None,
        ge=0,
        description="Port of the Prometheus metrics endpoint (GET /metrics, internal only); 0 picks a free "
        "one (tests); unset: no metrics endpoint, nothing is served.",
    )
    otlp_endpoint: str | None = Field(
        None,
        description="Base URL of an OpenTelemetry collector's OTLP/HTTP receiver (http://collector:4318), "
        "where the traces are sent; unset: traces are made (the logs' request ids are their trace ids) "
        "but never leave the process.",
    )
    telemetry: bool = Field(
        True,
        description="Record metrics and traces. Off only to measure what they cost (bench/); the logs "
        "then carry the gateway's X-Request-ID as request id.",
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="Comma-separated addresses or networks of the gateway, the only peers whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed.",
    )
    jwt_issuer: str = Field("scloud-auth", description="`iss` claim of access tokens.")
    jwt_audience: str = Field("scloud", description="`aud` claim of access tokens.")


def read_secret_file(path: Path, setting: str) -> SecretStr:
    """The secret in the file at `path`, surrounding whitespace ignored: how a setting names a
    password without holding it. Raises ValueError naming `setting` when the file cannot be read
    or holds nothing."""
    try:
        secret = path.read_text().strip()
    except OSError as error:
        # The path is the operator's own setting; the file's content never reaches the message.
        raise ValueError(f"{setting} cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{setting} cannot be read: not UTF-8 text") from None
    if not secret:
        raise ValueError(f"{setting} is empty")
    return SecretStr(secret)


def require_real_secret(name: str, value: SecretStr | None, environment: Environment) -> None:
    """Refuses a missing or placeholder secret outside development."""
    if environment == "development":
        return
    if value is None or value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
        raise ValueError(f"{name} must be set to a real secret when environment is {environment!r}")
