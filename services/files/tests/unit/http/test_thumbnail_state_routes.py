"""`thumbnail` is the file's true state in every answer of the item shape (folder listing,
search, flat list, details, trash listing, bulk results), read with the item itself: the reads a
search or a flat list makes do not grow with the number of items they answer."""

from dataclasses import replace

import pytest

from scloud_files.adapters.in_memory import InMemoryFileRepository
from scloud_files.domain import FileIdGenerator, Item, ItemKind, ObjectKeys, ThumbnailState

KEYS = ObjectKeys.for_development()

NOW = "2026-01-02T03:04:05+00:00"
new_id = FileIdGenerator()


class CountingRepository(InMemoryFileRepository):
    """Counts the reads of single items (by id) the routes make."""

    def __init__(self) -> None:
        super().__init__()
        self.item_reads = 0

    async def get(self, user_id, item_id):
        self.item_reads += 1
        return await super().get(user_id, item_id)

    async def get_many(self, user_id, item_ids):
        self.item_reads += 1
        return await super().get_many(user_id, item_ids)


@pytest.fixture
def drive_repository():
    return CountingRepository()


async def put(
    repository, name: str, *, state: ThumbnailState | None = None, parent_id: str | None = None, folder=False
) -> Item:
    item_id = new_id()
    item = Item(
        item_id=item_id,
        user_id="alice",
        kind=ItemKind.FOLDER if folder else ItemKind.FILE,
        name=name,
        parent_id=parent_id,
        created_at=NOW,
        modified_at=NOW,
        size=None if folder else 3,
        content_type=None if folder else "image/png",
        object_key=None if folder else KEYS.file("alice", item_id),
        media_type=None if folder else "image/png",
        thumbnail=None if folder or state is None else ThumbnailState.PENDING,
    )
    await repository.create(item)
    if state is not None and state is not ThumbnailState.PENDING:
        await repository.set_thumbnail(item, state)
    return replace(item, thumbnail=state)


def states(body) -> dict[str, str]:
    return {item["name"]: item["thumbnail"] for item in body["items"]}


async def test_every_listing_of_items_says_where_each_thumbnail_stands(drive):
    client, repository = drive.client, drive.repository
    album = await put(repository, "Album", folder=True)
    expected = {
        "photo ready.png": "ready",
        "photo pending.png": "pending",
        "photo refused.png": "failed",
        "photo notes.txt": "none",
    }
    recorded = [ThumbnailState.READY, ThumbnailState.PENDING, ThumbnailState.REFUSED, None]
    files = {
        name: await put(repository, name, state=state, parent_id=album.item_id)
        for name, state in zip(expected, recorded, strict=True)
    }
    ready = files["photo ready.png"]

    assert states((await client.get(f"/api/folders/{album.item_id}/children")).json()) == expected
    assert states((await client.get("/api/search", params={"q": "photo"})).json()) == expected
    assert states((await client.get("/api/files")).json()) == expected
    for name, state in expected.items():
        assert (await client.get(f"/api/files/{files[name].item_id}")).json()["thumbnail"] == state

    trashed = (await client.post("/api/items/trash", json={"ids": [ready.item_id]})).json()
    assert [item["thumbnail"] for item in trashed["items"]] == ["ready"]
    assert states((await client.get("/api/trash")).json()) == {"photo ready.png": "ready"}
    restored = (await client.post("/api/trash/restore", json={"ids": [ready.item_id]})).json()
    assert [item["thumbnail"] for item in restored["items"]] == ["ready"]
    assert (await client.get(f"/api/folders/{album.item_id}")).json()["thumbnail"] == "none"


@pytest.mark.parametrize(("path", "params"), [("/api/search", {"q": "photo"}), ("/api/files", {})])
async def test_search_and_the_flat_list_read_no_item_again_for_its_thumbnail(drive, path, params):
    repository = drive.repository
    album = await put(repository, "Album", folder=True)

    async def reads_for(count: int) -> int:
        for index in range(count):
            await put(repository, f"photo {count}-{index}.png", state=ThumbnailState.READY, parent_id=album.item_id)
        repository.item_reads = 0
        response = await drive.client.get(path, params={**params, "limit": 100})
        assert response.status_code == 200, response.text
        files = [item for item in response.json()["items"] if item["kind"] == "file"]
        assert len(files) >= count and all(item["thumbnail"] == "ready" for item in files)
        return repository.item_reads

    few = await reads_for(2)
    assert await reads_for(40) == few
