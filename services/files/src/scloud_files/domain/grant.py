"""Sharing with people: a person's access to an item of the owner's, as a viewer or an editor.
docs/data-model.md ("Sharing with people") gives the records and the rules."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from scloud_common.errors import NotFound, PermissionDenied
from scloud_files.domain.item import ItemKind

# An invitation to an address without a verified account waits this long for one.
INVITATION_TTL = timedelta(days=30)
# People on one item: bounds the owner's "who has access" read and an item's purge.
MAX_PEOPLE_PER_ITEM = 100
PERSON_ID_PATTERN = r"[0-9a-f]{64}"


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"


def person_id_of(email: str) -> str:
    """The owner's handle on a person, and the key an invitation waits under: the SHA-256 of the
    normalised email, the same for an account and for an address without one."""
    return hashlib.sha256(email.encode()).hexdigest()


@dataclass(frozen=True)
class Grant:
    """One person's access to one item. `grantee_id` is the account's; None while the email has
    no verified account, when the grant is an invitation that ends at `expires_at`. `item_name`
    and `owner_name` are as of the grant: what the grantee's list shows without reading the
    owner's records. `in_drive` is the grantee's choice to see it in their drive."""

    owner_id: str
    item_id: str
    person_id: str
    email: str
    role: Role
    item_kind: ItemKind
    item_name: str
    owner_name: str
    created_at: str
    grantee_id: str | None = None
    expires_at: str | None = None
    in_drive: bool = False

    @property
    def is_invitation(self) -> bool:
        return self.grantee_id is None


class ShareNotFound(NotFound):
    code = "share_not_found"
    message = "Nothing is shared with you under this id."


class PersonNotFound(NotFound):
    code = "person_not_found"
    message = "This person has no access to the item."


class ViewerOnly(PermissionDenied):
    code = "viewer_only"
    message = "You can view this shared item but not change it: ask its owner to make you an editor."


class SharedRootFixed(PermissionDenied):
    code = "shared_root_fixed"
    message = "Only the owner can rename, move or delete the shared item itself; change what is inside it."


class TooManyPeople(PermissionDenied):
    code = "too_many_people"
    message = "This item is shared with as many people as allowed."


class CannotShareWithSelf(PermissionDenied):
    code = "cannot_share_with_self"
    message = "This item is yours already."
