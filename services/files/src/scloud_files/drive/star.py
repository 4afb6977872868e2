"""Starred: the user stars and unstars their items, lists what they starred (newest star first)
and sees the mark on every item a listing shows, one read of the star store per page
(docs/data-model.md, "Starred")."""

import dataclasses
import logging

from scloud_files.domain import ItemPage, decode_page_cursor, encode_page_cursor
from scloud_files.domain.star import Star, is_star_key
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.folder_path import FolderPaths, path_entries
from scloud_files.drive.page_marks import PageMarks
from scloud_files.ports import FileRepository, StarStore

logger = logging.getLogger(__name__)


class StarMarks:
    def __init__(self, stars: StarStore | None) -> None:
        self._stars = stars

    async def __call__(self, user_id: str, page: ItemPage) -> ItemPage:
        """The page with the ids of its items the user starred: one read for the page. A drive
        built without stars (the command-line tools) marks none."""
        if not page.items or self._stars is None:
            return page
        starred = await self._stars.starred_items(user_id, [item.item_id for item in page.items])
        return dataclasses.replace(page, starred=frozenset(starred))

    async def of_item(self, user_id: str, item_id: str) -> bool:
        """Whether the user starred the item (an item read)."""
        return self._stars is not None and bool(await self._stars.starred_items(user_id, [item_id]))


class StarItem:
    def __init__(self, stars: StarStore, paths: FolderPaths, *, now: Clock) -> None:
        self._stars = stars
        self._paths = paths
        self._now = now

    async def __call__(self, user_id: str, item_id: str, *, starred: bool) -> None:
        """Stars or unstars one of the user's live items; both idempotent (a second star keeps
        the first one's time). ItemNotFound for an item that is not the user's, or is trashed
        (or in a trashed folder) or deleted."""
        await self._paths.require_live(user_id, item_id)
        if starred:
            await self._stars.star(Star(user_id=user_id, item_id=item_id, starred_at=timestamp(self._now())))
        else:
            await self._stars.unstar(user_id, item_id)
        logger.info("item starred" if starred else "item unstarred", extra={"user_id": user_id, "item_id": item_id})


class ListStarred:
    def __init__(self, stars: StarStore, repository: FileRepository, paths: FolderPaths, marks: PageMarks) -> None:
        self._stars = stars
        self._repository = repository
        self._paths = paths
        self._marks = marks

    async def __call__(self, user_id: str, *, limit: int, cursor: str | None) -> ItemPage:
        """The items the user starred, newest star first, each with its folder path. A star on an
        item in the trash (itself or a folder above it) is kept but not shown, so the item is
        back after a restore: a page may then hold fewer than `limit` items while a cursor says
        more follow. Costs one page of stars, one batch read of their items and the paths' walk,
        whatever else the user has."""
        query = ["starred"]
        after = decode_page_cursor(cursor, query, is_key=is_star_key) if cursor else None
        stars, last = await self._stars.list_starred(user_id, limit=limit, after_key=after)
        found = await self._repository.get_many(user_id, [star.item_id for star in stars])
        candidates = [
            found[star.item_id] for star in stars if star.item_id in found and found[star.item_id].trashed_at is None
        ]
        chains = await self._paths.chains(user_id, sorted({item.parent_id for item in candidates if item.parent_id}))
        live = [item for item in candidates if item.parent_id is None or chains.get(item.parent_id)]
        paths = {item.item_id: path_entries(chains[item.parent_id] or []) if item.parent_id else [] for item in live}
        page = ItemPage(
            live,
            encode_page_cursor(query, last) if last else None,
            paths,
            starred=frozenset(item.item_id for item in live),
        )
        return await self._marks(user_id, page)
