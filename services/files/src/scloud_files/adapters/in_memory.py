"""In-memory implementations of the files service's ports, for unit tests."""

from collections.abc import AsyncIterable, AsyncIterator, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from scloud_common.errors import ServiceUnavailable
from scloud_files.domain import (
    AccountClosed,
    ArchiveRequest,
    ChainChanged,
    FileVersion,
    FolderNotFound,
    Item,
    ItemKind,
    ItemNotFound,
    NameTaken,
    SortField,
    StorageUsage,
    StoredObject,
    ThumbnailState,
    UnfiledFile,
    content_id,
    fold_name,
    page_after,
    trash_key,
)

if TYPE_CHECKING:
    from scloud_files.ports import BlobStore, FileRepository


def _guard(user_id: str, parent_id: str | None, name: str) -> tuple[str, str | None, str]:
    return (user_id, parent_id, fold_name(name))


class InMemoryFileRepository:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Item] = {}
        # Files recorded before folders existed: no parent, no guard.
        self.unfiled: dict[tuple[str, str], UnfiledFile] = {}
        self.names: dict[tuple[str, str | None, str], str] = {}
        self.totals: dict[str, StorageUsage] = {}
        # The admin's per-user quotas; usage() reads them with the totals, as the stores do.
        self.quotas: dict[str, int] = {}
        self.closed: set[str] = set()
        self.archives: dict[str, ArchiveRequest] = {}
        self.versions: dict[tuple[str, str], FileVersion] = {}
        self.fail_writes = False
        self.writes = 0

    def _write(self) -> None:
        if self.fail_writes:
            raise ServiceUnavailable()
        self.writes += 1

    def _add_to_totals(self, user_id: str, size: int, count: int, trash: int = 0) -> None:
        total = self.totals.get(user_id, StorageUsage(0, 0))
        self.totals[user_id] = StorageUsage(
            total.bytes_used + size, total.file_count + count, total.trash_bytes + trash
        )

    def _trashed_size(self, item: Item) -> int:
        return item.size or 0 if item.kind is ItemKind.FILE else 0

    def _take_name(self, item: Item) -> None:
        guard = _guard(item.user_id, item.parent_id, item.name)
        holder = self.names.get(guard)
        if holder is not None and holder != item.item_id:
            raise NameTaken(holder)
        self.names[guard] = item.item_id

    def _free_name(self, item: Item) -> None:
        guard = _guard(item.user_id, item.parent_id, item.name)
        if self.names.get(guard) == item.item_id:
            del self.names[guard]

    def _live(self, item: Item) -> Item:
        current = self.items.get((item.user_id, item.item_id))
        if current is None or current.trashed_at is not None:
            raise ItemNotFound()
        return current

    async def create(self, item: Item) -> None:
        self._write()
        if item.user_id in self.closed:
            raise AccountClosed()
        if (item.user_id, item.item_id) in self.items:
            raise NameTaken(item.item_id)
        if item.parent_id is not None:
            parent = self.items.get((item.user_id, item.parent_id))
            if parent is None or not parent.is_folder or parent.trashed_at is not None or parent.deleting:
                raise FolderNotFound()
        self._take_name(item)
        self.items[(item.user_id, item.item_id)] = item
        if item.kind is ItemKind.FILE:
            self._add_to_totals(item.user_id, item.size or 0, 1)

    async def get(self, user_id: str, item_id: str) -> Item | None:
        return self.items.get((user_id, item_id))

    async def get_many(self, user_id: str, item_ids: Sequence[str]) -> dict[str, Item]:
        return {item_id: self.items[(user_id, item_id)] for item_id in item_ids if (user_id, item_id) in self.items}

    async def name_holders(self, user_id: str, parent_id: str | None, names: Sequence[str]) -> dict[str, str]:
        return {
            name: self.names[_guard(user_id, parent_id, name)]
            for name in names
            if _guard(user_id, parent_id, name) in self.names
        }

    async def relocate(self, item: Item, moved: Item, *, target_chain: Sequence[Item] = ()) -> None:
        self._write()
        current = self._live(item)
        for folder in target_chain:
            now = self.items.get((folder.user_id, folder.item_id))
            if now is None or now.parent_id != folder.parent_id or now.trashed_at is not None:
                raise ChainChanged()
        self._free_name(current)
        try:
            self._take_name(moved)
        except NameTaken:
            self._take_name(current)
            raise
        self.items[(item.user_id, item.item_id)] = replace(
            current, name=moved.name, parent_id=moved.parent_id, modified_at=moved.modified_at
        )

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
        children = [
            item
            for (owner, _), item in self.items.items()
            if owner == user_id and item.parent_id == parent_id and item.trashed_at is None and item.kind in kinds
        ]
        return page_after(children, sort, descending=descending, after_key=after_key, limit=limit)

    async def iter_children(self, user_id: str, parent_id: str | None) -> AsyncIterator[list[Item]]:
        children = [
            item
            for (owner, _), item in list(self.items.items())
            if owner == user_id and item.parent_id == parent_id and item.trashed_at is None
        ]
        if children:
            yield children

    async def trash(self, item: Item, *, trashed_at: str, purge_at: str) -> Item:
        self._write()
        current = self._live(item)
        self._free_name(current)
        trashed = replace(current, trashed_at=trashed_at, purge_at=purge_at)
        self.items[(item.user_id, item.item_id)] = trashed
        self._add_to_totals(item.user_id, 0, 0, self._trashed_size(current))
        return trashed

    async def restore(self, item: Item, restored: Item) -> None:
        self._write()
        current = self.items.get((item.user_id, item.item_id))
        if current is None or current.trashed_at is None or current.deleting:
            raise ItemNotFound()
        live = replace(current, name=restored.name, parent_id=restored.parent_id, trashed_at=None, purge_at=None)
        self._take_name(live)
        self.items[(item.user_id, item.item_id)] = live
        self._add_to_totals(item.user_id, 0, 0, -self._trashed_size(current))

    def _in_trash_listing(self, item: Item) -> bool:
        return item.trashed_at is not None and not item.deleting

    async def list_trash(self, user_id: str, *, limit: int, after_key: str | None) -> tuple[list[Item], str | None]:
        keyed = sorted(
            (
                (trash_key(item), item)
                for (owner, _), item in self.items.items()
                if owner == user_id and self._in_trash_listing(item)
            ),
            key=lambda pair: pair[0],
            reverse=True,
        )
        if after_key is not None:
            keyed = [pair for pair in keyed if pair[0] < after_key]
        page = keyed[:limit]
        return [item for _, item in page], page[-1][0] if len(keyed) > limit else None

    async def schedule_purge(self, item: Item, *, purge_at: str) -> None:
        self._write()
        current = self.items.get((item.user_id, item.item_id))
        if current is not None and current.trashed_at is not None:
            self.items[(item.user_id, item.item_id)] = replace(current, purge_at=purge_at, deleting=True)

    async def due_for_purge(self, now: str, *, limit: int) -> list[Item]:
        due = sorted(
            (item for item in self.items.values() if item.trashed_at is not None and (item.purge_at or "") <= now),
            key=lambda item: item.purge_at or "",
        )
        return due[:limit]

    async def begin_purge(self, folder: Item) -> None:
        self._write()
        current = self.items.get((folder.user_id, folder.item_id))
        if current is not None:
            self.items[(folder.user_id, folder.item_id)] = replace(current, deleting=True)

    async def delete(self, item: Item) -> None:
        self._write()
        current = self.items.pop((item.user_id, item.item_id), None)
        if current is None:
            return
        if current.trashed_at is None:
            self._free_name(current)
        if current.kind is ItemKind.FILE:
            trashed = self._trashed_size(current) if current.trashed_at is not None else 0
            self._add_to_totals(current.user_id, -(current.size or 0), -1, -trashed)
            self.versions.pop((current.user_id, content_id(current)), None)

    async def list_newest(
        self, user_id: str, *, kind: ItemKind | None, limit: int, after_id: str | None
    ) -> tuple[list[Item], str | None]:
        newest_first = sorted(
            (
                replace(item, object_key=None, media_type=None, sha256=None, checksum_part_size=None)
                for (owner, item_id), item in self.items.items()
                if owner == user_id
                and kind in (None, item.kind)
                and item.trashed_at is None
                and (after_id is None or item_id < after_id)
            ),
            key=lambda item: item.item_id,
            reverse=True,
        )
        page = newest_first[:limit]
        return page, page[-1].item_id if len(newest_first) > limit else None

    async def list_unfiled(self, user_id: str) -> list[UnfiledFile]:
        return [file for (owner, _), file in self.unfiled.items() if owner == user_id]

    async def file_into_root(self, file: UnfiledFile, *, name: str) -> None:
        if (file.user_id, file.file_id) not in self.unfiled:
            return
        item = file.filed_in_root(name)
        self._take_name(item)
        del self.unfiled[(file.user_id, file.file_id)]
        self.items[(file.user_id, file.file_id)] = item

    async def save_archive(self, token_hash: str, request: ArchiveRequest) -> None:
        self.archives[token_hash] = request

    async def claim_archive(self, token_hash: str, now: str) -> ArchiveRequest | None:
        request = self.archives.pop(token_hash, None)
        return request if request is not None and request.expires_at > now else None

    async def close_account(self, user_id: str) -> None:
        self.closed.add(user_id)

    async def account_closed(self, user_id: str) -> bool:
        return user_id in self.closed

    async def delete_all(self, user_id: str) -> int:
        keys = [key for key in self.items if key[0] == user_id]
        files = sum(1 for key in keys if self.items[key].kind is ItemKind.FILE)
        for key in keys:
            del self.items[key]
        unfiled = [key for key in self.unfiled if key[0] == user_id]
        for key in unfiled:
            del self.unfiled[key]
        for guard in [guard for guard in self.names if guard[0] == user_id]:
            del self.names[guard]
        for version_key in [key for key in self.versions if key[0] == user_id]:
            del self.versions[version_key]
        if user_id in self.totals:
            self.totals[user_id] = StorageUsage(0, 0)
        return files + len(unfiled)

    async def usage(self, user_id: str) -> StorageUsage:
        return replace(self.totals.get(user_id, StorageUsage(0, 0)), quota_bytes=self.quotas.get(user_id))

    async def set_quota(self, user_id: str, quota_bytes: int | None) -> None:
        self._write()
        if quota_bytes is None:
            self.quotas.pop(user_id, None)
        else:
            self.quotas[user_id] = quota_bytes

    async def recount_usage(self, user_id: str) -> StorageUsage:
        files = [item for (owner, _), item in self.items.items() if owner == user_id and item.kind is ItemKind.FILE]
        sizes = [item.size or 0 for item in files]
        sizes += [file.file_size for (owner, _), file in self.unfiled.items() if owner == user_id]
        trash = sum(item.size or 0 for item in files if item.trashed_at is not None)
        kept = sum(
            version.size for (owner, _), version in self.versions.items() if owner == user_id and not version.current
        )
        self.totals[user_id] = StorageUsage(sum(sizes) + kept, len(sizes), trash)
        return await self.usage(user_id)

    async def list_user_ids(self) -> list[str]:
        owners = {owner for owner, _ in self.items} | {owner for owner, _ in self.unfiled}
        return sorted(owners | set(self.totals) | set(self.quotas) | self.closed)

    async def list_file_rows(self, *, after: str | None, limit: int) -> tuple[list[Item], str | None]:
        keys = sorted(key for key in self.items if after is None or "/".join(key) > after)
        page = keys[:limit]
        files = [self.items[key] for key in page if self.items[key].kind is ItemKind.FILE]
        return files, "/".join(page[-1]) if len(keys) > limit else None

    async def set_thumbnail(self, item: Item, state: ThumbnailState) -> bool:
        self._write()
        current = self.items.get((item.user_id, item.item_id))
        if current is None:
            return False
        self.items[(item.user_id, item.item_id)] = replace(current, thumbnail=state)
        return True

    async def pending_thumbnails(self, *, limit: int) -> list[Item]:
        pending = [
            item for item in self.items.values() if item.thumbnail is ThumbnailState.PENDING and item.trashed_at is None
        ]
        return sorted(pending, key=lambda item: item.item_id)[:limit]

    async def add_version(self, file: Item, content: Item, superseded: FileVersion) -> Item:
        self._write()
        if file.user_id in self.closed:
            raise AccountClosed()
        current = self.items.get((file.user_id, file.item_id))
        if (
            current is None
            or current.trashed_at is not None
            or current.deleting
            or current.object_key != file.object_key
        ):
            raise ItemNotFound()
        updated = current.serving(content)
        self.items[(file.user_id, file.item_id)] = updated
        self.versions[(file.user_id, superseded.version_id)] = superseded
        self.versions[(file.user_id, content.item_id)] = FileVersion.uploaded(content, file_id=file.item_id)
        self._add_to_totals(file.user_id, content.size or 0, 0)
        return updated

    async def list_versions(self, user_id: str, file_id: str) -> list[FileVersion]:
        earlier = [
            version
            for (owner, _), version in self.versions.items()
            if owner == user_id and version.file_id == file_id and not version.current
        ]
        return sorted(earlier, key=lambda version: version.version_id, reverse=True)

    async def get_version(self, user_id: str, version_id: str) -> FileVersion | None:
        return self.versions.get((user_id, version_id))

    async def recorded_objects(self, user_id: str, object_ids: Sequence[str]) -> set[str]:
        return {object_id for object_id in object_ids if (user_id, object_id) in self.versions}

    async def due_versions(self, now: str, *, limit: int) -> list[FileVersion]:
        due = sorted(
            (v for v in self.versions.values() if not v.current and (v.expires_at or "") <= now),
            key=lambda version: version.expires_at or "",
        )
        return due[:limit]

    async def delete_version(self, version: FileVersion) -> None:
        self._write()
        stored = self.versions.get((version.user_id, version.version_id))
        if stored is None or stored.current:
            return
        del self.versions[(version.user_id, version.version_id)]
        self._add_to_totals(version.user_id, -stored.size, 0)


class InMemoryBlobStore:
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.stored_at: dict[str, str] = {}
        self.fail_puts = False
        self.fail_deletes = False

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> None:
        received = bytearray()
        async for chunk in chunks:
            received += chunk
            if self.fail_puts:
                raise ServiceUnavailable()
        if self.fail_puts:
            raise ServiceUnavailable()
        self.objects[key] = (bytes(received), content_type)
        self.stored_at[key] = datetime.now(UTC).isoformat(timespec="seconds")

    def read_blocking(self, key: str) -> Iterator[bytes]:
        content = self.objects[key][0]
        for start in range(0, len(content), 64 * 1024):
            yield content[start : start + 64 * 1024]

    async def copy(self, source_key: str, target_key: str, *, size: int | None = None) -> None:
        if self.fail_puts:
            raise ServiceUnavailable()
        self.objects[target_key] = self.objects[source_key]
        self.stored_at[target_key] = datetime.now(UTC).isoformat(timespec="seconds")

    async def delete(self, key: str) -> None:
        if self.fail_deletes:
            raise ServiceUnavailable()
        self.objects.pop(key, None)
        self.stored_at.pop(key, None)

    async def delete_prefix(self, prefix: str) -> int:
        keys = [key for key in self.objects if key.startswith(prefix)]
        for key in keys:
            await self.delete(key)
        return len(keys)

    async def list_objects(self, prefix: str, *, after: str | None, limit: int) -> list[StoredObject]:
        keys = sorted(key for key in self.objects if key.startswith(prefix) and (after is None or key > after))
        return [StoredObject(key, self.stored_at[key]) for key in keys[:limit]]

    async def exists(self, key: str) -> bool:
        return key in self.objects

    def presign_download(self, key: str, *, content_disposition: str, content_type: str, ttl_seconds: int) -> str:
        query = urlencode({"disposition": content_disposition, "type": content_type, "ttl": ttl_seconds})
        return f"memory://blobs/{key}?{query}"


# Protocols are structural, so nothing holds a fake to its port until a test happens to call what
# drifted. These assignments make mypy (`make lint`) do it; the adapters are held to the same ports
# where bootstrap assigns them to its Protocol-typed parameters.
if TYPE_CHECKING:
    _file_repository: FileRepository = InMemoryFileRepository()
    _blob_store: BlobStore = InMemoryBlobStore()
