"""Room below a folder for a subtree: a folder moved or restored must not take what it holds
deeper than MAX_FOLDER_DEPTH. The height is read one level at a time through folder-only
listings, stopping as soon as the limit is passed: its cost never depends on files."""

from scloud_files.domain import MAX_FOLDER_DEPTH, FolderTooDeep, Item, ItemKind, SortField, TooManyFolders
from scloud_files.ports import FileRepository

# Folders a height walk reads at most: past it the move is refused rather than slow.
MAX_FOLDERS_WALKED = 2000
_PAGE = 200


async def require_room(repository: FileRepository, folder: Item, *, parent_depth: int) -> None:
    """FolderTooDeep if `folder`, placed in a folder `parent_depth` levels below the root (0: the
    root itself), would hold folders deeper than MAX_FOLDER_DEPTH; TooManyFolders if finding out
    takes reading more than MAX_FOLDERS_WALKED folders."""
    room = MAX_FOLDER_DEPTH - parent_depth
    level = [folder]
    height = 1
    walked = 0
    while level:
        if height > room:
            raise FolderTooDeep()
        below: list[Item] = []
        for parent in level:
            below += await _subfolders(repository, parent, MAX_FOLDERS_WALKED - walked - len(below))
        walked += len(below)
        level = below
        height += 1 if below else 0


async def _subfolders(repository: FileRepository, folder: Item, budget: int) -> list[Item]:
    found: list[Item] = []
    after: str | None = None
    while True:
        page, after = await repository.list_children(
            folder.user_id,
            folder.item_id,
            sort=SortField.NAME,
            descending=False,
            kinds=[ItemKind.FOLDER],
            limit=_PAGE,
            after_key=after,
        )
        found += page
        if len(found) > budget:
            raise TooManyFolders()
        if after is None:
            return found
