"""The stars in memory, for unit tests."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from scloud_files.domain.star import Star

if TYPE_CHECKING:
    from scloud_files.ports import StarStore


class InMemoryStars:
    def __init__(self) -> None:
        self.stars: dict[tuple[str, str], Star] = {}

    async def star(self, star: Star) -> None:
        self.stars.setdefault((star.user_id, star.item_id), star)

    async def unstar(self, user_id: str, item_id: str) -> None:
        self.stars.pop((user_id, item_id), None)

    async def list_starred(self, user_id: str, *, limit: int, after_key: str | None) -> tuple[list[Star], str | None]:
        mine = sorted((star for star in self.stars.values() if star.user_id == user_id), key=lambda s: s.key)[::-1]
        if after_key is not None:
            mine = [star for star in mine if star.key < after_key]
        page = mine[:limit]
        return page, page[-1].key if len(mine) > limit else None

    async def starred_items(self, user_id: str, item_ids: Sequence[str]) -> set[str]:
        return {item_id for item_id in item_ids if (user_id, item_id) in self.stars}

    async def delete_all(self, user_id: str) -> int:
        mine = [key for key in self.stars if key[0] == user_id]
        for key in mine:
            del self.stars[key]
        return len(mine)


if TYPE_CHECKING:
    _stars: StarStore = InMemoryStars()
