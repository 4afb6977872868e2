"""The "shared" mark of a listing's items: which have a live share link, asked of the link store
once per page (docs/data-model.md, "The shared mark")."""

import dataclasses

from scloud_files.domain import ItemPage
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.ports import ShareLinkStore


class SharedMarks:
    def __init__(self, links: ShareLinkStore | None, *, now: Clock) -> None:
        self._links = links
        self._now = now

    async def __call__(self, user_id: str, page: ItemPage) -> ItemPage:
        """The page with the ids of its items that have a link neither revoked nor expired. A
        drive built without sharing (the command-line tools) marks none."""
        if self._links is None or not page.items:
            return page
        ids = [item.item_id for item in page.items]
        shared = await self._links.shared_items(user_id, ids, timestamp(self._now()))
        return dataclasses.replace(page, shared=frozenset(shared))
