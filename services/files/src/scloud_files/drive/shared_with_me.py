"""Sharing with people, the grantee's side: what is shared with them (invitations to their
verified email claimed first), leaving a share, keeping it in their drive view, and working
through it. Everything goes through `ShareGate`: the grant is read from the grantee's own records
on every request, so a removal or the owner's account deletion ends access at the next request;
an item is reached only inside the shared one, with the links' containment (LinkScope.within).
Anything else is the same 404 as an unknown id. Viewers read; editors also upload, rename, move
within and trash inside, on the owner's quota."""

import re
from collections.abc import AsyncIterable, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from scloud_common.errors import NotFound
from scloud_files.domain import (
    ITEM_ID_PATTERN,
    InvalidCursor,
    Item,
    ItemKind,
    OnConflict,
    SortField,
    is_file_id,
)
from scloud_files.domain.grant import Grant, Role, SharedRootFixed, ShareNotFound, ViewerOnly, person_id_of
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.download_link import CreateDownloadLink
from scloud_files.drive.folder import CreateFolder, ListChildren
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.move import UNSET, Unset, UpdateItem
from scloud_files.drive.shared_folder import LinkScope, SharedEntry
from scloud_files.drive.trash import TrashItem
from scloud_files.drive.upload import UploadFile
from scloud_files.ports import FileRepository, GrantStore, PeopleDirectory

# Called once a grant no longer lets its grantee change anything (removed, left, made a viewer).
AccessEnded = Callable[[Grant], Awaitable[None]]


async def nothing_to_end(grant: Grant) -> None:
    return None


@dataclass(frozen=True)
class SharedWithMe:
    """A grant to the caller with its item as it is now."""

    grant: Grant
    item: Item


class ShareGate:
    def __init__(self, grants: GrantStore, repository: FileRepository, paths: FolderPaths, scope: LinkScope) -> None:
        self._grants = grants
        self._repository = repository
        self._paths = paths
        self._scope = scope

    async def enter(self, user_id: str, share_id: str) -> tuple[Grant, Item]:
        """The caller's grant and its item; ShareNotFound whatever the reason: no grant (removed,
        left, never made), the owner's account closed, the item trashed or gone."""
        grant = await self._grants.shared_with(user_id, share_id) if is_file_id(share_id) else None
        if grant is None or await self._repository.account_closed(grant.owner_id):
            raise ShareNotFound()
        try:
            item = await self._paths.require_live(grant.owner_id, share_id)
        except NotFound:
            raise ShareNotFound() from None
        return grant, item

    async def reach(
        self, user_id: str, share_id: str, item_id: str | None, kind: ItemKind | None = None, *, edit: bool = False
    ) -> tuple[Grant, SharedEntry]:
        """An item inside the share (None: the shared item itself). With `edit`, ViewerOnly for a
        viewer, before anything about the item is said."""
        grant, root = await self.enter(user_id, share_id)
        if edit and grant.role is not Role.EDITOR:
            raise ViewerOnly()
        return grant, await self._scope.within(grant.owner_id, root, item_id, kind)

    async def reach_inside(self, user_id: str, share_id: str, item_id: str) -> tuple[Grant, SharedEntry]:
        """An item an editor may change: inside the share, never the shared item itself."""
        grant, entry = await self.reach(user_id, share_id, item_id, edit=True)
        if entry.is_link_root:
            raise SharedRootFixed()
        return grant, entry


class ListSharedWithMe:
    def __init__(
        self,
        grants: GrantStore,
        people: PeopleDirectory,
        repository: FileRepository,
        paths: FolderPaths,
        *,
        now: Clock,
    ) -> None:
        self._grants = grants
        self._people = people
        self._repository = repository
        self._paths = paths
        self._now = now

    async def __call__(self, user_id: str, *, limit: int, cursor: str | None) -> tuple[list[SharedWithMe], str | None]:
        """A page of what is shared with the user, newest item first; an item trashed or gone,
        or whose owner's account is closed, is left out, so a page may be short."""
        if cursor is not None and not re.fullmatch(ITEM_ID_PATTERN, cursor):
            raise InvalidCursor()
        if cursor is None:
            await self._claim_invitations(user_id)
        grants, next_cursor = await self._grants.list_shared_with(user_id, limit=limit, after_item_id=cursor)
        live: dict[tuple[str, str], Item] = {}
        for owner_id in sorted({grant.owner_id for grant in grants}):
            if await self._repository.account_closed(owner_id):
                continue
            ids = [grant.item_id for grant in grants if grant.owner_id == owner_id]
            found = await self._repository.get_many(owner_id, ids)
            items = [item for item in found.values() if item.trashed_at is None]
            live |= {(owner_id, item.item_id): item for item in await self._paths.live_only(owner_id, items)}
        shared = [
            SharedWithMe(grant, live[(grant.owner_id, grant.item_id)])
            for grant in grants
            if (grant.owner_id, grant.item_id) in live
        ]
        return shared, next_cursor

    async def _claim_invitations(self, user_id: str) -> None:
        """Invitations wait for an email until its account is verified: claimed on the first
        page, so a new account finds what was shared with its address before it existed."""
        email = await self._people.verified_email(user_id)
        if email is None:
            return
        for invitation in await self._grants.invitations_to(person_id_of(email), timestamp(self._now())):
            if invitation.owner_id != user_id:
                await self._grants.claim(invitation, user_id)


class ShareChoices:
    """What the grantee decides about a share: leave it, or show it in their drive view."""

    def __init__(self, grants: GrantStore, gate: ShareGate, *, access_ended: AccessEnded) -> None:
        self._grants = grants
        self._gate = gate
        self._access_ended = access_ended

    async def leave(self, user_id: str, share_id: str) -> None:
        grant = await self._grants.shared_with(user_id, share_id) if is_file_id(share_id) else None
        if grant is None:
            raise ShareNotFound()
        await self._grants.remove(grant)
        await self._access_ended(grant)

    async def set_in_drive(self, user_id: str, share_id: str, in_drive: bool) -> None:
        grant, _ = await self._gate.enter(user_id, share_id)
        await self._grants.set_in_drive(grant, in_drive)


class ReadShared:
    """What anyone the item is shared with may do: read an item, list a folder, download a file."""

    def __init__(self, gate: ShareGate, list_children: ListChildren, signer: CreateDownloadLink) -> None:
        self._gate = gate
        self._list_children = list_children
        self._signer = signer

    async def item(self, user_id: str, share_id: str, item_id: str | None) -> tuple[Grant, SharedEntry]:
        return await self._gate.reach(user_id, share_id, item_id)

    async def children(
        self,
        user_id: str,
        share_id: str,
        folder_id: str | None,
        *,
        sort: SortField,
        descending: bool,
        limit: int,
        cursor: str | None,
        folders_only: bool = False,
    ) -> tuple[SharedEntry, list[Item], str | None]:
        grant, folder = await self._gate.reach(user_id, share_id, folder_id, ItemKind.FOLDER)
        page = await self._list_children(
            grant.owner_id,
            folder.item.item_id,
            sort=sort,
            descending=descending,
            kinds=[ItemKind.FOLDER] if folders_only else [ItemKind.FOLDER, ItemKind.FILE],
            limit=limit,
            cursor=cursor,
        )
        return folder, page.items, page.next_cursor

    async def download(
        self, user_id: str, share_id: str, file_id: str | None, *, inline: bool, as_text: bool
    ) -> tuple[str, datetime]:
        """A short-lived presigned URL, as the owner's own download: never the object's key."""
        grant, entry = await self._gate.reach(user_id, share_id, file_id, ItemKind.FILE)
        return self._signer.sign(entry.item, inline=inline, as_text=as_text)


class EditShared:
    """What an editor may do inside a shared folder, as the owner would, on the owner's quota."""

    def __init__(
        self, gate: ShareGate, upload: UploadFile, create_folder: CreateFolder, update: UpdateItem, trash: TrashItem
    ) -> None:
        self._gate = gate
        self.upload_file = upload
        self._create_folder = create_folder
        self._update = update
        self._trash = trash

    async def upload(
        self,
        user_id: str,
        share_id: str,
        folder_id: str | None,
        *,
        file_name: str,
        content_type: str | None,
        chunks: AsyncIterable[bytes],
        on_conflict: OnConflict,
        modified_at: datetime | None,
    ) -> Item:
        grant, folder = await self._gate.reach(user_id, share_id, folder_id, ItemKind.FOLDER, edit=True)
        return await self.upload_file(
            grant.owner_id,
            file_name=file_name,
            content_type=content_type,
            chunks=chunks,
            parent_id=folder.item.item_id,
            on_conflict=on_conflict,
            modified_at=modified_at,
        )

    async def create_folder(
        self, user_id: str, share_id: str, parent_id: str | None, *, name: str, on_conflict: OnConflict
    ) -> tuple[Item, bool]:
        """A folder in the shared folder (None) or a folder inside it, owned by the owner; with
        `merge`, the existing folder of that name and False (a dropped folder tree lands in it)."""
        grant, parent = await self._gate.reach(user_id, share_id, parent_id, ItemKind.FOLDER, edit=True)
        return await self._create_folder(
            grant.owner_id, name=name, parent_id=parent.item.item_id, on_conflict=on_conflict
        )

    async def update(
        self, user_id: str, share_id: str, item_id: str, *, name: str | Unset, parent_id: str | None | Unset
    ) -> Item:
        """Renames and/or moves an item inside the share into a folder inside it (None: the
        shared folder itself)."""
        grant, entry = await self._gate.reach_inside(user_id, share_id, item_id)
        target: str | None | Unset = UNSET
        if not isinstance(parent_id, Unset):
            _, folder = await self._gate.reach(user_id, share_id, parent_id, ItemKind.FOLDER, edit=True)
            target = folder.item.item_id
        return await self._update(grant.owner_id, entry.item.item_id, kind=None, name=name, parent_id=target)

    async def trash(self, user_id: str, share_id: str, item_id: str) -> None:
        """Into the owner's trash, from which only the owner restores it."""
        grant, entry = await self._gate.reach_inside(user_id, share_id, item_id)
        await self._trash(grant.owner_id, entry.item.item_id, kind=None)
