"""What every StarStore must do, written once: the fake and SQLite in the unit tier, DynamoDB
(moto) in the integration tier."""

import pytest

from scloud_files.domain import FileIdGenerator
from scloud_files.domain.star import Star
from scloud_files.ports import StarStore

new_id = FileIdGenerator()


def a_star(user_id: str = "alice", *, minute: int = 0, item_id: str | None = None) -> Star:
    return Star(user_id=user_id, item_id=item_id or new_id(), starred_at=f"2026-11-25T09:{minute:02d}:00+00:00")


class StarStoreContract:
    @pytest.fixture
    def stars(self) -> StarStore:
        raise NotImplementedError

    async def test_starred_items_are_the_users_own_stars_among_those_asked(self, stars):
        starred = a_star()
        await stars.star(starred)
        await stars.star(a_star("bob", item_id=new_id()))
        other = new_id()
        assert await stars.starred_items("alice", [starred.item_id, other]) == {starred.item_id}
        assert await stars.starred_items("bob", [starred.item_id]) == set()
        assert await stars.starred_items("alice", []) == set()

    async def test_starred_comes_newest_star_first_a_page_at_a_time(self, stars):
        # Starred in another order than the items were made: the star time orders them.
        made = [a_star(minute=minute) for minute in (3, 1, 4, 2, 5)]
        for star in made:
            await stars.star(star)
        await stars.star(a_star("bob", minute=9))
        newest_first = sorted(made, key=lambda star: star.starred_at, reverse=True)
        page, cursor = await stars.list_starred("alice", limit=3, after_key=None)
        assert page == newest_first[:3]
        assert cursor is not None
        rest, end = await stars.list_starred("alice", limit=3, after_key=cursor)
        assert rest == newest_first[3:]
        assert end is None
        assert await stars.list_starred("carol", limit=3, after_key=None) == ([], None)

    async def test_the_last_full_page_gives_no_cursor(self, stars):
        for minute in (1, 2):
            await stars.star(a_star(minute=minute))
        page, cursor = await stars.list_starred("alice", limit=2, after_key=None)
        assert len(page) == 2
        assert cursor is None

    async def test_starring_again_keeps_the_first_star_time(self, stars):
        first = a_star(minute=1)
        await stars.star(first)
        await stars.star(Star("alice", first.item_id, "2026-11-25T10:00:00+00:00"))
        assert await stars.list_starred("alice", limit=10, after_key=None) == ([first], None)

    async def test_unstarring_forgets_the_star_and_is_idempotent(self, stars):
        star = a_star()
        kept = a_star(minute=2)
        await stars.star(star)
        await stars.star(kept)
        await stars.unstar("alice", star.item_id)
        await stars.unstar("alice", star.item_id)
        await stars.unstar("bob", kept.item_id)
        assert await stars.starred_items("alice", [star.item_id, kept.item_id]) == {kept.item_id}
        assert await stars.list_starred("alice", limit=10, after_key=None) == ([kept], None)

    async def test_an_accounts_stars_all_go(self, stars):
        for minute in range(3):
            await stars.star(a_star(minute=minute))
        others = a_star("bob")
        await stars.star(others)
        assert await stars.delete_all("alice") == 3
        assert await stars.delete_all("alice") == 0
        assert await stars.list_starred("alice", limit=10, after_key=None) == ([], None)
        assert await stars.starred_items("bob", [others.item_id]) == {others.item_id}
