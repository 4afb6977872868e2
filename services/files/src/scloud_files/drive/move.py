"""Renaming and moving items, one or many: one write per item whatever a folder holds."""

import logging
from collections.abc import Sequence

from scloud_files.domain import (
    BulkResult,
    ChainChanged,
    FolderCycle,
    FolderTooDeep,
    Item,
    ItemKind,
    OnConflict,
    clean_file_name,
)
from scloud_files.domain.activity import ActivityAction
from scloud_files.drive.activity import ActivityRecorder
from scloud_files.drive.bulk import BulkRunner
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.folder_depth import require_room
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.drive.name_clash import NameClash
from scloud_files.ports import FileRepository

logger = logging.getLogger(__name__)

MOVE_ATTEMPTS = 3
# A move's transaction checks every folder on the way to its target: DynamoDB takes 100 items.
MAX_CHECKED_CHAIN = 96


class Unset:
    """A field the caller did not send, as opposed to one sent as null (the root)."""


UNSET = Unset()


class UpdateItem:
    def __init__(
        self,
        repository: FileRepository,
        paths: FolderPaths,
        names: NameClash,
        *,
        activity: ActivityRecorder,
        now: Clock,
    ) -> None:
        self._repository = repository
        self._activity = activity
        self._paths = paths
        self._names = names
        self._now = now

    async def __call__(
        self,
        user_id: str,
        item_id: str,
        *,
        kind: ItemKind | None,
        name: str | Unset = UNSET,
        parent_id: str | None | Unset = UNSET,
        on_conflict: OnConflict = OnConflict.FAIL,
    ) -> Item:
        """Renames and/or moves one item: one write whatever a folder contains; the object key
        of a file never changes. A folder may not take what it holds below the depth limit
        (FolderTooDeep), which is checked by reading its subfolders only. A folder moved while another move changes the folders on its
        way is tried again from a fresh read, so two moves can never make a loop."""
        for attempt in range(MOVE_ATTEMPTS):
            try:
                return await self._update_once(user_id, item_id, kind, name, parent_id, on_conflict)
            except ChainChanged:
                if attempt == MOVE_ATTEMPTS - 1:
                    raise
        raise ChainChanged()

    async def _update_once(
        self,
        user_id: str,
        item_id: str,
        kind: ItemKind | None,
        name: str | Unset,
        parent_id: str | None | Unset,
        on_conflict: OnConflict,
    ) -> Item:
        item = await self._paths.require_live(user_id, item_id, kind)
        target = item.parent_id if isinstance(parent_id, Unset) else parent_id
        new_name = item.name if isinstance(name, Unset) else clean_file_name(name)
        chain: list[Item] = []
        if target != item.parent_id:
            chain = await self._paths.require_folder(user_id, target)
            if item.is_folder and any(folder.item_id == item.item_id for folder in chain):
                raise FolderCycle()
            if len(chain) > MAX_CHECKED_CHAIN:
                raise FolderTooDeep()
            if item.is_folder:
                await require_room(self._repository, item, parent_depth=len(chain))
        if target == item.parent_id and new_name == item.name:
            return item
        modified_at = timestamp(self._now())
        # Only a folder can close a loop: a file's move needs no check of the folders on its way.
        checked = chain if item.is_folder else []

        async def write(attempted: str) -> Item:
            moved = item.moved(name=attempted, parent_id=target, modified_at=modified_at)
            await self._repository.relocate(item, moved, target_chain=checked)
            return moved

        moved = await self._names.place(
            write, user_id=user_id, parent_id=target, name=new_name, kind=item.kind, on_conflict=on_conflict
        )
        logger.info("item moved", extra={"user_id": user_id, "item_id": item_id})
        action = ActivityAction.MOVE if moved.parent_id != item.parent_id else ActivityAction.RENAME
        await self._activity.changed(action, before=item, after=moved, at=modified_at)
        return moved


class MoveItems:
    def __init__(self, update_item: UpdateItem, paths: FolderPaths, bulk: BulkRunner) -> None:
        self._update_item = update_item
        self._paths = paths
        self._bulk = bulk

    async def __call__(
        self, user_id: str, item_ids: Sequence[str], *, parent_id: str | None, on_conflict: OnConflict
    ) -> BulkResult:
        """Moves each item into the folder, on its own: refusals are reported per item."""
        await self._paths.require_folder(user_id, parent_id)
        return await self._bulk(
            item_ids,
            lambda item_id: self._update_item(
                user_id, item_id, kind=None, parent_id=parent_id, on_conflict=on_conflict
            ),
        )
