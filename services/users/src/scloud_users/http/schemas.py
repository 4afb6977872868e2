from typing import Any

from pydantic import Field

from scloud_common.web import ApiModel, IsoDate
from scloud_users.domain import Gender, RegistrationMode, StorageUsage, User
from scloud_users.registration_door import RegistrationPolicy


class RegistrationRead(ApiModel):
    mode: RegistrationMode = Field(
        description="`open`: anyone may register; `invite`: only with an invitation link (its `invite` "
        "parameter goes in the registration's `invitationToken`); `domains`: only addresses at `domains`."
    )
    domains: list[str] = Field(description="The email domains that may register; empty unless `mode` is `domains`.")

    @classmethod
    def from_policy(cls, policy: RegistrationPolicy) -> "RegistrationRead":
        return cls(mode=policy.mode, domains=list(policy.domains) if policy.mode == "domains" else [])


class ProfileRead(ApiModel):
    user_id: str
    email: str
    username: str
    gender: Gender | None
    date_of_birth: str | None
    created_at: str
    email_verified: bool = Field(description="The user opened the link of a verification email.")
    storage_used: int = Field(description="Bytes stored in all the user's files.")
    file_count: int

    @classmethod
    def from_domain(cls, user: User, usage: StorageUsage) -> "ProfileRead":
        return cls(
            user_id=user.user_id,
            email=user.email,
            username=user.username,
            # clean_gender lets only the Gender values into a User.
            gender=user.gender,  # type: ignore[arg-type]
            date_of_birth=user.date_of_birth,
            created_at=user.created_at,
            email_verified=user.email_verified,
            storage_used=usage.bytes_used,
            file_count=usage.file_count,
        )


class ProfileUpdate(ApiModel):
    """Only the fields present change; null clears gender or date of birth."""

    # Absent leaves the name unchanged but null is refused, so the schema says string, not nullable.
    username: str = Field(None, max_length=100)  # type: ignore[assignment]
    gender: Gender | None = Field(None, description="One of the listed values, or null.")
    date_of_birth: IsoDate | None = Field(None, description="A date string, YYYY-MM-DD, or null.")

    def changes(self) -> dict[str, Any]:
        values = {
            "username": self.username,
            "gender": self.gender,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
        }
        return {name: values[name] for name in self.model_fields_set}


class AccountDeletion(ApiModel):
    password: str = Field(max_length=1024, description="The account's current password, to confirm.")
