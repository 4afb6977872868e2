from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from scloud_auth.domain import LinkLifetimes, SessionLifetime
from scloud_auth.password_policy import DEFAULT_MIN_SCORE
from scloud_auth.signing import parse_public_keys
from scloud_common.settings import (
    EmptyIsUnset,
    MailingAwsSettings,
    MetadataStoreSettings,
    ServiceSettings,
    require_real_secret,
)


@dataclass(frozen=True)
class RefreshCookie:
    name: str
    path: str
    secure: bool


class AuthSettings(ServiceSettings, MailingAwsSettings, MetadataStoreSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore", frozen=True)

    jwt_private_key: Annotated[SecretStr | None, EmptyIsUnset] = Field(
        None,
        description="Ed25519 private key (PEM) that signs access tokens. Required outside development, "
        "where a throwaway key is generated at start-up.",
    )
    jwt_additional_public_keys: str = Field(
        "",
        description="Ed25519 public keys (PEM, one after another) announced beside the signing key's during "
        "a rotation: the next key before auth signs with it, then the previous one until its tokens "
        "expire (docs/operations.md, rotating the token signing key). Empty outside a rotation.",
    )
    access_token_ttl_seconds: int = Field(900, ge=60, le=3600, description="Lifetime of an access token.")
    session_idle_timeout_seconds: int = Field(
        7 * 24 * 3600,
        ge=300,
        description="A session not refreshed for this long ends; each refresh starts this period again.",
    )
    session_absolute_lifetime_seconds: int = Field(
        30 * 24 * 3600,
        ge=3600,
        description="A session ends this long after its sign-in, however often it is refreshed.",
    )
    refresh_reuse_grace_seconds: int = Field(
        30,
        ge=0,
        le=300,
        description="A just-rotated refresh token presented again within this window (two tabs refreshing "
        "at once) is refused without revoking the session; later reuse revokes it.",
    )
    bcrypt_rounds: int = Field(12, ge=10, le=15, description="bcrypt cost factor for password hashes.")
    password_hash_workers: int = Field(
        2,
        ge=1,
        le=16,
        description="Threads that hash and check passwords; the rest of the service never waits on them.",
    )
    password_hash_queue: int = Field(
        32,
        ge=0,
        description="Password checks that may wait for a hashing thread; beyond that, sign-in answers 503 at once.",
    )
    password_min_score: int = Field(
        DEFAULT_MIN_SCORE,
        ge=0,
        le=4,
        description="Least zxcvbn strength score (0 guessed at once, 4 very hard to guess) a new password must "
        "reach. The web app's meter applies the same minimum (frontend/src/lib/strength.ts); change both together.",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        ["http://localhost:8080"],
        description="Comma-separated origins (scheme://host[:port]) the browser app is served from. Cookie "
        "endpoints (refresh, logout, logout-all) refuse requests whose Origin header names another one.",
    )
    users_grpc_addr: str = Field(description="host:port of the users service's gRPC server.")
    cookie_secure: bool = Field(
        True,
        description="The app is served over HTTPS: the refresh cookie is `__Host-scloud_refresh` (Secure, "
        "Path=/, no Domain, so no subdomain or plain-HTTP page can set or shadow it). Only plain-HTTP local "
        "runs turn this off, and get `scloud_refresh` on Path=/api instead.",
    )

    email_verification_ttl_seconds: int = Field(
        24 * 3600, ge=600, le=7 * 24 * 3600, description="How long the link of a verification email works."
    )
    password_reset_ttl_seconds: int = Field(
        30 * 60, ge=300, le=3600, description="How long the link of a password reset email works."
    )
    personal_access_token_max_lifetime_days: int = Field(
        90,
        ge=1,
        le=366,
        description="The longest a personal access token may live, in days; its owner picks up to this "
        "when creating one.",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("jwt_additional_public_keys")
    @classmethod
    def _public_keys_parse(cls, value: str) -> str:
        parse_public_keys(value)
        return value

    @model_validator(mode="after")
    def _refuse_missing_key(self) -> "AuthSettings":
        require_real_secret("AUTH_JWT_PRIVATE_KEY", self.jwt_private_key, self.environment)
        return self

    @model_validator(mode="after")
    def _idle_timeout_within_lifetime(self) -> "AuthSettings":
        if self.session_idle_timeout_seconds > self.session_absolute_lifetime_seconds:
            raise ValueError("AUTH_SESSION_IDLE_TIMEOUT_SECONDS must not exceed AUTH_SESSION_ABSOLUTE_LIFETIME_SECONDS")
        return self

    @property
    def refresh_cookie(self) -> RefreshCookie:
        if self.cookie_secure:
            return RefreshCookie(name="__Host-scloud_refresh", path="/", secure=True)
        # Browsers refuse `__Host-` cookies without Secure, which plain HTTP cannot set.
        # Path=/api: the sign-in routes answer at /api/v1/auth and, deprecated, at /api/auth.
        return RefreshCookie(name="scloud_refresh", path="/api", secure=False)

    @property
    def session_lifetime(self) -> SessionLifetime:
        return SessionLifetime(
            idle_seconds=self.session_idle_timeout_seconds, absolute_seconds=self.session_absolute_lifetime_seconds
        )

    @property
    def link_lifetimes(self) -> LinkLifetimes:
        return LinkLifetimes(
            verify_email_seconds=self.email_verification_ttl_seconds,
            reset_password_seconds=self.password_reset_ttl_seconds,
        )
