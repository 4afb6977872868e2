"""What every write of a name into a folder does when the folder has it: refuse (409
`name_taken`), keep both (`name (1).ext`), replace (an upload over a file is a new version of
it; anything else sends the other to the trash), or merge (answer the folder already there). Creating folders, uploads, moves and restores all go through here."""

from collections.abc import Awaitable, Callable

from scloud_files.domain import Item, ItemKind, ItemNotFound, NameTaken, OnConflict, content_id, numbered_name
from scloud_files.drive.trashing import Trasher
from scloud_files.ports import FileRepository

# Candidate "keep both" names read in one round trip.
RENAME_BATCH = 20
MAX_RENAME_NUMBER = 1000


class NameClash:
    def __init__(self, repository: FileRepository, trasher: Trasher) -> None:
        self._repository = repository
        self._trash = trasher

    async def free_name(self, user_id: str, parent_id: str | None, name: str) -> str:
        """The first of `name (1)`, `name (2)`... not taken in the folder."""
        for first in range(1, MAX_RENAME_NUMBER, RENAME_BATCH):
            candidates = [numbered_name(name, number) for number in range(first, first + RENAME_BATCH)]
            taken = await self._repository.name_holders(user_id, parent_id, candidates)
            for candidate in candidates:
                if candidate not in taken:
                    return candidate
        raise NameTaken((await self._repository.name_holders(user_id, parent_id, [name])).get(name, ""))

    async def place(
        self,
        write: Callable[[str], Awaitable[Item]],
        *,
        user_id: str,
        parent_id: str | None,
        name: str,
        kind: ItemKind,
        on_conflict: OnConflict,
        item_id: str | None = None,
        new_version: Callable[[Item], Awaitable[Item]] | None = None,
    ) -> Item:
        """Runs `write(name)`, the write of item `item_id` of `kind` under `name` in the folder,
        and answers what it wrote; if the name is taken, does what `on_conflict` says and tries
        again. With `merge`, answers the live item of `kind` holding the name instead. "Keep both"
        always numbers the name asked for, so a retry after a race is `name (2)`, never
        `name (1) (1)`. A name held by `item_id` itself means an earlier try of this write
        landed unseen (the store's retry met its own guard): that is the item as written.
        With `new_version` (an upload's bytes), replacing a live file makes them its new
        version (`new_version(holder)`) instead of trashing it; a holder already serving
        `item_id`'s bytes is that version landed unseen."""
        attempted = name
        for _ in range(MAX_RENAME_NUMBER):
            try:
                return await write(attempted)
            except NameTaken as taken:
                holder_id = taken.existing_id
                own = item_id is not None and holder_id == item_id
                landed = await self._repository.get(user_id, holder_id) if own else None
                if landed is not None:
                    return landed
                if on_conflict is OnConflict.RENAME:
                    attempted = await self.free_name(user_id, parent_id, name)
                elif on_conflict is OnConflict.REPLACE and new_version is not None:
                    holder = await self._repository.get(user_id, holder_id)
                    if holder is None or holder.trashed_at is not None or holder.deleting:
                        continue  # gone meanwhile: the name may be free now
                    if holder.is_folder:
                        raise
                    if item_id is not None and content_id(holder) == item_id:
                        return holder
                    try:
                        return await new_version(holder)
                    except ItemNotFound:
                        continue  # its content changed meanwhile: read it again
                elif on_conflict is OnConflict.REPLACE and await self._trash_holder(user_id, holder_id, kind):
                    continue
                elif on_conflict is OnConflict.MERGE and (merged := await self._live_holder(user_id, holder_id, kind)):
                    return merged
                else:
                    raise
        raise NameTaken("")

    async def _trash_holder(self, user_id: str, holder_id: str, kind: ItemKind) -> bool:
        """Trashes the item holding the name if it is of `kind`; False if it cannot be replaced."""
        holder = await self._repository.get(user_id, holder_id)
        if holder is None or holder.kind is not kind:
            return False
        try:
            await self._trash(holder)
        except ItemNotFound:
            pass
        return True

    async def _live_holder(self, user_id: str, holder_id: str, kind: ItemKind) -> Item | None:
        holder = await self._repository.get(user_id, holder_id)
        return holder if holder is not None and holder.kind is kind and holder.trashed_at is None else None
