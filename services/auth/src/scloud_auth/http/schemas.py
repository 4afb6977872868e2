from datetime import UTC, datetime
from typing import Literal

from pydantic import Field

from scloud_auth.domain import IssuedChallenge, IssuedSession, Session, User
from scloud_common.web import ApiModel, IsoDate

PASSWORD_RULES = (
    "12 to 128 characters, not one of the most common breached passwords, not a repeated or sequential "
    "pattern, and hard enough to guess (zxcvbn score of at least AUTH_PASSWORD_MIN_SCORE, 3 by default); "
    "else 422 `weak_password`."
)


class RegisterRequest(ApiModel):
    email: str = Field(max_length=254, examples=["ada@example.com"])
    username: str = Field(max_length=100, examples=["Ada"])
    password: str = Field(max_length=1024, description=PASSWORD_RULES)
    gender: str | None = Field(None, description="female, male, other or prefer_not_to_say (checked by users).")
    date_of_birth: IsoDate | None = Field(None, description="A date string, YYYY-MM-DD.")
    invitation_token: str | None = Field(
        None,
        max_length=128,
        description="The `invite` parameter of an invitation link. Needed when registration is invite-only "
        "(`GET /api/v1/users/registration`), ignored otherwise.",
    )


class LoginRequest(ApiModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class PasswordChange(ApiModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class EmailVerification(ApiModel):
    token: str = Field(max_length=256, description="The token from the fragment of the emailed link.")


class PasswordResetRequest(ApiModel):
    email: str = Field(max_length=254, examples=["ada@example.com"])


class PasswordReset(ApiModel):
    token: str = Field(max_length=256, description="The token from the fragment of the emailed link.")
    new_password: str = Field(max_length=1024, description=PASSWORD_RULES)


class UserRead(ApiModel):
    user_id: str
    email: str
    username: str
    gender: str | None
    date_of_birth: str | None
    created_at: str
    email_verified: bool = Field(description="The user opened the link of a verification email.")

    @classmethod
    def from_user(cls, user: User) -> "UserRead":
        return cls(
            user_id=user.user_id,
            email=user.email,
            username=user.username,
            gender=user.gender,
            date_of_birth=user.date_of_birth,
            created_at=user.created_at,
            email_verified=user.email_verified,
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


def to_datetime(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


class SessionInfo(ApiModel):
    id: str
    user_agent: str = Field(description="The browser or device that signed in, as it named itself.")
    created_at: datetime
    last_used_at: datetime = Field(description="The last sign-in or refresh of this session.")
    current: bool = Field(description="True for the session making this request.")

    @classmethod
    def from_session(cls, session: Session, *, current_session_id: str) -> "SessionInfo":
        return cls(
            id=session.session_id,
            user_agent=session.user_agent,
            created_at=to_datetime(session.created_at),
            last_used_at=to_datetime(session.last_used_at or session.created_at),
            current=session.session_id == current_session_id,
        )


class SessionList(ApiModel):
    sessions: list[SessionInfo] = Field(description="Active sessions, newest first.")


class TwoFactorChallengeRead(ApiModel):
    """The password was right; the account wants a code from its authenticator app."""

    two_factor_required: Literal[True] = True
    challenge: str = Field(description="Pass to POST /api/v1/auth/login/two-factor with the code.")
    expires_at: datetime

    @classmethod
    def from_issued(cls, issued: IssuedChallenge) -> "TwoFactorChallengeRead":
        return cls(challenge=issued.token, expires_at=to_datetime(issued.expires_at))


class TwoFactorSignIn(ApiModel):
    challenge: str = Field(max_length=128)
    code: str = Field(
        max_length=32, description="The 6-digit code of the authenticator app, or one of the recovery codes."
    )


class TwoFactorStatusRead(ApiModel):
    enabled: bool
    recovery_codes_left: int


class TwoFactorSetupRead(ApiModel):
    secret: str = Field(description="Base32 secret, for typing into an app that cannot scan.")
    otpauth_uri: str = Field(description="The otpauth:// URI the QR code holds.")
    qr_code: str = Field(description="The QR code of `otpauthUri`, an SVG `data:` URI to show as an image.")


class TwoFactorSetupRequest(ApiModel):
    password: str = Field(
        max_length=1024, description="The account's password: turning two-factor on re-authenticates."
    )


class TwoFactorConfirm(ApiModel):
    code: str = Field(max_length=32, description="A code the app shows for the new secret.")


class RecoveryCodesRead(ApiModel):
    recovery_codes: list[str] = Field(
        description="Ten single-use codes for signing in without the app. Shown this once."
    )


class TwoFactorDisable(ApiModel):
    password: str = Field(max_length=1024)
    code: str = Field(max_length=32, description="A current code of the app, or a recovery code.")
