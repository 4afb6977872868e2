"""In-memory implementations of the users service's ports, for unit tests."""

from scloud_common.errors import ServiceUnavailable
from scloud_users.domain import Account, EmailTaken, StorageUsage, User


class InMemoryUserRepository:
    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}

    async def add(self, account: Account) -> None:
        if any(a.user.email == account.user.email for a in self.accounts.values()):
            raise EmailTaken()
        self.accounts[account.user.user_id] = account

    async def get(self, user_id: str) -> Account | None:
        return self.accounts.get(user_id)

    async def get_by_email(self, email: str) -> Account | None:
        return next((a for a in self.accounts.values() if a.user.email == email), None)

    async def update_profile(self, user: User) -> None:
        self.accounts[user.user_id] = Account(user, self.accounts[user.user_id].password_hash)

    async def update_password_hash(self, user_id: str, password_hash: str) -> None:
        self.accounts[user_id] = Account(self.accounts[user_id].user, password_hash)

    async def delete(self, user_id: str) -> None:
        self.accounts.pop(user_id, None)


class InMemoryFilesPeer:
    def __init__(self) -> None:
        self.usage: dict[str, StorageUsage] = {}
        self.deleted_for: list[str] = []
        self.fail_deletion = False

    async def get_storage_usage(self, user_id: str) -> StorageUsage:
        return self.usage.get(user_id, StorageUsage(0, 0))

    async def delete_user_files(self, user_id: str) -> None:
        if self.fail_deletion:
            raise ServiceUnavailable()
        self.deleted_for.append(user_id)
        self.usage.pop(user_id, None)


class InMemoryAuthPeer:
    def __init__(self) -> None:
        self.revoked_for: list[str] = []

    async def revoke_user_sessions(self, user_id: str) -> None:
        self.revoked_for.append(user_id)
