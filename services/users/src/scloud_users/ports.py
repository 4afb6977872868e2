"""What the users use cases need from the outside world."""

from typing import Protocol

from scloud_common.mail import MailJob
from scloud_users.domain import Account, Invitation, InvitationClaim, StorageUsage, User


class UserRepository(Protocol):
    async def add(self, account: Account, *, invitation: InvitationClaim | None = None) -> None:
        """Stores a new account; raises EmailTaken if the email is in use, even under a race.
        With `invitation`, marks that invitation used in the same atomic write, and raises
        InvitationInvalid (storing nothing) unless it is there, unused, and not expired at the
        claim's time: of concurrent registrations with one invitation, one at most succeeds."""
        ...

    async def get(self, user_id: str) -> Account | None: ...

    async def get_by_email(self, email: str) -> Account | None: ...

    async def update_profile(self, user: User) -> None:
        """Raises UserNotFound if the account does not exist (any more)."""
        ...

    async def update_password_hash(self, user_id: str, password_hash: str) -> None:
        """Raises UserNotFound if the account does not exist (any more)."""
        ...

    async def mark_email_verified(self, user_id: str) -> None:
        """Raises UserNotFound if the account does not exist (any more)."""
        ...

    async def set_locked(self, user_id: str, locked: bool) -> None:
        """Locks or unlocks the account; the profile updates leave the flag alone. Raises
        UserNotFound if the account does not exist (any more). Idempotent."""
        ...

    async def delete(self, user_id: str) -> None:
        """Removes the account and frees its email. Idempotent."""
        ...


class InvitationRepository(Protocol):
    """Operators' invitations to register; kept in the store of the accounts, so that an account
    and the claim of its invitation are one write (UserRepository.add)."""

    async def add(self, invitation: Invitation) -> None:
        """Stores a new invitation; raises AlreadyExists if its id is taken."""
        ...

    async def get(self, invitation_id: str) -> Invitation | None:
        """The invitation, used or expired ones included (the caller judges)."""
        ...

    async def list_all(self) -> list[Invitation]:
        """Every stored invitation, used and expired ones included, in no order."""
        ...

    async def delete(self, invitation_id: str) -> bool:
        """Forgets the invitation (a revoked link is refused like an unknown one); False if the
        store did not hold it."""
        ...


class FilesPeer(Protocol):
    async def get_storage_usage(self, user_id: str) -> StorageUsage: ...

    async def delete_user_files(self, user_id: str) -> None: ...


class AuthPeer(Protocol):
    async def revoke_user_sessions(self, user_id: str) -> None: ...

    async def forget_user(self, user_id: str) -> None:
        """Deletes auth's other data about the account (two-factor settings). Idempotent."""
        ...

    async def verify_password(self, user_id: str, password: str) -> None:
        """Raises WrongPassword, or TooManyAttempts while the account is throttled."""
        ...


class PasswordHasher(Protocol):
    """bcrypt on its own bounded pool (scloud_common.password_hash), in the format auth verifies."""

    async def hash(self, password: str) -> str: ...


class Outbox(Protocol):
    def post(self, job: MailJob) -> None:
        """Runs the job off the request path and sends the message it composes, if any."""
        ...
