"""Search reads a bounded slice of the drive per request, from where the last page stopped:
its cost does not grow with the number of the user's items. Pages come newest first, in a
stable order; a page may be short, even empty, while a cursor says more follow."""

import pytest

from scloud_files.adapters.in_memory import InMemoryFileRepository
from scloud_files.domain import FileIdGenerator, Item, ItemKind, ObjectKeys

KEYS = ObjectKeys.for_development()

NOW = "2026-01-02T03:04:05+00:00"
DRIVE_ITEMS = 2500
new_id = FileIdGenerator()


class CountingRepository(InMemoryFileRepository):
    """Counts the items each read across the drive hands back."""

    def __init__(self) -> None:
        super().__init__()
        self.read_sizes: list[int] = []

    async def list_newest(self, user_id, *, kind, limit, after_id):
        items, last = await super().list_newest(user_id, kind=kind, limit=limit, after_id=after_id)
        self.read_sizes.append(len(items))
        return items, last

    async def list_live(self, user_id):  # what search read before: the whole drive
        items = await super().list_live(user_id)  # type: ignore[misc]
        self.read_sizes.append(len(items))
        return items


@pytest.fixture
def drive_repository():
    return CountingRepository()


def put(repository, name: str, parent_id: str | None = None, *, folder: bool = False) -> Item:
    item_id = new_id()
    item = Item(
        item_id,
        "alice",
        ItemKind.FOLDER if folder else ItemKind.FILE,
        name,
        parent_id,
        NOW,
        NOW,
        size=None if folder else 1,
        content_type=None if folder else "text/plain",
        object_key=None if folder else KEYS.file("alice", item_id),
    )
    repository.items[("alice", item_id)] = item
    return item


async def search_all(drive, query: str, limit: int = 50) -> list[list[str]]:
    pages, cursor = [], None
    for _ in range(100):
        params = {"q": query, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await drive.client.get("/api/search", params=params)
        assert response.status_code == 200, response.text
        pages.append([item["name"] for item in response.json()["items"]])
        if not (cursor := response.json()["nextCursor"]):
            return pages
    raise AssertionError("the cursor never ended")


async def test_each_request_reads_a_bounded_slice_whatever_the_drive_size(drive, drive_repository):
    oldest = put(drive_repository, "needle-old.txt")
    for index in range(DRIVE_ITEMS):
        put(drive_repository, f"hay {index}.txt")
    newest = put(drive_repository, "needle-new.txt")
    pages = await search_all(drive, "NEEDLE")
    assert [name for page in pages for name in page] == [newest.name, oldest.name]
    assert [] in pages  # a page may be empty while more follow
    assert max(drive_repository.read_sizes) <= 1000 < DRIVE_ITEMS


async def test_pages_are_newest_first_without_gaps_or_repeats_when_a_slice_holds_more_than_a_page(
    drive, drive_repository
):
    matches = [put(drive_repository, f"match {index}.txt") for index in range(120)]
    pages = await search_all(drive, "match", limit=50)
    assert [name for page in pages for name in page] == [item.name for item in reversed(matches)]
    assert [len(page) for page in pages] == [50, 50, 20]


async def test_each_page_leaves_out_what_a_trashed_folder_holds_and_gives_paths(drive, drive_repository):
    top = put(drive_repository, "Top", folder=True)
    inner = put(drive_repository, "Inner", top.item_id, folder=True)
    put(drive_repository, "report hidden.txt", inner.item_id)
    kept = put(drive_repository, "Kept", folder=True)
    put(drive_repository, "report kept.txt", kept.item_id)
    drive_repository.items[("alice", top.item_id)] = Item(**{**top.__dict__, "trashed_at": NOW, "purge_at": NOW})
    response = (await drive.client.get("/api/search", params={"q": "report"})).json()
    assert [(item["name"], item["path"]) for item in response["items"]] == [
        ("report kept.txt", [{"id": kept.item_id, "name": "Kept"}])
    ]


async def test_sort_and_order_are_accepted_and_the_order_stays_newest_first(drive, drive_repository):
    first, second = put(drive_repository, "a match.txt"), put(drive_repository, "b match.txt")
    response = await drive.client.get("/api/search", params={"q": "match", "sort": "name", "order": "asc"})
    assert [item["id"] for item in response.json()["items"]] == [second.item_id, first.item_id]
