"""In-memory implementations of the users service's ports, for unit tests."""

import dataclasses
from typing import TYPE_CHECKING

from scloud_common.errors import AlreadyExists, ServiceUnavailable
from scloud_users.domain import (
    Account,
    EmailTaken,
    Invitation,
    InvitationClaim,
    InvitationInvalid,
    StorageUsage,
    User,
    UserNotFound,
    WrongPassword,
)

if TYPE_CHECKING:
    from scloud_users.ports import AuthPeer, FilesPeer, InvitationRepository, UserRepository


class InMemoryUserRepository:
    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        # Shared with InMemoryInvitationRepository, as both adapters share one store.
        self.invitations: dict[str, Invitation] = {}

    async def add(self, account: Account, *, invitation: InvitationClaim | None = None) -> None:
        if any(a.user.email == account.user.email for a in self.accounts.values()):
            raise EmailTaken()
        if invitation is not None:
            claimed = self.invitations.get(invitation.invitation_id)
            if claimed is None or not claimed.is_usable(invitation.used_at):
                raise InvitationInvalid()
            self.invitations[claimed.invitation_id] = dataclasses.replace(claimed, used_at=invitation.used_at)
        self.accounts[account.user.user_id] = account

    async def get(self, user_id: str) -> Account | None:
        return self.accounts.get(user_id)

    async def get_by_email(self, email: str) -> Account | None:
        return next((a for a in self.accounts.values() if a.user.email == email), None)

    async def update_profile(self, user: User) -> None:
        if user.user_id not in self.accounts:
            raise UserNotFound()
        stored = self.accounts[user.user_id]
        # Only the profile fields change, as in the DynamoDB adapter.
        profile = dataclasses.replace(
            stored.user, username=user.username, gender=user.gender, date_of_birth=user.date_of_birth
        )
        self.accounts[user.user_id] = Account(profile, stored.password_hash)

    async def update_password_hash(self, user_id: str, password_hash: str) -> None:
        if user_id not in self.accounts:
            raise UserNotFound()
        self.accounts[user_id] = Account(self.accounts[user_id].user, password_hash)

    async def mark_email_verified(self, user_id: str) -> None:
        if user_id not in self.accounts:
            raise UserNotFound()
        account = self.accounts[user_id]
        self.accounts[user_id] = Account(dataclasses.replace(account.user, email_verified=True), account.password_hash)

    async def set_locked(self, user_id: str, locked: bool) -> None:
        if user_id not in self.accounts:
            raise UserNotFound()
        account = self.accounts[user_id]
        self.accounts[user_id] = Account(dataclasses.replace(account.user, locked=locked), account.password_hash)

    async def delete(self, user_id: str) -> None:
        self.accounts.pop(user_id, None)


class InMemoryInvitationRepository:
    def __init__(self, users: InMemoryUserRepository) -> None:
        self._invitations = users.invitations

    async def add(self, invitation: Invitation) -> None:
        if invitation.invitation_id in self._invitations:
            raise AlreadyExists()
        self._invitations[invitation.invitation_id] = invitation

    async def get(self, invitation_id: str) -> Invitation | None:
        return self._invitations.get(invitation_id)

    async def list_all(self) -> list[Invitation]:
        return list(self._invitations.values())

    async def delete(self, invitation_id: str) -> bool:
        return self._invitations.pop(invitation_id, None) is not None


class InMemoryFilesPeer:
    def __init__(self, *, calls: list[str] | None = None) -> None:
        self.usage: dict[str, StorageUsage] = {}
        self.deleted_for: list[str] = []
        self.fail_deletion = False
        self.calls = calls if calls is not None else []

    async def get_storage_usage(self, user_id: str) -> StorageUsage:
        return self.usage.get(user_id, StorageUsage(0, 0))

    async def delete_user_files(self, user_id: str) -> None:
        if self.fail_deletion:
            raise ServiceUnavailable()
        self.calls.append("delete_files")
        self.deleted_for.append(user_id)
        self.usage.pop(user_id, None)


class InMemoryAuthPeer:
    def __init__(self, *, calls: list[str] | None = None) -> None:
        self.revoked_for: list[str] = []
        self.passwords: dict[str, str] = {}
        self.fail_revocation = False
        # Shared with InMemoryFilesPeer by tests that check the order of the steps.
        self.calls = calls if calls is not None else []

    async def revoke_user_sessions(self, user_id: str) -> None:
        if self.fail_revocation:
            raise ServiceUnavailable()
        self.calls.append("revoke_sessions")
        self.revoked_for.append(user_id)

    async def forget_user(self, user_id: str) -> None:
        self.calls.append("forget_user")

    async def verify_password(self, user_id: str, password: str) -> None:
        if self.passwords.get(user_id) != password:
            raise WrongPassword()


# Protocols are structural, so nothing holds a fake to its port until a test happens to call what
# drifted. These assignments make mypy (`make lint`) do it; the adapters are held to the same ports
# where bootstrap assigns them to its Protocol-typed parameters.
if TYPE_CHECKING:
    _user_repository: UserRepository = InMemoryUserRepository()
    _invitation_repository: InvitationRepository = InMemoryInvitationRepository(InMemoryUserRepository())
    _files_peer: FilesPeer = InMemoryFilesPeer()
    _auth_peer: AuthPeer = InMemoryAuthPeer()
