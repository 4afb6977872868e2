"""Creating an account, which signs it in and mails a link to verify its address."""

from scloud_auth.domain import IssuedSession, NewUser
from scloud_auth.notices import AccountNotices
from scloud_auth.password_policy import PasswordPolicy
from scloud_auth.ports import PasswordHasher, UserDirectory
from scloud_auth.sessions import SessionIssuer
from scloud_common.email_address import normalize_email
from scloud_common.security_events import SecurityEvent, record_security_event


class Registration:
    def __init__(
        self,
        *,
        users: UserDirectory,
        hasher: PasswordHasher,
        password_policy: PasswordPolicy,
        issuer: SessionIssuer,
        notices: AccountNotices,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._password_policy = password_policy
        self._issuer = issuer
        self._notices = notices

    async def register(
        self,
        *,
        email: str,
        username: str,
        password: str,
        gender: str | None,
        date_of_birth: str | None,
        invitation_token: str | None = None,
        user_agent: str | None = None,
    ) -> IssuedSession:
        email = normalize_email(email)
        self._password_policy.check(password, user_inputs=(email, username))
        password_hash = await self._hasher.hash(password)
        user = await self._users.create_user(
            NewUser(email, username, gender, date_of_birth, invitation_token), password_hash
        )
        record_security_event(SecurityEvent.ACCOUNT_CREATED, user_id=user.user_id)
        self._notices.verification(user)
        return await self._issuer.start(user, user_agent)
