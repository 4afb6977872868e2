"""Files use cases: a drive of folders and files (upload, list, rename and move, search, trash
and purge, archives, download links) and per-user totals."""

import asyncio
import hashlib
import logging
import secrets
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from scloud_common.errors import AppError
from scloud_files.domain import (
    MAX_FOLDER_DEPTH,
    MAX_PATH_WALK,
    TEXT_PREVIEW_TYPE,
    ArchiveEntry,
    ArchiveNotFound,
    ArchiveRequest,
    BulkResult,
    ChainChanged,
    FileIdGenerator,
    FileNotFound,
    FileTooLarge,
    FolderCycle,
    FolderNotFound,
    FolderTooDeep,
    Item,
    ItemKind,
    ItemNotFound,
    ItemPage,
    NameTaken,
    NotInTrash,
    NotPreviewable,
    OnConflict,
    PathEntry,
    SortField,
    StorageUsage,
    clean_file_name,
    content_disposition,
    decode_page_cursor,
    encode_page_cursor,
    fold_name,
    is_file_id,
    is_inline_safe,
    is_text_previewable,
    is_trash_key,
    natural_name_key,
    numbered_name,
    object_key,
    page_after,
    served_content_type,
    user_prefix,
)
from scloud_files.ports import BlobStore, FileRepository

logger = logging.getLogger(__name__)


class _SizeLimitedStream:
    """Passes chunks through, counting them, and raises FileTooLarge as soon as the total passes
    the limit, so an oversized upload stops at the limit rather than at its end."""

    def __init__(self, chunks: AsyncIterable[bytes], limit: int) -> None:
        self._chunks = chunks
        self._limit = limit
        self.size = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            self.size += len(chunk)
            if self.size > self._limit:
                raise FileTooLarge()
            yield chunk


# Candidate "keep both" names read in one round trip.
_RENAME_BATCH = 20
_MAX_RENAME_NUMBER = 1000
_MOVE_ATTEMPTS = 3
# A move's transaction checks every folder on the way to its target: DynamoDB takes 100 items.
MAX_CHECKED_CHAIN = 96
ARCHIVE_TTL_SECONDS = 60
PURGE_BATCH = 100


class _Unset:
    pass


UNSET = _Unset()


class FileService:
    def __init__(
        self,
        *,
        repository: FileRepository,
        blob_store: BlobStore,
        max_upload_bytes: int,
        download_url_ttl_seconds: int,
        trash_retention_days: int = 30,
        bulk_concurrency: int = 8,
        new_file_id: Callable[[], str] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._repository = repository
        self._blob_store = blob_store
        self.max_upload_bytes = max_upload_bytes
        self._download_url_ttl_seconds = download_url_ttl_seconds
        self._trash_retention = timedelta(days=trash_retention_days)
        self._bulk_concurrency = bulk_concurrency
        self._new_file_id = new_file_id or FileIdGenerator()
        self._now = now
        # Set when something was deleted forever, so the purge task runs now rather than at its interval.
        self.purge_requested = asyncio.Event()

    def _timestamp(self, moment: datetime | None = None) -> str:
        return (moment or self._now()).astimezone(UTC).isoformat(timespec="seconds")

    # Folders and paths

    async def _chains(self, user_id: str, folder_ids: Sequence[str]) -> dict[str, list[Item] | None]:
        """For each folder id, its folders from the root down to it, or None if it or an ancestor
        is missing, not a folder, or trashed. One batch read per level, shared by all the ids."""
        known: dict[str, Item] = {}
        wanted = {folder_id for folder_id in folder_ids if is_file_id(folder_id)}
        for _ in range(MAX_PATH_WALK):
            if not wanted:
                break
            found = await self._repository.get_many(user_id, sorted(wanted))
            known.update(found)
            wanted = {item.parent_id for item in found.values() if item.parent_id is not None} - set(known)
            wanted -= {folder_id for folder_id in wanted if not is_file_id(folder_id)}
        chains: dict[str, list[Item] | None] = {}
        for folder_id in folder_ids:
            chain: list[Item] = []
            current: str | None = folder_id
            while current is not None and len(chain) < MAX_PATH_WALK:
                folder = known.get(current)
                if folder is None or not folder.is_folder or folder.trashed_at is not None:
                    break
                chain.append(folder)
                current = folder.parent_id
            chains[folder_id] = chain[::-1] if current is None else None
        return chains

    async def _require_folder(self, user_id: str, folder_id: str | None) -> list[Item]:
        """The folders from the root down to `folder_id` (empty for the root); FolderNotFound if
        it is not one of the user's live folders."""
        if folder_id is None:
            return []
        chain = (await self._chains(user_id, [folder_id]))[folder_id]
        if not chain:
            raise FolderNotFound()
        return chain

    async def _require_live(self, user_id: str, item_id: str, kind: ItemKind | None = None) -> Item:
        """The item if it is the user's, of `kind`, and neither it nor a folder above it is trashed."""
        item = await self._repository.get(user_id, item_id) if is_file_id(item_id) else None
        if item is not None and item.trashed_at is None and (kind is None or item.kind is kind):
            if item.parent_id is None or (await self._chains(user_id, [item.parent_id]))[item.parent_id]:
                return item
        raise FolderNotFound() if kind is ItemKind.FOLDER else ItemNotFound() if kind is None else FileNotFound()

    async def get_folder(self, user_id: str, folder_id: str | None) -> tuple[Item | None, list[PathEntry]]:
        chain = await self._require_folder(user_id, folder_id)
        return (chain[-1] if chain else None), _entries(chain[:-1])

    async def list_children(
        self,
        user_id: str,
        folder_id: str | None,
        *,
        sort: SortField,
        descending: bool,
        kinds: Sequence[ItemKind],
        limit: int,
        cursor: str | None,
    ) -> ItemPage:
        query = ["children", folder_id, sort.value, descending, [kind.value for kind in kinds]]
        after = decode_page_cursor(cursor, query) if cursor else None
        await self._require_folder(user_id, folder_id)
        items, last = await self._repository.list_children(
            user_id, folder_id, sort=sort, descending=descending, kinds=kinds, limit=limit, after_key=after
        )
        return ItemPage(items, encode_page_cursor(query, last) if last else None)

    async def create_folder(
        self, user_id: str, *, name: str, parent_id: str | None, on_conflict: OnConflict = OnConflict.FAIL
    ) -> tuple[Item, bool]:
        """The new folder and True; or with `merge`, the existing folder of that name and False."""
        chain = await self._require_folder(user_id, parent_id)
        if len(chain) >= MAX_FOLDER_DEPTH:
            raise FolderTooDeep()
        now = self._timestamp()
        folder = Item(
            item_id=self._new_file_id(),
            user_id=user_id,
            kind=ItemKind.FOLDER,
            name=clean_file_name(name),
            parent_id=parent_id,
            created_at=now,
            modified_at=now,
        )
        while True:
            try:
                await self._repository.create(folder)
                logger.info("folder created", extra={"user_id": user_id, "folder_id": folder.item_id})
                return folder, True
            except NameTaken as taken:
                existing_id = taken.details["existingId"] if taken.details else ""
                if on_conflict is OnConflict.MERGE:
                    existing = await self._repository.get(user_id, existing_id)
                    if existing is not None and existing.is_folder and existing.trashed_at is None:
                        return existing, False
                if on_conflict is not OnConflict.RENAME:
                    raise
                folder = folder.moved(
                    name=await self._free_name(user_id, parent_id, folder.name), parent_id=parent_id, modified_at=now
                )

    async def _free_name(self, user_id: str, parent_id: str | None, name: str) -> str:
        """The first of `name (1)`, `name (2)`... not taken in the folder."""
        for first in range(1, _MAX_RENAME_NUMBER, _RENAME_BATCH):
            candidates = [numbered_name(name, number) for number in range(first, first + _RENAME_BATCH)]
            taken = await self._repository.name_holders(user_id, parent_id, candidates)
            for candidate in candidates:
                if candidate not in taken:
                    return candidate
        raise NameTaken((await self._repository.name_holders(user_id, parent_id, [name])).get(name, ""))

    # Uploads

    async def upload_file(
        self,
        user_id: str,
        *,
        file_name: str,
        content_type: str | None,
        chunks: AsyncIterable[bytes],
        parent_id: str | None = None,
        on_conflict: OnConflict = OnConflict.FAIL,
    ) -> Item:
        """Streams the bytes to the blob store, then records the metadata. Either both are stored
        or neither: a failed metadata write removes the bytes again, and so does an account
        closed while the bytes were arriving (AccountClosed). The bytes are stored with the type
        they will be served with, which only keeps the declared type if it is safe inline. A name
        taken in the folder is refused before any byte is stored, unless `on_conflict` says to
        replace (the old file goes to the trash) or keep both (`name (1).ext`)."""
        await self._require_folder(user_id, parent_id)
        name = clean_file_name(file_name)
        if on_conflict is OnConflict.FAIL:
            holder = (await self._repository.name_holders(user_id, parent_id, [name])).get(name)
            if holder is not None:
                raise NameTaken(holder)
        file_id = self._new_file_id()
        key = object_key(user_id, file_id)
        cleaned_type = served_content_type(content_type)
        stream = _SizeLimitedStream(chunks, self.max_upload_bytes)
        await self._blob_store.put(key, stream, content_type=cleaned_type)
        now = self._timestamp()
        item = Item(
            item_id=file_id,
            user_id=user_id,
            kind=ItemKind.FILE,
            name=name,
            parent_id=parent_id,
            created_at=now,
            modified_at=now,
            size=stream.size,
            content_type=cleaned_type,
            object_key=key,
        )
        try:
            item = await self._record_upload(item, on_conflict)
        except BaseException:
            try:
                await self._blob_store.delete(key)
            except Exception:
                logger.exception("could not remove the bytes of an unrecorded upload", extra={"object_key": key})
            raise
        logger.info("file uploaded", extra={"user_id": user_id, "file_id": file_id, "file_size": stream.size})
        return item

    async def _record_upload(self, item: Item, on_conflict: OnConflict) -> Item:
        for _ in range(_MAX_RENAME_NUMBER):
            try:
                await self._repository.create(item)
                return item
            except NameTaken as taken:
                existing_id = taken.details["existingId"] if taken.details else ""
                if on_conflict is OnConflict.REPLACE:
                    existing = await self._repository.get(item.user_id, existing_id)
                    if existing is None or existing.is_folder:
                        raise
                    try:
                        await self._trash(existing)
                    except ItemNotFound:
                        pass
                elif on_conflict is OnConflict.RENAME:
                    name = await self._free_name(item.user_id, item.parent_id, item.name)
                    item = item.moved(name=name, parent_id=item.parent_id, modified_at=item.modified_at)
                else:
                    raise
        raise NameTaken("")

    # The deprecated flat listing of /api/files

    async def list_files(self, user_id: str, *, limit: int, cursor: str | None) -> ItemPage:
        """The user's files not themselves trashed, in every folder, newest first."""
        query = ["newest", ItemKind.FILE.value]
        after = decode_page_cursor(cursor, query, is_key=is_file_id) if cursor else None
        files, last = await self._repository.list_newest(user_id, kind=ItemKind.FILE, limit=limit, after_id=after)
        return ItemPage(files, encode_page_cursor(query, last) if last else None)

    async def get_file(self, user_id: str, file_id: str) -> Item:
        """Another user's file is as absent as a missing one: the lookup key includes the owner."""
        item = await self._repository.get(user_id, file_id) if is_file_id(file_id) else None
        if item is None or item.kind is not ItemKind.FILE or item.trashed_at is not None:
            raise FileNotFound()
        return item

    async def create_download_link(
        self, user_id: str, file_id: str, *, inline: bool = False, as_text: bool = False
    ) -> tuple[str, datetime]:
        """`inline` is a wish: only a type safe to show inline is ever served inline. `as_text`
        serves a text-like file (code, Markdown, CSV...) as plain text, which no browser runs."""
        stored = await self.get_file(user_id, file_id)
        if as_text and not is_text_previewable(stored):
            raise NotPreviewable()
        content_type = TEXT_PREVIEW_TYPE if as_text else stored.content_type or ""
        expires_at = self._now() + timedelta(seconds=self._download_url_ttl_seconds)
        assert stored.object_key is not None
        url = self._blob_store.presign_download(
            stored.object_key,
            content_disposition=content_disposition(
                stored.name, inline=as_text or (inline and is_inline_safe(content_type))
            ),
            content_type=content_type,
            ttl_seconds=self._download_url_ttl_seconds,
        )
        return url, expires_at

    # Rename and move

    async def update_item(
        self,
        user_id: str,
        item_id: str,
        *,
        kind: ItemKind | None,
        name: str | _Unset = UNSET,
        parent_id: str | None | _Unset = UNSET,
        on_conflict: OnConflict = OnConflict.FAIL,
    ) -> Item:
        """Renames and/or moves one item: one write whatever a folder contains; the object key
        of a file never changes. A folder moved while another move changes the folders on its
        way is tried again from a fresh read, so two moves can never make a loop."""
        for attempt in range(_MOVE_ATTEMPTS):
            try:
                return await self._update_once(user_id, item_id, kind, name, parent_id, on_conflict)
            except ChainChanged:
                if attempt == _MOVE_ATTEMPTS - 1:
                    raise
        raise ChainChanged()

    async def _update_once(
        self,
        user_id: str,
        item_id: str,
        kind: ItemKind | None,
        name: str | _Unset,
        parent_id: str | None | _Unset,
        on_conflict: OnConflict,
    ) -> Item:
        item = await self._require_live(user_id, item_id, kind)
        target = item.parent_id if isinstance(parent_id, _Unset) else parent_id
        new_name = item.name if isinstance(name, _Unset) else clean_file_name(name)
        chain: list[Item] = []
        if target != item.parent_id:
            chain = await self._require_folder(user_id, target)
            if item.is_folder and any(folder.item_id == item.item_id for folder in chain):
                raise FolderCycle()
            if len(chain) > MAX_CHECKED_CHAIN:
                raise FolderTooDeep()
        if target == item.parent_id and new_name == item.name:
            return item
        moved = item.moved(name=new_name, parent_id=target, modified_at=self._timestamp())
        # Only a folder can close a loop: a file's move needs no check of the folders on its way.
        checked = chain if item.is_folder else []
        while True:
            try:
                await self._repository.relocate(item, moved, target_chain=checked)
                logger.info("item moved", extra={"user_id": user_id, "item_id": item_id})
                return moved
            except NameTaken:
                if on_conflict is not OnConflict.RENAME:
                    raise
                moved = moved.moved(
                    name=await self._free_name(user_id, target, new_name),
                    parent_id=target,
                    modified_at=moved.modified_at,
                )

    async def move_items(
        self, user_id: str, item_ids: Sequence[str], *, parent_id: str | None, on_conflict: OnConflict
    ) -> BulkResult:
        await self._require_folder(user_id, parent_id)
        return await self._each(
            item_ids,
            lambda item_id: self.update_item(user_id, item_id, kind=None, parent_id=parent_id, on_conflict=on_conflict),
        )

    async def _each(self, item_ids: Sequence[str], action: Callable[[str], Awaitable[Item]]) -> BulkResult:
        """Runs `action` on each id, a few at a time so 500 of them fit in a request's deadline;
        an item's refusal is reported with it, an outage fails the whole request."""
        limit = asyncio.Semaphore(self._bulk_concurrency)

        async def attempt(item_id: str) -> Item | AppError:
            async with limit:
                try:
                    return await action(item_id)
                except AppError as error:
                    if error.kind.http_status >= 500:
                        raise
                    return error

        ids = list(dict.fromkeys(item_ids))
        outcomes = await asyncio.gather(*(attempt(item_id) for item_id in ids))
        items = [outcome for outcome in outcomes if isinstance(outcome, Item)]
        failed = [
            (item_id, outcome) for item_id, outcome in zip(ids, outcomes, strict=True) if isinstance(outcome, AppError)
        ]
        return BulkResult(items, failed)

    # Search

    async def search(
        self, user_id: str, query: str, *, sort: SortField, descending: bool, limit: int, cursor: str | None
    ) -> ItemPage:
        """Case- and accent-insensitive substring of names, across the user's items that are not
        in the trash nor in a trashed folder. One read of the user's names, filtered here."""
        wanted = fold_name(query.strip())
        page_query = ["search", wanted, sort.value, descending]
        after = decode_page_cursor(cursor, page_query) if cursor else None
        items = await self._repository.list_live(user_id)
        folders = {item.item_id: item for item in items if item.is_folder}
        chains = _chains_in(folders)
        matches = [
            item
            for item in items
            if wanted in fold_name(item.name) and (item.parent_id is None or chains.get(item.parent_id) is not None)
        ]
        page, last = page_after(matches, sort, descending=descending, after_key=after, limit=limit)
        paths = {item.item_id: _entries(chains[item.parent_id] or []) if item.parent_id else [] for item in page}
        return ItemPage(page, encode_page_cursor(page_query, last) if last else None, paths)

    # Trash

    async def _trash(self, item: Item) -> Item:
        now = self._now()
        return await self._repository.trash(
            item, trashed_at=self._timestamp(now), purge_at=self._timestamp(now + self._trash_retention)
        )

    async def trash_item(self, user_id: str, item_id: str, *, kind: ItemKind | None) -> Item:
        """Moves the item to the trash; a folder takes what it holds along, untouched."""
        item = await self._require_live(user_id, item_id, kind)
        trashed = await self._trash(item)
        logger.info("item trashed", extra={"user_id": user_id, "item_id": item_id})
        return trashed

    async def trash_items(self, user_id: str, item_ids: Sequence[str]) -> BulkResult:
        return await self._each(item_ids, lambda item_id: self.trash_item(user_id, item_id, kind=None))

    async def _trashed(self, user_id: str, item_id: str) -> Item:
        item = await self._repository.get(user_id, item_id) if is_file_id(item_id) else None
        if item is None or item.deleting:
            raise ItemNotFound()
        if item.trashed_at is None:
            raise NotInTrash()
        return item

    async def list_trash(self, user_id: str, *, limit: int, cursor: str | None) -> ItemPage:
        """Trashed items, newest deletion first, each with the path of the folder it was in."""
        query = ["trash"]
        after = decode_page_cursor(cursor, query, is_key=is_trash_key) if cursor else None
        items, last = await self._repository.list_trash(user_id, limit=limit, after_key=after)
        parents = sorted({item.parent_id for item in items if item.parent_id is not None})
        chains = await self._chains(user_id, parents)
        paths = {item.item_id: _entries(chains.get(item.parent_id) or []) if item.parent_id else [] for item in items}
        return ItemPage(items, encode_page_cursor(query, last) if last else None, paths)

    async def restore_items(self, user_id: str, item_ids: Sequence[str], *, on_conflict: OnConflict) -> BulkResult:
        """Back to the folder each item was in, or to the root if that folder is gone or trashed."""
        result = await self._each(item_ids, lambda item_id: self._restore(user_id, item_id, on_conflict))
        parents = sorted({item.parent_id for item in result.items if item.parent_id is not None})
        chains = await self._chains(user_id, parents)
        paths = {
            item.item_id: _entries(chains.get(item.parent_id) or []) if item.parent_id else [] for item in result.items
        }
        return BulkResult(result.items, result.failed, paths)

    async def _restore(self, user_id: str, item_id: str, on_conflict: OnConflict) -> Item:
        item = await self._trashed(user_id, item_id)
        parent_id = item.parent_id
        if parent_id is not None and not (await self._chains(user_id, [parent_id]))[parent_id]:
            parent_id = None
        restored = replace(item, parent_id=parent_id, trashed_at=None, purge_at=None)
        while True:
            try:
                await self._repository.restore(item, restored)
                logger.info("item restored", extra={"user_id": user_id, "item_id": item_id})
                return restored
            except NameTaken as taken:
                if on_conflict is OnConflict.RENAME:
                    name = await self._free_name(user_id, parent_id, restored.name)
                    restored = restored.moved(name=name, parent_id=parent_id, modified_at=restored.modified_at)
                elif on_conflict is OnConflict.REPLACE:
                    existing_id = taken.details["existingId"] if taken.details else ""
                    existing = await self._repository.get(user_id, existing_id)
                    if existing is None or existing.kind is not item.kind:
                        raise
                    await self._trash(existing)
                else:
                    raise

    async def delete_forever(self, user_id: str, item_ids: Sequence[str]) -> BulkResult:
        """Hides trashed items at once; the purge removes their bytes and records right after."""
        now = self._timestamp()

        async def schedule(item_id: str) -> Item:
            item = await self._trashed(user_id, item_id)
            await self._repository.schedule_purge(item, purge_at=now)
            return item

        result = await self._each(item_ids, schedule)
        self.purge_requested.set()
        return BulkResult([], result.failed)

    async def empty_trash(self, user_id: str) -> int:
        now = self._timestamp()
        emptied = 0
        while True:
            items, last = await self._repository.list_trash(user_id, limit=PURGE_BATCH, after_key=None)
            for item in items:
                await self._repository.schedule_purge(item, purge_at=now)
            emptied += len(items)
            if not last:
                break
        self.purge_requested.set()
        return emptied

    async def purge_due(self, *, limit: int = PURGE_BATCH) -> int:
        """Removes up to `limit` trashed items whose time has come, with everything they hold:
        bytes first, then records (a folder last), so a purge cut short resumes where it was."""
        due = await self._repository.due_for_purge(self._timestamp(), limit=limit)
        for item in due:
            await self._purge_tree(item)
        if due:
            logger.info("trash purged", extra={"items": len(due)})
        return len(due)

    async def _purge_tree(self, top: Item) -> None:
        # Depth first with an explicit stack: a folder is removed once everything in it is.
        stack: list[tuple[Item, bool]] = [(top, False)]
        while stack:
            item, opened = stack.pop()
            if item.is_folder and not opened:
                stack.append((item, True))
                async for children in self._repository.iter_children(item.user_id, item.item_id):
                    stack.extend((child, False) for child in children)
                continue
            if item.object_key is not None:
                await self._blob_store.delete(item.object_key)
            await self._repository.delete(item)

    # Archives

    async def create_archive(self, user_id: str, item_ids: Sequence[str], *, name: str | None) -> tuple[str, datetime]:
        """A single-use token, valid for a minute, that downloads the items as one ZIP without the
        access token (a browser navigation carries none). Only its hash is stored."""
        items = [await self._require_live(user_id, item_id) for item_id in dict.fromkeys(item_ids)]
        title = clean_file_name(name) if name else items[0].name if len(items) == 1 and items[0].is_folder else "scloud"
        token = secrets.token_urlsafe(16)
        expires_at = self._now() + timedelta(seconds=ARCHIVE_TTL_SECONDS)
        await self._repository.save_archive(
            _token_hash(token),
            ArchiveRequest(user_id, [item.item_id for item in items], title, self._timestamp(expires_at)),
        )
        return token, expires_at

    async def open_archive(self, token: str) -> tuple[str, AsyncIterator[ArchiveEntry]]:
        """The archive's file name and its members, once per token."""
        request = await self._repository.claim_archive(_token_hash(token), self._timestamp())
        if request is None:
            raise ArchiveNotFound()
        return f"{request.name}.zip", self._archive_entries(request)

    async def _archive_entries(self, request: ArchiveRequest) -> AsyncIterator[ArchiveEntry]:
        found = await self._repository.get_many(request.user_id, request.item_ids)
        used: set[str] = set()
        stack: list[tuple[Item, str]] = []
        for item_id in reversed(request.item_ids):
            item = found.get(item_id)
            if item is not None and item.trashed_at is None:
                stack.append((item, ""))
        while stack:
            item, directory = stack.pop()
            path = _unique_member(directory + item.name.replace("/", "_"), used)
            if not item.is_folder:
                yield ArchiveEntry(path, item.modified_at, item.object_key)
                continue
            yield ArchiveEntry(path + "/", item.modified_at)
            children: list[Item] = []
            async for batch in self._repository.iter_children(item.user_id, item.item_id):
                children.extend(child for child in batch if child.trashed_at is None)
            stack.extend(
                (child, path + "/")
                for child in sorted(children, key=lambda child: natural_name_key(child.name), reverse=True)
            )

    def read_bytes(self, key: str) -> AsyncIterator[bytes]:
        return self._blob_store.read(key)

    # Accounts

    async def delete_user_files(self, user_id: str) -> int:
        """Every byte and every record of a user (files, folders, trash, names), orphaned bytes
        included. Idempotent. The account is closed first, so an upload still in flight cannot
        record a file afterwards: it fails and removes its own bytes."""
        await self._repository.close_account(user_id)
        objects = await self._blob_store.delete_prefix(user_prefix(user_id))
        files = await self._repository.delete_all(user_id)
        logger.info("user files deleted", extra={"user_id": user_id, "objects": objects, "files": files})
        return files

    async def get_storage_usage(self, user_id: str) -> StorageUsage:
        return await self._repository.usage(user_id)

    async def file_unfiled(self, user_id: str) -> int:
        """Puts the files recorded before folders existed into the root, renaming any whose name
        is taken there (`name (1).ext`). Idempotent."""
        moved = 0
        for file in await self._repository.list_unfiled(user_id):
            name = file.file_name
            while True:
                try:
                    await self._repository.file_into_root(file, name=name)
                    break
                except NameTaken:
                    name = await self._free_name(user_id, None, file.file_name)
            moved += 1
        return moved


def _entries(chain: Sequence[Item]) -> list[PathEntry]:
    return [PathEntry(folder.item_id, folder.name) for folder in chain]


def _chains_in(folders: dict[str, Item]) -> dict[str, list[Item] | None]:
    """Each folder's chain from the root, from folders already in memory; None if an ancestor is
    missing (trashed, so absent from what was read)."""
    chains: dict[str, list[Item] | None] = {}
    for folder_id in folders:
        walk: list[str] = []
        current: str | None = folder_id
        while current is not None and current not in chains and len(walk) < MAX_PATH_WALK:
            walk.append(current)
            current = folders[current].parent_id if current in folders else None
            if current is not None and current not in folders:
                chains[current] = None
        base = chains.get(current) if current is not None else []
        for walked in reversed(walk):
            if walked not in folders or base is None:
                chains[walked] = None
                base = None
            else:
                base = [*base, folders[walked]]
                chains[walked] = base
    return chains


def _unique_member(path: str, used: set[str]) -> str:
    candidate, number = path, 0
    while candidate.casefold() in used:
        number += 1
        directory, _, name = path.rpartition("/")
        candidate = (directory + "/" if directory else "") + numbered_name(name, number)
    used.add(candidate.casefold())
    return candidate


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
