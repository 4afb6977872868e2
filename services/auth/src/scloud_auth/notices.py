"""The emails that tell an account what happened to it, posted to the outbox (never awaited)."""

from scloud_auth import account_mail
from scloud_auth.domain import IssuedSession, PersonalAccessToken, TokenPurpose, User
from scloud_auth.link_tokens import LinkTokens
from scloud_auth.ports import Outbox, SessionRepository, UserDirectory
from scloud_auth.secret_token import split_refresh_token
from scloud_common.mail import MailJob, MailLayout, MailMessage


class AccountNotices:
    def __init__(
        self,
        *,
        outbox: Outbox,
        layout: MailLayout,
        users: UserDirectory,
        sessions: SessionRepository,
        link_tokens: LinkTokens,
    ) -> None:
        self._outbox = outbox
        self._layout = layout
        self._users = users
        self._sessions = sessions
        self._link_tokens = link_tokens

    def post(self, job: MailJob) -> None:
        """Any other mail job, off the request path like these."""
        self._outbox.post(job)

    def verification(self, user: User) -> None:
        async def compose() -> MailMessage:
            token = await self._link_tokens.issue(TokenPurpose.VERIFY_EMAIL, user.user_id)
            hours = self._link_tokens.lifetimes.verify_email_seconds // 3600
            return account_mail.verification_mail(self._layout, user, token, valid_hours=hours)

        self._outbox.post(compose)

    def password_changed(self, user_id: str, *, by_reset: bool) -> None:
        async def compose() -> MailMessage:
            user = await self._users.get_user(user_id)
            return account_mail.password_changed_mail(self._layout, user, by_reset=by_reset)

        self._outbox.post(compose)

    def two_factor_changed(self, user_id: str, *, enabled: bool) -> None:
        async def compose() -> MailMessage:
            user = await self._users.get_user(user_id)
            return account_mail.two_factor_changed_mail(self._layout, user, enabled=enabled)

        self._outbox.post(compose)

    def personal_access_token_created(self, token: PersonalAccessToken) -> None:
        async def compose() -> MailMessage:
            user = await self._users.get_user(token.user_id)
            return account_mail.personal_access_token_created_mail(self._layout, user, token)

        self._outbox.post(compose)

    def new_device(self, user: User, issued: IssuedSession, device: str) -> None:
        """Mails the account when none of its other sessions on record (ended ones too, until
        their store forgets them) names the same device, so signing out and in again is quiet."""
        new_session_id, _ = split_refresh_token(issued.refresh_token)

        async def compose() -> MailMessage | None:
            sessions = await self._sessions.list_for_user(user.user_id)
            if any(s.user_agent == device for s in sessions if s.session_id != new_session_id):
                return None
            return account_mail.new_device_mail(self._layout, user, device=device)

        self._outbox.post(compose)
