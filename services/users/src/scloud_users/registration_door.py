"""Who may register: the door setting (open, invite-only, or email domains) applied to each new
account, and the operators' invitations (scloud-admin invite create|list|revoke).

An invitation's token is `<invitationId>.<secret>`: the id finds the record, and the store keeps
only a hash of the whole token, so a leaked table opens no door."""

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from scloud_users.domain import (
    EmailDomainNotAllowed,
    Invitation,
    InvitationClaim,
    InvitationInvalid,
    InvitationNotFound,
    InvitationRequired,
    RegistrationMode,
)
from scloud_users.ports import InvitationRepository

Clock = Callable[[], float]
DAY_SECONDS = 24 * 3600
MAX_INVITATION_TOKEN_LENGTH = 128
REGISTER_PATH = "/register"


def hash_invitation_token(token: str) -> str:
    # The secret is 256 random bits, so a plain SHA-256 is enough.
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{REGISTER_PATH}?invite={token}"


@dataclass(frozen=True)
class RegistrationPolicy:
    mode: RegistrationMode = "open"
    # In the spelling of normalised emails (IDNA, lower case); only read in `domains` mode.
    domains: tuple[str, ...] = ()


class RegistrationDoor:
    """Admits a new account or refuses it with the reason the page can show."""

    def __init__(
        self, policy: RegistrationPolicy, invitations: InvitationRepository | None, *, clock: Clock = time.time
    ) -> None:
        if policy.mode == "invite" and invitations is None:
            raise ValueError("an invite-only door needs the invitation store")
        self.policy = policy
        self._invitations = invitations
        self._clock = clock

    async def admit(self, email: str, invitation_token: str | None) -> InvitationClaim | None:
        """The claim to write with the account (invite-only), or None when none is needed.
        `email` comes normalised."""
        if self.policy.mode == "domains":
            if email.rpartition("@")[2] not in self.policy.domains:
                raise EmailDomainNotAllowed()
            return None
        if self.policy.mode == "open":
            return None
        if not invitation_token:
            raise InvitationRequired()
        invitation = await self._find(invitation_token)
        now = int(self._clock())
        if invitation is None or not invitation.is_usable(now) or invitation.email not in (None, email):
            raise InvitationInvalid()
        return InvitationClaim(invitation.invitation_id, used_at=now)

    async def _find(self, token: str) -> Invitation | None:
        invitation_id, _, secret = token.partition(".")
        if not invitation_id or not secret or len(token) > MAX_INVITATION_TOKEN_LENGTH or self._invitations is None:
            return None
        invitation = await self._invitations.get(invitation_id)
        if invitation is None or not hmac.compare_digest(invitation.token_hash, hash_invitation_token(token)):
            return None
        return invitation


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    # Shown once, to the operator; the store has only its hash.
    token: str


class Invitations:
    """The operator's invitations: create, list, revoke."""

    def __init__(self, repository: InvitationRepository, *, clock: Clock = time.time) -> None:
        self._repository = repository
        self._clock = clock

    async def create(self, *, email: str | None, lifetime_days: int, created_by: str) -> IssuedInvitation:
        if lifetime_days < 1:
            raise ValueError("an invitation lives at least one day")
        invitation_id = secrets.token_hex(8)
        token = f"{invitation_id}.{secrets.token_urlsafe(32)}"
        now = int(self._clock())
        invitation = Invitation(
            invitation_id=invitation_id,
            token_hash=hash_invitation_token(token),
            email=email,
            created_by=created_by,
            created_at=now,
            expires_at=now + lifetime_days * DAY_SECONDS,
        )
        await self._repository.add(invitation)
        return IssuedInvitation(invitation, token)

    async def list_all(self) -> list[Invitation]:
        """Newest first."""
        invitations = await self._repository.list_all()
        return sorted(invitations, key=lambda i: (i.created_at, i.invitation_id), reverse=True)

    async def revoke(self, invitation_id: str) -> None:
        if not await self._repository.delete(invitation_id):
            raise InvitationNotFound()
