"""Browsing a folder link, signed out: list the folder and its subfolders, read a file's details,
download one file, or a selection as a ZIP. Every item is named by id and read in the link
owner's records only; it is reachable only if the walk up its folders meets the link's folder
(docs/data-model.md, "Containment of a folder link"). Anything else is the same 404 as an
unknown id: another user's item, a trashed one, one outside the folder."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from scloud_files.domain import (
    AccessEvent,
    Item,
    ItemKind,
    ItemNotFound,
    ItemPage,
    PathEntry,
    ShareLink,
    SortField,
    Visitor,
    decode_page_cursor,
    encode_page_cursor,
    is_file_id,
)
from scloud_files.drive.archive import CreateArchive
from scloud_files.drive.download_link import CreateDownloadLink
from scloud_files.drive.folder_path import FolderPaths, path_entries
from scloud_files.drive.shared_access import LinkGate
from scloud_files.ports import FileRepository


@dataclass(frozen=True)
class SharedEntry:
    """An item reached through a link, with the folders between the link's folder and it (the
    link's folder itself and anything above it are never named)."""

    item: Item
    path: list[PathEntry]
    is_link_root: bool


@dataclass(frozen=True)
class SharedFolderPage:
    folder: SharedEntry
    page: ItemPage


class LinkScope:
    """What a link reaches: its item, and for a folder everything below it that is live."""

    def __init__(self, repository: FileRepository, paths: FolderPaths) -> None:
        self._repository = repository
        self._paths = paths

    async def reach(
        self, link: ShareLink, linked: Item, item_id: str | None, kind: ItemKind | None = None
    ) -> SharedEntry:
        """`item_id` None (or the linked item's own id) is the linked item. ItemNotFound for
        anything the link does not reach, whatever the reason."""
        return await self.within(link.owner_id, linked, item_id, kind)

    async def within(
        self, owner_id: str, linked: Item, item_id: str | None, kind: ItemKind | None = None
    ) -> SharedEntry:
        """The same containment for anything that shares one item of its owner's: a link, or a
        grant to a person (drive/shared_with_me.py)."""
        if item_id is None or item_id == linked.item_id:
            entry = SharedEntry(linked, [], is_link_root=True)
        else:
            entry = await self._below(owner_id, linked, item_id)
        if kind is not None and entry.item.kind is not kind:
            raise ItemNotFound()
        return entry

    async def _below(self, owner_id: str, linked: Item, item_id: str) -> SharedEntry:
        item = await self._repository.get(owner_id, item_id) if is_file_id(item_id) else None
        if item is None or item.trashed_at is not None or item.parent_id is None or not linked.is_folder:
            raise ItemNotFound()
        # Bounded by the path walk (depth and steps): a chain that never meets the link's folder
        # within it is outside.
        chain = (await self._paths.chains(owner_id, [item.parent_id]))[item.parent_id] or []
        ids = [folder.item_id for folder in chain]
        if linked.item_id not in ids:
            raise ItemNotFound()
        return SharedEntry(item, path_entries(chain[ids.index(linked.item_id) + 1 :]), is_link_root=False)


class ListSharedFolder:
    def __init__(self, gate: LinkGate, scope: LinkScope, repository: FileRepository) -> None:
        self._gate = gate
        self._scope = scope
        self._repository = repository

    async def __call__(
        self,
        link_id: str,
        visitor: Visitor,
        *,
        unlock: str | None,
        folder_id: str | None,
        sort: SortField,
        descending: bool,
        limit: int,
        cursor: str | None,
    ) -> SharedFolderPage:
        """A page of a folder the link reaches, in the owner's listing's orders (folders first)."""
        link, linked = await self._gate.enter(link_id, visitor, unlock=unlock)
        folder = await self._scope.reach(link, linked, folder_id, ItemKind.FOLDER)
        query = ["shared", link.link_ref, folder.item.item_id, sort.value, descending]
        after = decode_page_cursor(cursor, query) if cursor else None
        items, last = await self._repository.list_children(
            link.owner_id,
            folder.item.item_id,
            sort=sort,
            descending=descending,
            kinds=[ItemKind.FOLDER, ItemKind.FILE],
            limit=limit,
            after_key=after,
        )
        await self._gate.log(link, visitor, AccessEvent.LIST)
        return SharedFolderPage(folder, ItemPage(items, encode_page_cursor(query, last) if last else None))


class GetSharedItem:
    def __init__(self, gate: LinkGate, scope: LinkScope) -> None:
        self._gate = gate
        self._scope = scope

    async def __call__(self, link_id: str, visitor: Visitor, *, unlock: str | None, item_id: str | None) -> SharedEntry:
        link, linked = await self._gate.enter(link_id, visitor, unlock=unlock)
        entry = await self._scope.reach(link, linked, item_id)
        await self._gate.log(link, visitor, AccessEvent.OPEN)
        return entry


class DownloadSharedFile:
    def __init__(self, gate: LinkGate, scope: LinkScope, signer: CreateDownloadLink) -> None:
        self._gate = gate
        self._scope = scope
        self._signer = signer

    async def __call__(
        self, link_id: str, visitor: Visitor, *, unlock: str | None, file_id: str | None
    ) -> tuple[str, datetime]:
        """A short-lived URL of one file the link reaches, counted as one download."""
        link, linked = await self._gate.enter(link_id, visitor, unlock=unlock)
        entry = await self._scope.reach(link, linked, file_id, ItemKind.FILE)
        await self._gate.count_download(link, visitor)
        signed = self._signer.sign(entry.item)
        await self._gate.log(link, visitor, AccessEvent.DOWNLOAD)
        return signed


class ZipSharedItems:
    def __init__(self, gate: LinkGate, scope: LinkScope, create_archive: CreateArchive) -> None:
        self._gate = gate
        self._scope = scope
        self._create_archive = create_archive

    async def __call__(
        self, link_id: str, visitor: Visitor, *, unlock: str | None, item_ids: Sequence[str | None]
    ) -> tuple[str, datetime]:
        """The one-time ZIP link (as the owner's) of items the link reaches, each checked before
        the link is made; None is the linked item. Counted as one download."""
        link, linked = await self._gate.enter(link_id, visitor, unlock=unlock)
        entries = [await self._scope.reach(link, linked, item_id) for item_id in dict.fromkeys(item_ids)]
        await self._gate.count_download(link, visitor)
        token = await self._create_archive(link.owner_id, [entry.item.item_id for entry in entries], name=None)
        await self._gate.log(link, visitor, AccessEvent.ZIP)
        return token
