"""What the files use cases need from the outside world."""

from collections.abc import AsyncIterable, AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from scloud_files.domain import (
    AccessEntry,
    ArchiveRequest,
    CompletedPart,
    FileRequest,
    FileVersion,
    Item,
    ItemKind,
    ObjectHead,
    PendingUpload,
    ReceivedFile,
    Rendition,
    ShareLink,
    SortField,
    StorageUsage,
    StoredObject,
    StoredPart,
    ThumbnailState,
    UnfiledFile,
)
from scloud_files.domain.activity import ActivityEvent, RecentTouch
from scloud_files.domain.copy_job import CopyJob
from scloud_files.domain.grant import Grant, Role
from scloud_files.domain.star import Star


class FileVersions(Protocol):
    """The contents a file served before its latest upload, kept by the file repository itself:
    a new version changes the file's record, its versions and the totals in one write. Every
    version's bytes are an object of their own (docs/data-model.md, "Versions")."""

    async def add_version(self, file: Item, content: Item, superseded: FileVersion) -> Item:
        """Makes `content` (an upload's bytes, recorded under their own id) the content of
        `file`, which keeps its id, name, folder and creation time; `superseded`, the content it
        served, is kept as a version until its `expires_at`. The totals grow by the new bytes
        (no file is added). ItemNotFound, and nothing written, if the file is gone, trashed or
        its content changed since it was read; AccountClosed if the account is closed. Returns
        the file as written."""
        ...

    async def list_versions(self, user_id: str, file_id: str) -> list[FileVersion]:
        """The file's earlier versions (not the current one), newest first, in one round trip
        whatever the drive holds; bounded by the retention's maximum."""
        ...

    async def get_version(self, user_id: str, version_id: str) -> FileVersion | None:
        """A version recorded under its id: an earlier one, or the current content of a file
        that was replaced (a file's first content has no record while it is current)."""
        ...

    async def recorded_objects(self, user_id: str, object_ids: Sequence[str]) -> set[str]:
        """Those of `object_ids` that are versions' (current or earlier), in one round trip per
        100: the reconcile pass leaves their objects alone."""
        ...

    async def due_versions(self, now: str, *, limit: int) -> list[FileVersion]:
        """Earlier versions of any user whose `expires_at` is not after `now`, up to `limit`."""
        ...

    async def delete_version(self, version: FileVersion) -> None:
        """Removes an earlier version's record and takes its bytes off the totals. Idempotent."""
        ...


class FileRepository(FileVersions, Protocol):
    """The metadata of a user's drive: files and folders keyed by (user id, item id), the names
    taken in each folder, the trash, and each user's totals, which change in the same atomic
    write as the file records they count. Trashed files still count until purged."""

    async def create(self, item: Item) -> None:
        """Records the item and takes its name in its folder; a file is added to the totals.
        NameTaken if the folder has the name already; AccountClosed, and nothing written, if the
        user's account has been closed; FolderNotFound, and nothing written, if the parent (unless
        the root) is not a folder of the user's, or is trashed itself, or is being purged
        (`begin_purge`) when the write lands. An id recorded already is left as it is: NameTaken
        whose existing id is the item's own, which tells a caller whose earlier try of this
        create got no answer that it landed. Retries of one create are safe: on a store with
        idempotent requests they are the same request."""
        ...

    async def get(self, user_id: str, item_id: str) -> Item | None:
        """The item, trashed or not; None for an id the user does not have."""
        ...

    async def get_many(self, user_id: str, item_ids: Sequence[str]) -> dict[str, Item]:
        """The items found among `item_ids`, by id, in one round trip per 100."""
        ...

    async def name_holders(self, user_id: str, parent_id: str | None, names: Sequence[str]) -> dict[str, str]:
        """For each of `names` taken in the folder (compared folded), the id of the item holding it."""
        ...

    async def relocate(self, item: Item, moved: Item, *, target_chain: Sequence[Item] = ()) -> None:
        """Renames and/or moves `item` (not in the trash) to `moved`'s name and parent in one
        write with its name guard, whatever it contains. `target_chain`, the folders from the
        root down to the new parent as the caller read them, must be unchanged (same parents,
        none trashed) when the write lands: ChainChanged otherwise, so two concurrent moves can
        never close a loop. NameTaken if the target name is taken; ItemNotFound if the item is
        gone or trashed meanwhile."""
        ...

    async def list_children(
        self,
        user_id: str,
        parent_id: str | None,
        *,
        sort: SortField,
        descending: bool,
        kinds: Sequence[ItemKind],
        limit: int,
        after_key: str | None,
    ) -> tuple[list[Item], str | None]:
        """Up to `limit` non-trashed items of the folder, folders first, each kind in the order
        asked, after the item whose sort key (domain.sort_key) is `after_key`; and the sort key
        of the last one if more follow."""
        ...

    def iter_children(self, user_id: str, parent_id: str | None) -> AsyncIterator[list[Item]]:
        """Every item directly in the folder but those trashed on their own, a page at a time."""
        ...

    async def trash(self, item: Item, *, trashed_at: str, purge_at: str) -> Item:
        """Moves the item to the trash: out of its folder's listings, its name freed. ItemNotFound
        if it is gone or trashed already."""
        ...

    async def restore(self, item: Item, restored: Item) -> None:
        """Takes `item` out of the trash, into `restored`'s folder under its name. NameTaken if the
        name is taken there; ItemNotFound if the item left the trash meanwhile."""
        ...

    async def list_trash(self, user_id: str, *, limit: int, after_key: str | None) -> tuple[list[Item], str | None]:
        """Trashed items, newest deletion first, and the key to continue after if more follow."""
        ...

    async def schedule_purge(self, item: Item, *, purge_at: str) -> None:
        """Hides a trashed item from the trash listing and makes it due for purge at `purge_at`."""
        ...

    async def due_for_purge(self, now: str, *, limit: int) -> list[Item]:
        """Trashed items of any user whose purge time is not after `now`, up to `limit`."""
        ...

    async def begin_purge(self, folder: Item) -> None:
        """Marks a folder the purge is about to empty, before it lists what the folder holds:
        from then on `create` refuses it as a parent, so nothing lands in it unseen. Idempotent;
        nothing for a folder already gone."""
        ...

    async def delete(self, item: Item) -> None:
        """Removes the record, its name guard if it holds one, and takes a file off the totals.
        Idempotent."""
        ...

    async def list_newest(
        self, user_id: str, *, kind: ItemKind | None, limit: int, after_id: str | None
    ) -> tuple[list[Item], str | None]:
        """Up to `limit` of the user's items of `kind` (None: files and folders) not themselves
        trashed, newest first (by id), with ids below `after_id` (all if None), without object
        keys; and the id to continue after if more follow. With `kind` None, exactly `limit` are
        read when that many follow: a search's bounded slice of the user's names."""
        ...

    async def list_unfiled(self, user_id: str) -> list[UnfiledFile]:
        """Files recorded before folders existed (no parent, no name guard)."""
        ...

    async def file_into_root(self, file: UnfiledFile, *, name: str) -> None:
        """Gives an unfiled file a parent (the root), its name and the name guard. NameTaken if
        the root has the name already. Idempotent."""
        ...

    async def save_archive(self, token_hash: str, request: ArchiveRequest) -> None: ...

    async def claim_archive(self, token_hash: str, now: str) -> ArchiveRequest | None:
        """The archive request once: a claimed or expired one is None."""
        ...

    async def close_account(self, user_id: str) -> None:
        """From now on `create` refuses this user. Idempotent; the mark is never removed."""
        ...

    async def account_closed(self, user_id: str) -> bool:
        """Whether `close_account` was called for the user, in constant time."""
        ...

    async def delete_all(self, user_id: str) -> int:
        """Removes every item, guard and trash record of the user and zeroes the totals; returns
        how many files there were. Idempotent."""
        ...

    async def usage(self, user_id: str) -> StorageUsage:
        """The user's totals and quota override, read in constant time whatever the number of
        files. `trash` adds a trashed file's size to `trash_bytes`, `restore` takes it off, and so
        does `delete` of a file that is itself trashed."""
        ...

    async def recount_usage(self, user_id: str) -> StorageUsage:
        """Recomputes the user's totals from the file records, stores and returns them (with the
        quota override, which a recount leaves as it is)."""
        ...

    async def set_quota(self, user_id: str, quota_bytes: int | None) -> None:
        """Sets the user's own quota, kept beside the totals; None clears it, so the service's
        setting applies again. The totals and the closed mark stay as they are."""
        ...

    async def list_user_ids(self) -> list[str]:
        """Every user with files or totals; reads the whole table, for repairs only."""
        ...

    async def list_file_rows(self, *, after: str | None, limit: int) -> tuple[list[Item], str | None]:
        """A page of the file records of every user (trashed or not), in the store's own order,
        from the cursor `after` (None: the start); and the cursor to continue from, None at the
        end. `limit` bounds the records read: a page may hold fewer files, even none, with a
        cursor. For the reconcile pass only."""
        ...

    async def set_thumbnail(self, item: Item, state: ThumbnailState) -> bool:
        """Records the state of the file's thumbnail; False, and nothing written, if the file is
        gone. A file left PENDING is among `pending_thumbnails` until then."""
        ...

    async def pending_thumbnails(self, *, limit: int) -> list[Item]:
        """Up to `limit` files of any user whose thumbnail is PENDING and that are not themselves
        in the trash, oldest first: what the catch-up pass makes after a restart. A PENDING file
        trashed leaves the list and `restore` puts it back, still PENDING unless its state was
        recorded meanwhile."""
        ...


class ActivityLog(Protocol):
    """The events of a user's items (docs/data-model.md, "Activity and Recent"), each found from
    the user's feed, from its item's history and from the activity of every folder it names, all
    newest first; and the files each user touched last, one entry per file. Writing an event or
    a touch again is harmless: its key comes from the change. What is past its `expires_at` is
    forgotten (by TTL on DynamoDB, by later writes on SQLite) and never listed."""

    async def record(self, event: ActivityEvent) -> None:
        """Stores the event under its key, replacing the same change recorded before."""
        ...

    async def list_for_user(
        self, user_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        """Up to `limit` of the user's events not expired at `now`, newest first, with keys below
        `after_key`; and the key to continue after if more follow. Costs a page."""
        ...

    async def list_for_item(
        self, user_id: str, item_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        """As `list_for_user`, the events of one item."""
        ...

    async def list_for_folder(
        self, user_id: str, folder_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[ActivityEvent], str | None]:
        """As `list_for_user`, the events naming the folder in `folder_ids`: its own and those of
        anything below it at the time."""
        ...

    async def touch(self, touch: RecentTouch) -> None:
        """Makes `touch` the file's entry in the user's Recent, unless the entry is newer."""
        ...

    async def list_recent(
        self, user_id: str, *, limit: int, after_key: str | None, now: str
    ) -> tuple[list[RecentTouch], str | None]:
        """Up to `limit` of the user's entries not expired at `now`, most recently touched first,
        with keys (RecentTouch.recent_key) below `after_key`; and the key to continue after if
        more follow. Costs a page, whatever the user's drive holds."""
        ...

    async def delete_all(self, user_id: str) -> None:
        """Forgets the user's events and entries: the account is being deleted. Idempotent."""
        ...


class BlobStore(Protocol):
    """File bytes, under keys the service builds."""

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> None:
        """Stores the bytes as they arrive. If `chunks` or the store fails, nothing is left behind
        and the error propagates."""
        ...

    def read_blocking(self, key: str) -> Iterator[bytes]:
        """The stored bytes, a chunk at a time, never all in memory, read in the calling thread:
        only for work running on a thread of its own (an archive). ServiceUnavailable if the
        store fails."""
        ...

    async def copy(self, source_key: str, target_key: str, *, size: int | None = None) -> None:
        """Copies the object's bytes and type to `target_key` inside the store, the bytes never
        passing through this process, whatever the size (`size`, the object's if known, spares
        asking the store)."""
        ...

    async def delete(self, key: str) -> None:
        """Idempotent."""
        ...

    async def delete_prefix(self, prefix: str) -> int:
        """Deletes every object whose key starts with `prefix`; returns how many. Idempotent."""
        ...

    async def list_objects(self, prefix: str, *, after: str | None, limit: int) -> list[StoredObject]:
        """Up to `limit` objects whose key starts with `prefix`, in key order, after the key
        `after` (all if None)."""
        ...

    async def exists(self, key: str) -> bool: ...

    def presign_download(self, key: str, *, content_disposition: str, content_type: str, ttl_seconds: int) -> str:
        """A URL the browser can GET the bytes from, with these response headers, for `ttl_seconds`."""
        ...


class ThumbnailRenderer(Protocol):
    """Makes the renditions of an image; pure computation, run on the thumbnail worker's own
    threads."""

    def render_blocking(self, source: bytes) -> dict[Rendition, bytes]:
        """Each rendition of the image in `source`, as WebP. UnusableImage if it is not an image
        of a supported type, is truncated or claims more pixels than the bound."""
        ...


class UploadReservations(Protocol):
    """What the quota reads of the uploads in progress."""

    async def reserved_bytes(self, user_id: str) -> int:
        """The declared sizes of the user's uploads in progress, added up; its cost is bounded by
        the per-user bound, never by the user's files."""
        ...


class PendingUploadStore(UploadReservations, Protocol):
    """The direct uploads in progress, kept beside the files' metadata until they complete, are
    aborted or expire: found by (user id, upload id), by user (bounded: `add` refuses past
    `max_per_user`), and across users by expiry for the sweeper."""

    async def add(self, upload: PendingUpload, *, max_per_user: int) -> None:
        """Records the upload; TooManyUploads, and nothing written, if the user has
        `max_per_user` in progress already."""
        ...

    async def get(self, user_id: str, upload_id: str) -> PendingUpload | None:
        """The user's upload, expired or not; None for an id the user does not have."""
        ...

    async def remove(self, upload: PendingUpload) -> None:
        """Forgets the upload. Idempotent."""
        ...

    async def of_user(self, user_id: str, *, limit: int) -> list[PendingUpload]:
        """Up to `limit` of the user's uploads (settled batches and expired ones included), by
        upload id: at most the per-user bound of them are in progress."""
        ...

    async def settle(self, batch: PendingUpload, settled: PendingUpload) -> None:
        """Replaces a completed batch's record by `settled` (its files with their outcomes), kept
        until its expiry so that a repeated completion gets the same answer: it reserves nothing
        and no longer counts against the per-user bound. Nothing happens if `batch` is gone."""
        ...

    async def expired(self, now: str, *, limit: int) -> list[PendingUpload]:
        """Up to `limit` uploads of any user whose expiry is not after `now`, earliest first."""
        ...


class MultipartStore(Protocol):
    """S3's side of a direct upload: a multipart upload whose parts the browser sends over
    presigned URLs, each bound to its size and SHA-256, so the store itself refuses other bytes."""

    async def create_multipart(self, key: str, *, content_type: str) -> str:
        """Starts a multipart upload with SHA-256 part checksums; its id."""
        ...

    def presign_part(
        self, key: str, upload_id: str, *, number: int, size: int, sha256: str, ttl_seconds: int
    ) -> tuple[str, dict[str, str]]:
        """A URL to PUT part `number` to for `ttl_seconds`, and the headers the request must carry:
        the store refuses a body of another size or other bytes than `sha256` (base64)."""
        ...

    async def list_parts(self, key: str, upload_id: str) -> list[StoredPart] | None:
        """The parts stored so far, by number; None if the upload is unknown (aborted, completed)."""
        ...

    async def complete_multipart(self, key: str, upload_id: str, parts: list[CompletedPart]) -> None:
        """Joins the parts into the object. UploadMismatch if a part is missing or is not the one
        named (ETag, checksum); UploadNotFound if the upload is unknown."""
        ...

    async def head(self, key: str) -> ObjectHead | None:
        """The object's real size and full-object SHA-256; None if there is no object."""
        ...

    def presign_put(
        self, key: str, *, size: int, content_type: str, sha256: str, ttl_seconds: int
    ) -> tuple[str, dict[str, str]]:
        """A URL to PUT a whole small object to for `ttl_seconds`, and the headers the request
        must carry: the store refuses a body of another size, another content type or other bytes
        than `sha256` (base64)."""
        ...

    async def list_sizes(self, prefix: str, *, limit: int) -> dict[str, int]:
        """The size of each object under `prefix`, by key, for up to `limit` objects, in one
        listing."""
        ...

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        """Drops the upload and its stored parts. Idempotent."""
        ...

    async def delete(self, key: str) -> None:
        """Idempotent."""
        ...


class ShareLinkStore(Protocol):
    """Share links, found by the hash of their id (a visitor) or by (owner, link ref) (the owner),
    each with its access log, and the wrong-password counters. A link and its log are forgotten
    some time after `forget_at` (at once on SQLite's next write, by TTL on DynamoDB)."""

    async def add(self, link: ShareLink) -> None: ...

    async def find(self, token_hash: str) -> ShareLink | None:
        """The link whose id hashes to `token_hash`, revoked or expired or not."""
        ...

    async def get(self, owner_id: str, link_ref: str) -> ShareLink | None:
        """The owner's link; None for a ref the owner does not have."""
        ...

    async def list_owned(
        self, owner_id: str, *, limit: int, after_ref: str | None
    ) -> tuple[list[ShareLink], str | None]:
        """Up to `limit` of the owner's links, newest first, with refs below `after_ref`; and the
        ref to continue after if more follow. Costs a page, whatever else the owner has."""
        ...

    async def update_settings(self, link: ShareLink) -> None:
        """Writes what the owner may change (expiry, forget time, password, download limit, shown
        name, revocation), never the counters. LinkNotFound if the link is gone."""
        ...

    async def count_download(self, token_hash: str, now: str) -> bool:
        """Counts one download if the link is live at `now` (not revoked, not expired, under its
        limit), atomically: concurrent downloads never pass the limit. False, and nothing
        counted, otherwise."""
        ...

    async def record_access(self, link: ShareLink, entry: AccessEntry) -> None:
        """Appends the entry to the link's log, and counts an open or a refusal and the last
        access on the link (a download is counted by `count_download`)."""
        ...

    async def access_log(
        self, link: ShareLink, *, limit: int, after_key: str | None
    ) -> tuple[list[AccessEntry], str | None]:
        """Up to `limit` entries of the link's log, newest first, with keys below `after_key`;
        and the key to continue after if more follow."""
        ...

    async def shared_items(self, owner_id: str, item_ids: Sequence[str], now: str) -> set[str]:
        """Which of `item_ids` (the owner's) have a link that is neither revoked nor expired at
        `now` (a used-up link counts until then: the owner still has it to edit or revoke). One
        read for a page of items, whatever else the owner has (docs/data-model.md)."""
        ...

    async def delete_links(self, owner_id: str, *, item_id: str | None = None) -> int:
        """Deletes the owner's links (only those of `item_id` if given) with their logs and their
        wrong-password windows; how many links went. Idempotent. For a closed account (before its
        records go: the owner's index finds them) and a purged item."""
        ...

    async def failed_attempts(self, key: str, window_start: str) -> int:
        """Wrong passwords counted under `key` in the window starting at `window_start`."""
        ...

    async def count_failed_attempt(self, key: str, window_start: str, *, forget_at: str) -> int:
        """Counts one more under `key` in the window, atomically; the new count."""
        ...


class FileRequestStore(Protocol):
    """File requests, found by the hash of their id (a visitor) or by (owner, request ref) (the
    owner), with what they received and the notice due to the owner. A request is forgotten some
    time after `forget_at` (at once on SQLite's next write, by TTL on DynamoDB)."""

    async def add(self, request: FileRequest) -> None: ...

    async def find(self, token_hash: str) -> FileRequest | None:
        """The request whose id hashes to `token_hash`, revoked or expired or not."""
        ...

    async def get(self, owner_id: str, request_ref: str) -> FileRequest | None:
        """The owner's request; None for a ref the owner does not have."""
        ...

    async def list_owned(
        self, owner_id: str, *, limit: int, after_ref: str | None
    ) -> tuple[list[FileRequest], str | None]:
        """Up to `limit` of the owner's requests, newest first, with refs below `after_ref`; and
        the ref to continue after if more follow."""
        ...

    async def update_settings(self, request: FileRequest) -> None:
        """Writes what the owner may change (expiry, forget time, limits, shown name,
        revocation), never what was received. RequestNotFound if the request is gone."""
        ...

    async def receive(self, token_hash: str, size: int, *, now: str) -> bool:
        """Counts `size` more bytes (and one file) received if the request is live at `now` and
        the total stays within its limit, atomically: concurrent completions never pass it.
        False, and nothing counted, otherwise."""
        ...

    async def give_back(self, token_hash: str, size: int) -> None:
        """Takes back what `receive` counted, for a file that was not recorded after all."""
        ...

    async def add_notice(self, token_hash: str, received: ReceivedFile, *, due_at: str) -> None:
        """Adds the file to the next notice (past MAX_NOTICE_FILES, only to its count); the
        notice is due at `due_at` unless one is due already."""
        ...

    async def due_notices(self, now: str, *, limit: int) -> list[FileRequest]:
        """Up to `limit` requests whose notice is due at `now`, earliest first."""
        ...

    async def clear_notice(self, sent: FileRequest, *, next_due_at: str) -> None:
        """Takes what `sent` (as read) held pending off the request's notice; what arrived since
        stays, due at `next_due_at`."""
        ...

    async def delete_requests(self, owner_id: str, *, folder_id: str | None = None) -> int:
        """Deletes the owner's requests (only those into `folder_id` if given); how many.
        Idempotent."""
        ...


class GrantStore(Protocol):
    """Sharing with people: each grant found from the owner's side (the people on an item) and
    from the grantee's (what is shared with them), and each invitation from the hash of the email
    it waits for, written together so the sides never disagree."""

    async def add(self, grant: Grant) -> None:
        """Records a grant to an account, or an invitation (`grantee_id` None), replacing the
        person's earlier one on the item if any."""
        ...

    async def get(self, owner_id: str, item_id: str, person_id: str) -> Grant | None:
        """The person's grant or invitation on the item (an expired invitation too)."""
        ...

    async def people_on(self, owner_id: str, item_id: str) -> list[Grant]:
        """The item's grants and invitations (expired ones too), oldest first; at most the
        bound of people per item."""
        ...

    async def set_role(self, grant: Grant, role: Role) -> None:
        """PersonNotFound if the grant is gone."""
        ...

    async def remove(self, grant: Grant) -> None:
        """Ends the grant or invitation on every side at once. Idempotent."""
        ...

    async def shared_with(self, grantee_id: str, item_id: str) -> Grant | None:
        """The grant of the item to the grantee: what every request through it checks."""
        ...

    async def list_shared_with(
        self, grantee_id: str, *, limit: int, after_item_id: str | None
    ) -> tuple[list[Grant], str | None]:
        """Up to `limit` grants to the grantee, by item id descending (newest items first), with
        ids below `after_item_id`; and the id to continue after if more follow. Costs a page."""
        ...

    async def set_in_drive(self, grant: Grant, in_drive: bool) -> None:
        """ShareNotFound if the grant is gone."""
        ...

    async def invitations_to(self, person_id: str, now: str) -> list[Grant]:
        """The invitations waiting for the email that hashes to `person_id`, not expired at `now`."""
        ...

    async def claim(self, invitation: Grant, grantee_id: str) -> bool:
        """Turns the invitation into a grant to the account; False, and nothing written, if it
        was removed or changed meanwhile or the account has a grant on the item already (the
        invitation then goes)."""
        ...

    async def shared_items(self, owner_id: str, item_ids: Sequence[str], now: str) -> set[str]:
        """Which of `item_ids` (the owner's) are shared with someone: a grant, or an invitation
        not expired at `now`. One read for a page of items, whatever else the owner shares."""
        ...

    async def delete_for_item(self, owner_id: str, item_id: str) -> int:
        """Removes every grant and invitation on the item (purged). Idempotent."""
        ...

    async def delete_for_account(self, user_id: str) -> int:
        """Removes every grant and invitation the user made and every grant to them, on every
        side: the account is being deleted. Idempotent."""
        ...


class StarStore(Protocol):
    """The items each user starred, found by (user, item) for the marks of a page and by star
    time for Starred. A star names an item id only: whether the item is still live is the
    drive's to check when it lists them."""

    async def star(self, star: Star) -> None:
        """Records the star. Idempotent: an item starred already keeps its first star time."""
        ...

    async def unstar(self, user_id: str, item_id: str) -> None:
        """Forgets the star. Idempotent. Also what the purge calls for each item it deletes."""
        ...

    async def list_starred(self, user_id: str, *, limit: int, after_key: str | None) -> tuple[list[Star], str | None]:
        """Up to `limit` of the user's stars, newest star first, with keys (Star.key) below
        `after_key`; and the key to continue after if more follow. Costs a page, whatever else
        the user has."""
        ...

    async def starred_items(self, user_id: str, item_ids: Sequence[str]) -> set[str]:
        """Which of `item_ids` the user starred: one read for a page of items."""
        ...

    async def delete_all(self, user_id: str) -> int:
        """Forgets every star of the user (the account is being deleted); how many. Idempotent."""
        ...


class ShareNotices(Protocol):
    """Tells a person an item was shared with them: the account's owner, or an address with no
    verified account yet, invited to make one. Sent off the request path."""

    def shared(self, grant: Grant) -> None: ...


class PasswordHasher(Protocol):
    """bcrypt on its own bounded pool (scloud_common.password_hash)."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password: str, password_hash: str) -> bool: ...


class UserDirectory(Protocol):
    """What the files service asks the users service about an account."""

    async def get_profile(self, user_id: str) -> "AccountProfile":
        """NotFound if there is no such account."""
        ...


@dataclass(frozen=True)
class AccountProfile:
    email_verified: bool
    display_name: str
    # Where the owner's notices go; empty when the directory does not say.
    email: str = ""


@dataclass(frozen=True)
class Person:
    """Another account, as sharing with people sees it: never its email, which the owner typed."""

    user_id: str
    display_name: str


class PeopleDirectory(UserDirectory, Protocol):
    """What sharing with people asks the users service."""

    async def find_verified(self, email: str) -> Person | None:
        """The account whose verified email is `email` (normalised); None for an unknown or
        unverified one alike."""
        ...

    async def verified_email(self, user_id: str) -> str | None:
        """The account's email if its owner verified it; None otherwise. NotFound if there is no
        such account."""
        ...


class CopyJobStore(Protocol):
    """Copy jobs, found by (user id, job id), kept a while after they finish (`expires_at`) and
    then forgotten by the store itself."""

    async def add(self, job: CopyJob) -> None: ...

    async def get(self, user_id: str, job_id: str) -> CopyJob | None:
        """The job; None for an id the user does not have or one forgotten."""
        ...

    async def save_progress(self, job: CopyJob) -> bool:
        """Writes the job's state, counters, copies, failures, heartbeat and error, never its
        cancel mark, and answers whether a cancel was requested. Nothing is written for a job
        the store does not have (forgotten)."""
        ...

    async def request_cancel(self, user_id: str, job_id: str) -> CopyJob | None:
        """Marks the job to stop (a finished job keeps its outcome); the job as stored after,
        None for an id the user does not have."""
        ...
