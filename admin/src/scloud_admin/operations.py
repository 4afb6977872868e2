"""Everyday admin tasks on a running installation, through the services' own ports: find an
account by email, show it with its usage and sessions, end its sessions, lock and unlock it,
recount usage, set, clear and show a user's own storage quota, run the trash purge and the
upload sweeper now, and make, list and revoke invitations to register. Every action is recorded as a
security event naming the operator, so the audit trail shows who did what from the admin CLI."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from scloud_auth.domain import Session
from scloud_auth.ports import SessionRepository
from scloud_common.email_address import normalize_email
from scloud_common.security_events import SecurityEvent, record_security_event
from scloud_files.domain import StorageUsage
from scloud_files.ports import FileRepository
from scloud_files.repair_usage import repair_usage
from scloud_users.domain import Account, Invitation, UserNotFound
from scloud_users.ports import InvitationRepository, UserRepository
from scloud_users.registration_door import Invitations, IssuedInvitation

# Where the events say the action came from, beside the operator's name.
ADMIN_CLI = "scloud-admin"
# An operator's reason is free text: kept, but short enough for one log line.
MAX_REASON_LENGTH = 200


@dataclass(frozen=True)
class OperationPorts:
    """The stores of one installation the operations work on; `purge` and `sweep` each run one
    full pass of the files service's own job and answer how many items they handled."""

    users: UserRepository
    sessions: SessionRepository
    files: FileRepository
    purge: Callable[[], Awaitable[int]]
    sweep: Callable[[], Awaitable[int]]
    invitations: InvitationRepository


@dataclass(frozen=True)
class AccountView:
    account: Account
    usage: StorageUsage
    sessions: list[Session]


async def account_by_email(users: UserRepository, email: str) -> Account:
    account = await users.get_by_email(normalize_email(email))
    if account is None:
        raise UserNotFound(f"No account has the email {email.strip()}.")
    return account


class Operator:
    """Records each action as a security event under the operator's name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def record(self, action: str, *, user_id: str | None, **details: str | int | bool | None) -> None:
        record_security_event(
            SecurityEvent.ADMIN_ACTION, user_id=user_id, action=action, operator=self.name, via=ADMIN_CLI, **details
        )


class Accounts:
    """The account operations; each takes the email address the operator knows the user by."""

    def __init__(self, ports: OperationPorts, operator: Operator, *, now: Callable[[], float]) -> None:
        self._ports = ports
        self._operator = operator
        self._now = now

    async def _account(self, email: str) -> Account:
        return await account_by_email(self._ports.users, email)

    async def find(self, email: str) -> Account:
        account = await self._account(email)
        self._operator.record("user_find", user_id=account.user.user_id)
        return account

    async def show(self, email: str) -> AccountView:
        """The account, its totals, and its active sessions, newest first (as the user's own
        session list shows them)."""
        account = await self._account(email)
        user_id = account.user.user_id
        now = int(self._now())
        sessions = [s for s in await self._ports.sessions.list_for_user(user_id) if s.is_active(now)]
        sessions.sort(key=lambda s: (s.created_at, s.session_id), reverse=True)
        view = AccountView(account, await self._ports.files.usage(user_id), sessions)
        self._operator.record("user_show", user_id=user_id)
        return view

    async def revoke_sessions(self, email: str) -> int:
        """Ends every session; each service sees it within its session cache's bound."""
        account = await self._account(email)
        revoked = await self._ports.sessions.revoke_all_for_user(account.user.user_id)
        self._operator.record("user_revoke_sessions", user_id=account.user.user_id, revoked_sessions=revoked)
        return revoked

    async def lock(self, email: str, *, reason: str) -> int:
        """Locks the account, then ends its sessions: locked first, so no sign-in starts a new
        one in between. Answers how many sessions were ended."""
        account = await self._account(email)
        user_id = account.user.user_id
        await self._ports.users.set_locked(user_id, True)
        revoked = await self._ports.sessions.revoke_all_for_user(user_id)
        self._operator.record(
            "user_lock", user_id=user_id, reason=reason.strip()[:MAX_REASON_LENGTH], revoked_sessions=revoked
        )
        return revoked

    async def unlock(self, email: str) -> Account:
        account = await self._account(email)
        await self._ports.users.set_locked(account.user.user_id, False)
        self._operator.record("user_unlock", user_id=account.user.user_id)
        return await self._account(email)

    async def recount_usage(self, email: str) -> tuple[Account, StorageUsage]:
        account = await self._account(email)
        user_id = account.user.user_id
        repaired = await repair_usage(self._ports.files, [user_id])
        self._operator.record("usage_recount", user_id=user_id)
        return account, repaired[user_id]


@dataclass(frozen=True)
class QuotaView:
    """A user's storage: `used` counts every file until purged (the trash included), `quota` is
    what applies to them, `overridden` whether it is their own rather than the setting."""

    account: Account
    used: int
    trash: int
    quota: int
    overridden: bool


class Quotas:
    """Each user's own storage quota, in place of the files service's FILES_QUOTA_BYTES
    (`default_quota_bytes`). The user is named by their id or their email address."""

    def __init__(self, ports: OperationPorts, operator: Operator, *, default_quota_bytes: int) -> None:
        self._ports = ports
        self._operator = operator
        self._default = default_quota_bytes

    async def _account(self, user_or_email: str) -> Account:
        # User ids never hold an @, email addresses always do.
        if "@" in user_or_email:
            return await account_by_email(self._ports.users, user_or_email)
        account = await self._ports.users.get(user_or_email.strip())
        if account is None:
            raise UserNotFound(f"No account has the id {user_or_email.strip()}.")
        return account

    async def _view(self, account: Account) -> QuotaView:
        usage = await self._ports.files.usage(account.user.user_id)
        overridden = usage.quota_bytes is not None
        quota = usage.quota_bytes if usage.quota_bytes is not None else self._default
        return QuotaView(account, usage.bytes_used, usage.trash_bytes, quota, overridden)

    async def show(self, user_or_email: str) -> QuotaView:
        account = await self._account(user_or_email)
        view = await self._view(account)
        self._operator.record("quota_show", user_id=account.user.user_id)
        return view

    async def set(self, user_or_email: str, quota_bytes: int) -> QuotaView:
        """Takes effect on the user's next upload; what they already store stays, even above it."""
        if quota_bytes < 0:
            raise ValueError("a quota is 0 bytes or more")
        account = await self._account(user_or_email)
        await self._ports.files.set_quota(account.user.user_id, quota_bytes)
        self._operator.record("quota_set", user_id=account.user.user_id, quota_bytes=quota_bytes)
        return await self._view(account)

    async def clear(self, user_or_email: str) -> QuotaView:
        account = await self._account(user_or_email)
        await self._ports.files.set_quota(account.user.user_id, None)
        self._operator.record("quota_clear", user_id=account.user.user_id)
        return await self._view(account)


class Housekeeping:
    """The operations on every user at once."""

    def __init__(self, ports: OperationPorts, operator: Operator) -> None:
        self._ports = ports
        self._operator = operator

    async def recount_all(self) -> dict[str, StorageUsage]:
        repaired = await repair_usage(self._ports.files, None)
        self._operator.record("usage_recount_all", user_id=None, users=len(repaired))
        return repaired

    async def purge(self) -> int:
        purged = await self._ports.purge()
        self._operator.record("purge_run", user_id=None, purged_items=purged)
        return purged

    async def sweep(self) -> int:
        swept = await self._ports.sweep()
        self._operator.record("sweep_run", user_id=None, aborted_uploads=swept)
        return swept


class InvitationDesk:
    """The operator's invitations to register (for USERS_REGISTRATION=invite)."""

    def __init__(self, ports: OperationPorts, operator: Operator, *, now: Callable[[], float]) -> None:
        self._invitations = Invitations(ports.invitations, clock=now)
        self._operator = operator

    async def create(self, *, email: str | None, lifetime_days: int) -> IssuedInvitation:
        """An invitation for anyone holding the link, or only for `email`."""
        issued = await self._invitations.create(
            email=normalize_email(email) if email else None, lifetime_days=lifetime_days, created_by=self._operator.name
        )
        self._operator.record(
            "invite_create",
            user_id=None,
            invitation_id=issued.invitation.invitation_id,
            for_one_address=email is not None,
            lifetime_days=lifetime_days,
        )
        return issued

    async def list_all(self) -> list[Invitation]:
        invitations = await self._invitations.list_all()
        self._operator.record("invite_list", user_id=None, invitations=len(invitations))
        return invitations

    async def revoke(self, invitation_id: str) -> None:
        await self._invitations.revoke(invitation_id)
        self._operator.record("invite_revoke", user_id=None, invitation_id=invitation_id)
