"""Users use cases: accounts for auth, profiles for the browser, account deletion."""

import dataclasses
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from scloud_common.mail import MailLayout, MailMessage
from scloud_common.security_events import SecurityEvent, record_security_event
from scloud_users.domain import (
    Account,
    StorageUsage,
    User,
    UserNotFound,
    clean_date_of_birth,
    clean_gender,
    clean_username,
)
from scloud_users.ports import AuthPeer, FilesPeer, Outbox, UserRepository
from scloud_users.registration_door import RegistrationDoor, RegistrationPolicy

logger = logging.getLogger(__name__)


class UserService:
    def __init__(
        self,
        *,
        repository: UserRepository,
        files: FilesPeer,
        auth: AuthPeer,
        outbox: Outbox,
        mail_layout: MailLayout,
        door: RegistrationDoor | None = None,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self._repository = repository
        self._files = files
        self._auth = auth
        self._outbox = outbox
        self._mail_layout = mail_layout
        self.door = door or RegistrationDoor(RegistrationPolicy(), None)
        self._today = today

    async def create_user(
        self,
        *,
        email: str,
        username: str,
        password_hash: str,
        gender: str | None,
        date_of_birth: str | None,
        invitation_token: str | None = None,
    ) -> User:
        """Refused first by the door (invite-only, email domains), so that whoever may not register
        learns nothing else, not even whether the email has an account."""
        claim = await self.door.admit(email, invitation_token)
        user = User(
            user_id=uuid.uuid4().hex,
            # Auth normalised the email (IDNA domain, lower case); normalising again could only diverge.
            email=email,
            username=clean_username(username),
            gender=clean_gender(gender),
            date_of_birth=clean_date_of_birth(date_of_birth, today=self._today()),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        await self._repository.add(Account(user, password_hash), invitation=claim)
        logger.info(
            "account created", extra={"user_id": user.user_id, "invitation_id": claim.invitation_id if claim else None}
        )
        return user

    async def get_account_by_email(self, email: str) -> Account:
        account = await self._repository.get_by_email(email)
        if account is None:
            raise UserNotFound()
        return account

    async def get_account(self, user_id: str) -> Account:
        account = await self._repository.get(user_id)
        if account is None:
            raise UserNotFound()
        return account

    async def get_user(self, user_id: str) -> User:
        return (await self.get_account(user_id)).user

    async def find_verified_user(self, email: str) -> User:
        """The account whose verified email this is; UserNotFound for an unknown or unverified
        one alike, so the caller cannot tell them apart."""
        account = await self._repository.get_by_email(email)
        if account is None or not account.user.email_verified:
            raise UserNotFound()
        return account.user

    async def update_password_hash(self, user_id: str, password_hash: str) -> None:
        await self.get_account(user_id)
        await self._repository.update_password_hash(user_id, password_hash)

    async def mark_email_verified(self, user_id: str) -> None:
        await self.get_account(user_id)
        await self._repository.mark_email_verified(user_id)

    async def get_profile(self, user_id: str) -> tuple[User, StorageUsage]:
        user = await self.get_user(user_id)
        return user, await self._files.get_storage_usage(user_id)

    async def update_profile(self, user_id: str, changes: dict[str, Any]) -> tuple[User, StorageUsage]:
        """Applies the fields present in `changes` (username, gender, date_of_birth); None clears
        gender and date of birth."""
        user = await self.get_user(user_id)
        updated = dataclasses.replace(
            user,
            username=clean_username(changes["username"]) if "username" in changes else user.username,
            gender=clean_gender(changes["gender"]) if "gender" in changes else user.gender,
            date_of_birth=(
                clean_date_of_birth(changes["date_of_birth"], today=self._today())
                if "date_of_birth" in changes
                else user.date_of_birth
            ),
        )
        if updated != user:
            await self._repository.update_profile(updated)
        return await self.get_profile(user_id)

    async def delete_account(self, user_id: str, password: str) -> None:
        """After checking the password (throttled by auth), ends every session first, so access
        stops before anything else; then deletes the files, auth's other data, then the account. Each step is
        idempotent, so a retry after a failure part way finishes the job: the account stays until
        its files are gone, so the user can sign in again and retry."""
        await self._auth.verify_password(user_id, password)
        account = await self._repository.get(user_id)
        await self._auth.revoke_user_sessions(user_id)
        await self._files.delete_user_files(user_id)
        await self._auth.forget_user(user_id)
        await self._repository.delete(user_id)
        record_security_event(SecurityEvent.ACCOUNT_DELETED, user_id=user_id)
        if account is not None:
            user = account.user
            self._outbox.post(lambda: self._account_deleted_mail(user))

    async def _account_deleted_mail(self, user: User) -> MailMessage:
        return self._mail_layout.render(
            kind="account_deleted",
            to=user.email,
            name=user.username,
            subject="your account was deleted",
            paragraphs=[
                "Your account and every file in it were deleted, as asked from the profile page. "
                "This cannot be undone.",
                "If this was not you, someone knew your password: change it wherever you used it too.",
            ],
        )
