"""The "shared" mark of a listing's items: which have a live share link or are shared with someone,
asked of the link store and the grant store once per page (docs/data-model.md, "The shared mark")."""

import dataclasses

from scloud_files.domain import ItemPage
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.ports import GrantStore, ShareLinkStore


class SharedMarks:
    def __init__(self, links: ShareLinkStore | None, grants: GrantStore | None = None, *, now: Clock) -> None:
        self._links = links
        self._grants = grants
        self._now = now

    async def __call__(self, user_id: str, page: ItemPage) -> ItemPage:
        """The page with the ids of its items that are shared: a link neither revoked nor
        expired, or a person (a grant, or an invitation still waiting). One read of each store
        for the page. A drive built without sharing (the command-line tools) marks none."""
        if not page.items or (self._links is None and self._grants is None):
            return page
        ids = [item.item_id for item in page.items]
        now = timestamp(self._now())
        shared = await self._links.shared_items(user_id, ids, now) if self._links is not None else set()
        if self._grants is not None:
            shared |= await self._grants.shared_items(user_id, ids, now)
        return dataclasses.replace(page, shared=frozenset(shared))
