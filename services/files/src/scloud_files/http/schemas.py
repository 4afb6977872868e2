from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BeforeValidator, Field

from scloud_common.web import ApiModel
from scloud_files.domain import (
    DEFAULT_CONTENT_TYPE,
    BulkResult,
    Item,
    ItemPage,
    PathEntry,
    ThumbnailState,
    media_type_of_name,
)

ROOT_ID = "root"

ThumbnailRead = Literal["pending", "ready", "failed", "none"]
# The stores keep the worker's giving up as `refused` (the SQLite column's CHECK names it); the API
# says `failed`, beside `none` for the files the worker never takes.
THUMBNAIL_READ: dict[ThumbnailState | None, ThumbnailRead] = {
    ThumbnailState.PENDING: "pending",
    ThumbnailState.READY: "ready",
    ThumbnailState.REFUSED: "failed",
    None: "none",
}


def _parse_rfc3339(value: object) -> object:
    # Pydantic alone would also take a number (as a Unix timestamp); times come as RFC 3339 text.
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 timestamp with an offset, e.g. 2026-11-25T09:30:00Z")
    return datetime.fromisoformat(value)


Rfc3339Time = Annotated[AwareDatetime, BeforeValidator(_parse_rfc3339)]


class PathEntryRead(ApiModel):
    id: str
    name: str

    @classmethod
    def from_domain(cls, entry: PathEntry) -> "PathEntryRead":
        return cls(id=entry.item_id, name=entry.name)


class ItemRead(ApiModel):
    """A file or a folder."""

    id: str = Field(description="ULID; files and folders share the id space. `root` for the root folder.")
    kind: Literal["file", "folder"]
    name: str
    parent_id: str | None = Field(
        description="The folder holding the item: `root` for a top-level item; null only for the root folder itself."
    )
    size: int | None = Field(description="Bytes; null for folders.")
    type: str | None = Field(description="Media type a file is served with; null for folders.")
    media_type: str | None = Field(
        None,
        description="What the file is, detected from its name and first bytes at upload (e.g. text/csv, "
        "application/zip): for labels and icons only. Null for folders.",
    )
    created_at: str = Field(description="RFC 3339, UTC.")
    modified_at: str = Field(description="RFC 3339, UTC; renames, moves and replacements update it.")
    trashed_at: str | None = Field(description="When the item was moved to the trash; null if it is not.")
    sha256: str | None = Field(
        None,
        description="The file's full-object SHA-256 as S3 verified and stored it, base64: for a direct upload "
        "in parts the composite `base64(sha256(part digests concatenated))-<parts>`. Null for folders and for "
        "files uploaded through `POST /api/v1/files/upload`.",
    )
    checksum_part_size: int | None = Field(
        None,
        description="For a composite `sha256` (`-<parts>`): the bytes of every part but the last, which a client "
        "needs to compute the same composite from a download. Null for a whole file's checksum, folders and "
        "files uploaded before it was recorded (then only the part count is known).",
    )
    thumbnail: ThumbnailRead = Field(
        "none",
        description="Where the file's thumbnails stand: `pending` while the worker has still to make them "
        "(an image of a type it renders), `ready` once stored (`GET /api/v1/files/{id}/thumbnail` links to "
        "them), `failed` when the worker tried and gave up on the image (undecodable, too big, too slow), "
        "`none` for folders and files it does not render. Only `pending` changes by itself. The same in "
        "every answer that holds items (folder listings, search, the flat list, the trash).",
    )
    path: list[PathEntryRead] | None = Field(
        None,
        description="The folders from the root (excluded) down to the item's folder. Present in search results, "
        "trash listings (original location as it is now; empty if gone) and folder reads.",
    )
    shared: bool = Field(
        False,
        description="The item has a share link that is neither revoked nor expired. Set in folder listings and "
        "search results; false elsewhere.",
    )
    starred: bool = Field(
        False,
        description="The user starred the item. Set in folder listings, search results, Starred and the reads "
        "of one file or folder; false elsewhere.",
    )

    @classmethod
    def from_domain(
        cls, item: Item, path: list[PathEntry] | None = None, *, shared: bool = False, starred: bool = False
    ) -> "ItemRead":
        return cls(
            id=item.item_id,
            kind=item.kind.value,
            name=item.name,
            parent_id=item.parent_id or ROOT_ID,
            size=item.size if not item.is_folder else None,
            type=item.content_type if not item.is_folder else None,
            media_type=None
            if item.is_folder
            else item.media_type or media_type_of_name(item.name) or DEFAULT_CONTENT_TYPE,
            created_at=item.created_at,
            modified_at=item.modified_at,
            trashed_at=item.trashed_at,
            sha256=None if item.is_folder else item.sha256,
            checksum_part_size=None if item.is_folder else item.checksum_part_size,
            thumbnail=THUMBNAIL_READ[item.thumbnail] if not item.is_folder else "none",
            path=[PathEntryRead.from_domain(entry) for entry in path] if path is not None else None,
            shared=shared,
            starred=starred,
        )

    @classmethod
    def root(cls) -> "ItemRead":
        epoch = "1970-01-01T00:00:00+00:00"
        return cls(
            id=ROOT_ID,
            kind="folder",
            name="",
            parent_id=None,
            size=None,
            type=None,
            media_type=None,
            created_at=epoch,
            modified_at=epoch,
            trashed_at=None,
            path=[],
        )


class ItemPageRead(ApiModel):
    items: list[ItemRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")

    @classmethod
    def from_domain(cls, page: ItemPage, *, with_paths: bool = False) -> "ItemPageRead":
        return cls(
            items=[
                ItemRead.from_domain(
                    item,
                    page.paths.get(item.item_id, []) if with_paths else None,
                    shared=item.item_id in page.shared,
                    starred=item.item_id in page.starred,
                )
                for item in page.items
            ],
            next_cursor=page.next_cursor,
        )


class FailedItemRead(ApiModel):
    id: str
    code: str
    message: str


class BulkResultRead(ApiModel):
    items: list[ItemRead] = Field(description="The items as they are after the action.")
    failed: list[FailedItemRead] = Field(description="Items left as they were, each with the reason.")
    remaining: list[str] = Field(
        description="Ids not attempted yet, in the order sent: the server works within a time budget (and "
        "stops after an outage). Send them again, in a new request, until this is empty."
    )

    @classmethod
    def from_domain(cls, result: BulkResult) -> "BulkResultRead":
        return cls(
            items=[ItemRead.from_domain(item, result.paths.get(item.item_id)) for item in result.items],
            failed=[
                FailedItemRead(id=item_id, code=error.code, message=error.message) for item_id, error in result.failed
            ],
            remaining=result.remaining,
        )


BulkIds = Annotated[
    list[str], Field(min_length=1, description="At most 500 ids (more: 422 `too_many_items`, `details.max`).")
]


class FolderCreate(ApiModel):
    name: str = Field(
        min_length=1, max_length=1000, description="`.`, `..` and names of only dots and spaces: 422 `invalid_name`."
    )
    parent_id: str | None = Field(ROOT_ID, description="The folder to create in; `root` (the default) for the root.")
    on_conflict: Literal["fail", "rename", "merge"] = Field(
        "fail",
        description="If the name is taken: `fail` (409 `name_taken`), `rename` (`name (1)`), or `merge` "
        "(answer the existing folder, 200).",
    )


class ItemUpdate(ApiModel):
    name: str | None = Field(
        None,
        min_length=1,
        max_length=1000,
        description="New name; absent to keep it. `.`, `..` and names of only dots and spaces: 422 `invalid_name`.",
    )
    parent_id: str | None = Field(None, description="Folder to move into (`root` for the root); absent to stay.")


class ItemsMove(ApiModel):
    ids: BulkIds
    parent_id: str | None = Field(ROOT_ID, description="The folder to move into; `root` (the default) for the root.")
    on_conflict: Literal["fail", "rename"] = "fail"


class ItemsSelection(ApiModel):
    ids: BulkIds


class TrashRestore(ApiModel):
    ids: BulkIds
    on_conflict: Literal["fail", "rename", "replace"] = Field(
        "fail", description="If the name is taken where an item returns: fail it, keep both, or trash the other."
    )


class ArchiveCreate(ApiModel):
    ids: list[str] = Field(min_length=1, max_length=1000)
    name: str | None = Field(None, min_length=1, max_length=255, description="File name of the ZIP, without `.zip`.")


class ArchiveLinkRead(ApiModel):
    url: str = Field(description="Same-origin path to GET once, within a minute, without Authorization.")
    expires_at: datetime

    @classmethod
    def for_token(cls, token: str, expires_at: datetime) -> "ArchiveLinkRead":
        """The link of a one-time archive token, owner's or visitor's alike: the owner's route
        `GET /api/v1/files/archive/{token}` serves both."""
        return cls(url=f"/api/v1/files/archive/{token}", expires_at=expires_at)


class DownloadLinkRead(ApiModel):
    url: str = Field(description="Presigned GET of the file's bytes, as an attachment unless shown inline.")
    expires_at: datetime


class ThumbnailLinkRead(ApiModel):
    url: str = Field(description="Presigned GET of the rendition (image/webp).")
    expires_at: datetime


class LimitsRead(ApiModel):
    max_upload_bytes: int = Field(description="Largest file `POST /api/v1/files/upload` takes.")
    max_file_bytes: int = Field(description="Largest file a direct upload (`POST /api/v1/uploads`) takes.")
    max_batch_files: int = Field(description="Files one `POST /api/v1/uploads/batches` declares at most.")
    max_batch_file_bytes: int = Field(description="Largest file a batch (`POST /api/v1/uploads/batches`) takes.")
    quota_bytes: int = Field(
        description="The user's storage quota: their own if the admin set one, the service's setting otherwise."
    )
    used_bytes: int = Field(
        description="What counts against the quota: every file until purged (the trash included) and the "
        "declared sizes of uploads in progress."
    )
    trash_bytes: int = Field(
        description="The share of `usedBytes` in files the user moved to the trash themselves (the content of "
        "a trashed folder is not in it)."
    )
    trash_retention_days: int = Field(description="Days a trashed item stays in the trash before it is purged.")
