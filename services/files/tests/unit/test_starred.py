"""Starred on the in-memory fakes: starring and unstarring, Starred newest star first with
paths, the mark on listings and search, what the trash, the purge and account deletion do to
stars."""

from datetime import timedelta

import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_star import InMemoryStars
from scloud_files.domain import InvalidCursor, ItemKind, ItemNotFound, OnConflict, SortField
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import Clock, chunks_of

BOTH = [ItemKind.FOLDER, ItemKind.FILE]


class CountingStars(InMemoryStars):
    """Counts the lookups of marks, to show a page costs one."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0

    async def starred_items(self, user_id, item_ids):
        self.lookups += 1
        return await super().starred_items(user_id, item_ids)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def stars():
    return CountingStars()


@pytest.fixture
def drive(clock, stars):
    return build_drive(
        InMemoryFileRepository(),
        InMemoryBlobStore(),
        max_upload_bytes=1000,
        download_url_ttl_seconds=60,
        now=clock,
        stars=stars,
    )


async def upload(drive, name, parent=None, user="alice"):
    return await drive.upload_file(user, file_name=name, content_type=None, chunks=chunks_of(b"x"), parent_id=parent)


async def mkdir(drive, name, parent=None, user="alice"):
    folder, _ = await drive.create_folder(user, name=name, parent_id=parent)
    return folder


async def star(drive, clock, item, user="alice"):
    clock.now += timedelta(seconds=1)
    await drive.starring.star(user, item.item_id, starred=True)


async def starred_names(drive, user="alice", limit=2):
    names, cursor = [], None
    while True:
        page = await drive.starring.list(user, limit=limit, cursor=cursor)
        names += [item.name for item in page.items]
        assert page.starred == {item.item_id for item in page.items}
        if (cursor := page.next_cursor) is None:
            return names


async def test_starred_lists_newest_star_first_with_paths(drive, clock):
    projects = await mkdir(drive, "Projects")
    report = await upload(drive, "report.txt", projects.item_id)
    notes = await upload(drive, "notes.txt")
    for item in (notes, projects, report):
        await star(drive, clock, item)
    assert await starred_names(drive) == ["report.txt", "Projects", "notes.txt"]
    page = await drive.starring.list("alice", limit=10, cursor=None)
    assert [entry.name for entry in page.paths[report.item_id]] == ["Projects"]
    assert page.paths[projects.item_id] == []


async def test_starring_again_keeps_the_place_and_unstarring_removes_it(drive, clock):
    first = await upload(drive, "first.txt")
    second = await upload(drive, "second.txt")
    await star(drive, clock, first)
    await star(drive, clock, second)
    await star(drive, clock, first)
    assert await starred_names(drive) == ["second.txt", "first.txt"]
    await drive.starring.star("alice", first.item_id, starred=False)
    await drive.starring.star("alice", first.item_id, starred=False)
    assert await starred_names(drive) == ["second.txt"]


async def test_only_the_users_live_items_can_be_starred(drive, clock):
    mine = await upload(drive, "mine.txt")
    theirs = await upload(drive, "theirs.txt", user="bob")
    folder = await mkdir(drive, "Old")
    inside = await upload(drive, "inside.txt", folder.item_id)
    await drive.trash_item("alice", folder.item_id, kind=None)
    for item_id in (theirs.item_id, folder.item_id, inside.item_id, "not-an-id"):
        with pytest.raises(ItemNotFound):
            await drive.starring.star("alice", item_id, starred=True)
        with pytest.raises(ItemNotFound):
            await drive.starring.star("alice", item_id, starred=False)
    await star(drive, clock, mine)
    assert await starred_names(drive, user="bob") == []


async def test_a_trashed_item_leaves_starred_and_is_back_after_restore(drive, clock):
    folder = await mkdir(drive, "Holiday")
    photo = await upload(drive, "photo.jpg", folder.item_id)
    notes = await upload(drive, "notes.txt")
    for item in (notes, photo, folder):
        await star(drive, clock, item)
    await drive.trash_item("alice", folder.item_id, kind=None)
    # A page of one star, whose item is in the trash: empty, with a cursor to what follows.
    page = await drive.starring.list("alice", limit=1, cursor=None)
    assert page.items == [] and page.next_cursor is not None
    assert await starred_names(drive) == ["notes.txt"]
    await drive.restore_items("alice", [folder.item_id], on_conflict=OnConflict.FAIL)
    assert await starred_names(drive) == ["Holiday", "photo.jpg", "notes.txt"]


async def test_the_purge_removes_the_stars_of_what_it_deletes(drive, clock, stars):
    folder = await mkdir(drive, "Gone")
    inside = await upload(drive, "inside.txt", folder.item_id)
    kept = await upload(drive, "kept.txt")
    for item in (folder, inside, kept):
        await star(drive, clock, item)
    await drive.trash_item("alice", folder.item_id, kind=None)
    await drive.delete_forever("alice", [folder.item_id])
    assert await drive.purge_due() == 1
    assert set(stars.stars) == {("alice", kept.item_id)}


async def test_deleting_the_account_removes_its_stars(drive, clock, stars):
    await star(drive, clock, await upload(drive, "mine.txt"))
    theirs = await upload(drive, "theirs.txt", user="bob")
    await star(drive, clock, theirs, user="bob")
    await drive.delete_user_files("alice")
    assert set(stars.stars) == {("bob", theirs.item_id)}


async def test_listings_and_search_mark_starred_items_with_one_lookup_a_page(drive, clock, stars):
    folder = await mkdir(drive, "Reports")
    starred_file = await upload(drive, "report 1.txt")
    await upload(drive, "report 2.txt")
    await star(drive, clock, starred_file)
    await star(drive, clock, folder)
    stars.lookups = 0
    page = await drive.list_children(
        "alice", None, sort=SortField.NAME, descending=False, kinds=BOTH, limit=10, cursor=None
    )
    assert page.starred == {folder.item_id, starred_file.item_id}
    found = await drive.search("alice", "report", limit=10, cursor=None)
    assert found.starred == {folder.item_id, starred_file.item_id}
    assert stars.lookups == 2
    assert await drive.star_marks.of_item("alice", folder.item_id)
    assert not await drive.star_marks.of_item("bob", folder.item_id)


async def test_a_cursor_of_another_listing_is_refused(drive):
    await mkdir(drive, "A")
    await mkdir(drive, "B")
    page = await drive.list_children(
        "alice", None, sort=SortField.NAME, descending=False, kinds=BOTH, limit=1, cursor=None
    )
    with pytest.raises(InvalidCursor):
        await drive.starring.list("alice", limit=1, cursor=page.next_cursor)
    with pytest.raises(InvalidCursor):
        await drive.starring.list("alice", limit=1, cursor="garbage")
