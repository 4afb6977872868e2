from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from scloud_common.web import ApiModel
from scloud_files.domain import (
    DEFAULT_CONTENT_TYPE,
    AccessEntry,
    PreviewKind,
    SharedItem,
    ShareLink,
    media_type_of_name,
    preview_kind,
)
from scloud_files.drive.shared_folder import SharedEntry, SharedFolderPage
from scloud_files.http.schemas import ROOT_ID, PathEntryRead, Rfc3339Time


class ShareLinkCreate(ApiModel):
    item_id: str = Field(max_length=40, description="The file or folder to share.")
    expires_at: Rfc3339Time | None = Field(
        None, description="When the link stops working; default 7 days from now, at most the configured maximum."
    )
    password: str | None = Field(None, min_length=1, max_length=256, description="Kept only as a bcrypt hash.")
    download_limit: int | None = Field(None, ge=1, le=1_000_000, description="Downloads the link allows; none if null.")
    show_owner_name: bool = Field(False, description="Show the owner's display name to visitors.")


class ShareLinkUpdate(ApiModel):
    """Only the fields sent change; a null password or downloadLimit removes it."""

    expires_at: Rfc3339Time | None = None
    password: str | None = Field(None, min_length=1, max_length=256, description="Kept only as a bcrypt hash.")
    download_limit: int | None = Field(None, ge=1, le=1_000_000)
    show_owner_name: bool | None = None


class ShareLinkRead(ApiModel):
    """A link as its owner sees it. The link id (the URL) is only in the answer that created it."""

    id: str = Field(description="The owner's handle on the link (not the link id visitors hold).")
    item_id: str
    item_kind: Literal["file", "folder"]
    created_at: datetime
    expires_at: datetime
    has_password: bool
    download_limit: int | None
    owner_name: str | None = Field(description="The display name visitors see; null if not shown.")
    revoked_at: datetime | None
    status: Literal["active", "revoked", "expired", "exhausted"]
    opens: int
    downloads: int
    refusals: int
    last_access_at: datetime | None

    @classmethod
    def from_domain(cls, link: ShareLink, now: str) -> "ShareLinkRead":
        refusal = link.refusal(now)
        return cls(
            id=link.link_ref,
            item_id=link.item_id,
            item_kind=link.item_kind.value,
            created_at=datetime.fromisoformat(link.created_at),
            expires_at=datetime.fromisoformat(link.expires_at),
            has_password=link.password_hash is not None,
            download_limit=link.download_limit,
            owner_name=link.owner_name,
            revoked_at=datetime.fromisoformat(link.revoked_at) if link.revoked_at else None,
            status=refusal.value if refusal else "active",  # type: ignore[arg-type]
            opens=link.open_count,
            downloads=link.download_count,
            refusals=link.refused_count,
            last_access_at=datetime.fromisoformat(link.last_access_at) if link.last_access_at else None,
        )


class ShareLinkCreated(ShareLinkRead):
    link_id: str = Field(description="The id visitors hold (128 random bits); shown this once, never stored.")
    url: str = Field(description="The public page of the link: `/s/<linkId>`.")


class ShareLinkPageRead(ApiModel):
    items: list[ShareLinkRead]
    next_cursor: str | None


class AccessEntryRead(ApiModel):
    at: datetime
    event: Literal["open", "list", "download", "zip", "refused"]
    reason: Literal["password_required", "wrong_password", "throttled", "expired", "revoked", "exhausted"] | None = (
        Field(description="Why a refused access was refused.")
    )
    browser: str = Field(description="Browser family only (Firefox, Chrome, Safari, Edge, Opera, bot, other...).")
    network: str = Field(description="The client's network (IPv4 /24, IPv6 /48), never its address.")

    @classmethod
    def from_domain(cls, entry: AccessEntry) -> "AccessEntryRead":
        return cls(
            at=datetime.fromisoformat(entry.at),
            event=entry.event.value,
            reason=entry.reason.value if entry.reason else None,
            browser=entry.browser,
            network=entry.network,
        )


class AccessLogRead(ApiModel):
    link: ShareLinkRead
    items: list[AccessEntryRead] = Field(description="Newest first.")
    next_cursor: str | None


PreviewFor = Annotated[
    PreviewKind | None,
    Field(
        description="How the file shows in a browser through its `preview` route (the owner's preview's allow "
        "list; `text` is served as plain text); null: download only, and for folders."
    ),
]


class SharedItemRead(ApiModel):
    """What a visitor sees of a shared item: no ids, no path, nothing of the owner but the name
    they chose to show."""

    name: str
    kind: Literal["file", "folder"]
    size: int | None
    type: str | None = Field(description="Media type, for files.")
    modified_at: datetime
    expires_at: datetime
    downloads_left: int | None
    owner_name: str | None
    preview: PreviewFor

    @classmethod
    def from_domain(cls, item: SharedItem) -> "SharedItemRead":
        return cls(
            name=item.name,
            kind=item.kind.value,
            size=item.size,
            type=item.media_type,
            modified_at=datetime.fromisoformat(item.modified_at),
            expires_at=datetime.fromisoformat(item.expires_at),
            downloads_left=item.downloads_left,
            owner_name=item.owner_name,
            preview=item.preview,
        )


class LinkUnlock(ApiModel):
    password: str = Field(min_length=1, max_length=256)


class LinkUnlockRead(ApiModel):
    unlock_token: str = Field(description="Send as the `X-Share-Unlock` header on this link's requests.")
    expires_at: datetime


class SharedEntryRead(ApiModel):
    """An item reached through a folder link. The link's folder is `root`; `path` holds the
    folders between it and the item, never anything above the link's folder."""

    id: str = Field(description="`root` for the link's folder itself.")
    kind: Literal["file", "folder"]
    name: str
    size: int | None
    type: str | None = Field(description="Media type, for files.")
    modified_at: datetime
    path: list[PathEntryRead] = Field(description="Folders from the link's folder (excluded) down to the item.")
    preview: PreviewFor

    @classmethod
    def from_domain(cls, entry: SharedEntry, *, path: bool = True) -> "SharedEntryRead":
        item = entry.item
        return cls(
            id=ROOT_ID if entry.is_link_root else item.item_id,
            kind=item.kind.value,
            name=item.name,
            size=None if item.is_folder else item.size,
            type=None if item.is_folder else item.media_type or media_type_of_name(item.name) or DEFAULT_CONTENT_TYPE,
            modified_at=datetime.fromisoformat(item.modified_at),
            path=[PathEntryRead.from_domain(folder) for folder in entry.path] if path else [],
            preview=None if item.is_folder else preview_kind(item),
        )


class SharedFolderPageRead(ApiModel):
    folder: SharedEntryRead
    items: list[SharedEntryRead] = Field(description="Folders first, then files, in the order asked; no paths.")
    next_cursor: str | None

    @classmethod
    def from_domain(cls, shared: SharedFolderPage) -> "SharedFolderPageRead":
        return cls(
            folder=SharedEntryRead.from_domain(shared.folder),
            items=[
                SharedEntryRead.from_domain(SharedEntry(item, [], is_link_root=False), path=False)
                for item in shared.page.items
            ],
            next_cursor=shared.page.next_cursor,
        )


class SharedArchiveCreate(ApiModel):
    ids: list[str] = Field(
        min_length=1, max_length=1000, description="Items inside the link's folder; `root` is the folder itself."
    )
