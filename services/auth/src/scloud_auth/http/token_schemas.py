from datetime import datetime

from pydantic import Field

from scloud_auth.domain import IssuedPersonalAccessToken, PersonalAccessToken
from scloud_auth.http.schemas import to_datetime
from scloud_common.scopes import Scope
from scloud_common.web import ApiModel


class PersonalAccessTokenCreate(ApiModel):
    name: str = Field(min_length=1, max_length=64, examples=["backup script"])
    scopes: list[Scope] = Field(min_length=1, description="What the token may do; at least one scope.")
    expires_in_days: int = Field(
        ge=1,
        description="Days until the token expires: 1 to the maximum that GET /api/v1/auth/tokens answers "
        "(AUTH_PERSONAL_ACCESS_TOKEN_MAX_LIFETIME_DAYS, 90 by default); else 422 `invalid_token_lifetime`.",
    )


class PersonalAccessTokenRead(ApiModel):
    id: str
    name: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = Field(description="Its last use, to the minute; null if never used.")
    expired: bool

    @classmethod
    def from_token(cls, token: PersonalAccessToken, *, now: int) -> "PersonalAccessTokenRead":
        return cls(
            id=token.token_id,
            name=token.name,
            scopes=sorted(token.scopes),
            created_at=to_datetime(token.created_at),
            expires_at=to_datetime(token.expires_at),
            last_used_at=to_datetime(token.last_used_at) if token.last_used_at is not None else None,
            expired=token.expires_at <= now,
        )


class PersonalAccessTokenCreated(ApiModel):
    token: PersonalAccessTokenRead
    secret: str = Field(
        description="The token to send as `Authorization: Bearer <secret>`. Shown this once: SCloud keeps "
        "only its hash.",
        examples=["scloud_pat_" + "x" * 43],
    )

    @classmethod
    def from_issued(cls, issued: IssuedPersonalAccessToken) -> "PersonalAccessTokenCreated":
        return cls(
            token=PersonalAccessTokenRead.from_token(issued.token, now=issued.token.created_at),
            secret=issued.secret,
        )


class PersonalAccessTokenList(ApiModel):
    tokens: list[PersonalAccessTokenRead] = Field(description="Tokens not revoked, newest first.")
    max_lifetime_days: int = Field(description="The longest lifetime a new token may have, in days.")
    scopes: list[Scope] = Field(description="Every scope a token may have.")


class CurrentPersonalAccessTokenRead(ApiModel):
    """The personal access token making the request: who it acts for and what it may do."""

    id: str
    user_id: str
    scopes: list[Scope]
    expires_at: datetime
