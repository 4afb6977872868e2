from datetime import UTC, date, datetime

from pydantic import Field

from scloud_auth.domain import IssuedSession, User
from scloud_common.web import ApiModel


class RegisterRequest(ApiModel):
    email: str = Field(max_length=254, examples=["ada@example.com"])
    username: str = Field(max_length=100, examples=["Ada"])
    password: str = Field(max_length=1024, description="At least 8 characters, not all of one kind.")
    gender: str | None = Field(None, description="female, male, other or prefer_not_to_say.")
    date_of_birth: date | None = None


class LoginRequest(ApiModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class PasswordChange(ApiModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class UserRead(ApiModel):
    user_id: str
    email: str
    username: str
    gender: str | None
    date_of_birth: str | None
    created_at: str

    @classmethod
    def from_user(cls, user: User) -> "UserRead":
        return cls(
            user_id=user.user_id,
            email=user.email,
            username=user.username,
            gender=user.gender,
            date_of_birth=user.date_of_birth,
            created_at=user.created_at,
        )


class SessionRead(ApiModel):
    user: UserRead
    access_token: str = Field(description="Bearer token for every API call; keep it in memory only.")
    access_token_expires_at: datetime

    @classmethod
    def from_issued(cls, issued: IssuedSession) -> "SessionRead":
        return cls(
            user=UserRead.from_user(issued.user),
            access_token=issued.access_token,
            access_token_expires_at=datetime.fromtimestamp(issued.access_token_expires_at, UTC),
        )
