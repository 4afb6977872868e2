"""Request and response bodies of sharing with people. No answer holds another account's id or
an object key: a person is named by the email the owner typed (and a hash of it), an owner by
their display name."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from scloud_common.web import ApiModel
from scloud_files.domain import Item, PathEntry
from scloud_files.domain.grant import Grant
from scloud_files.drive.shared_folder import SharedEntry
from scloud_files.drive.shared_with_me import SharedWithMe
from scloud_files.http.schemas import ROOT_ID, ItemRead
from scloud_files.http.upload_schemas import UploadCreate

RoleField = Literal["viewer", "editor"]


class PersonCreate(ApiModel):
    email: str = Field(min_length=3, max_length=320, description="The person's email address.")
    role: RoleField = Field(
        description="`viewer` reads and downloads; `editor` also uploads, renames, moves "
        "within and trashes inside a shared folder."
    )


class PersonUpdate(ApiModel):
    role: RoleField


class PersonRead(ApiModel):
    """Someone the item is shared with. Whether the address has an account is never said: an
    address without one is invited, and the invitation waits 30 days for it."""

    id: str = Field(description="The person's handle on this item (a hash of the address).")
    email: str = Field(description="As typed when sharing, normalised (lower case).")
    role: RoleField
    added_at: datetime

    @classmethod
    def from_domain(cls, grant: Grant) -> "PersonRead":
        return cls(
            id=grant.person_id,
            email=grant.email,
            role=grant.role.value,
            added_at=datetime.fromisoformat(grant.created_at),
        )


class PeopleRead(ApiModel):
    items: list[PersonRead]


class SharedWithMeRead(ApiModel):
    """An item someone shared with the user."""

    id: str = Field(description="The shared item's id: the share's handle in every route under it.")
    kind: Literal["file", "folder"]
    name: str
    role: RoleField
    owner_name: str = Field(description="The owner's display name, as of the share.")
    in_drive: bool = Field(description="Whether the user added it to their drive view.")
    shared_at: datetime
    size: int | None
    modified_at: datetime

    @classmethod
    def from_domain(cls, shared: SharedWithMe) -> "SharedWithMeRead":
        grant, item = shared.grant, shared.item
        return cls(
            id=item.item_id,
            kind=item.kind.value,
            name=item.name,
            role=grant.role.value,
            owner_name=grant.owner_name,
            in_drive=grant.in_drive,
            shared_at=datetime.fromisoformat(grant.created_at),
            size=None if item.is_folder else item.size,
            modified_at=datetime.fromisoformat(item.modified_at),
        )


class SharedWithMePageRead(ApiModel):
    items: list[SharedWithMeRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class InDriveUpdate(ApiModel):
    in_drive: bool


class SharedItemUpdate(ApiModel):
    name: str | None = Field(None, min_length=1, max_length=1000)
    parent_id: str | None = Field(
        None, max_length=40, description="A folder inside the share; `root` (or null) is the shared folder."
    )


def shared_item_read(item: Item, path: list[PathEntry], *, is_root: bool) -> ItemRead:
    """An item as the owner's API shows it, but nothing above the shared item: its own parent is
    null, and paths start below it."""
    read = ItemRead.from_domain(item, path)
    return read.model_copy(update={"parent_id": None}) if is_root else read


def shared_entry_read(entry: SharedEntry) -> ItemRead:
    return shared_item_read(entry.item, entry.path, is_root=entry.is_link_root)


class SharedFolderRead(ApiModel):
    folder: ItemRead
    items: list[ItemRead] = Field(description="Folders first, then files, in the order asked.")
    next_cursor: str | None


class SharedUploadCreate(UploadCreate):
    parent_id: str | None = Field(
        ROOT_ID, max_length=40, description="A folder inside the share; `root` (the default): the shared folder."
    )
