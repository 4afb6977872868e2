"""The 64-level depth limit holds on moves and restores too, not only on creation, and finding a
moved folder's height reads its subfolders only."""

import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.domain import MAX_FOLDER_DEPTH, FolderTooDeep, Item, ItemKind, OnConflict, TooManyFolders
from scloud_files.drive import folder_depth
from scloud_files.drive.use_cases import build_drive


@pytest.fixture
def repository():
    return InMemoryFileRepository()


@pytest.fixture
def drive(repository):
    return build_drive(repository, InMemoryBlobStore(), max_upload_bytes=100, download_url_ttl_seconds=60)


async def chain(drive, levels: int, name: str, parent=None) -> list[Item]:
    folders = []
    for level in range(levels):
        folder, _ = await drive.create_folder("alice", name=f"{name}{level}", parent_id=parent)
        folders.append(folder)
        parent = folder.item_id
    return folders


async def stored_chain(repository, levels: int) -> list[Item]:
    """A chain deeper than creation allows, as moves before the fix could leave one."""
    folders, parent = [], None
    for level in range(levels):
        folder = Item(f"01JC{level:022d}", "alice", ItemKind.FOLDER, f"deep{level}", parent, "t", "t")
        await repository.create(folder)
        folders.append(folder)
        parent = folder.item_id
    return folders


async def test_a_70_deep_chain_cannot_move_under_the_root_of_a_10_deep_one(drive, repository):
    deep = await stored_chain(repository, 70)
    shallow = await chain(drive, 10, "s")
    with pytest.raises(FolderTooDeep):
        await drive.update_item("alice", deep[0].item_id, kind=ItemKind.FOLDER, parent_id=shallow[0].item_id)
    assert (await repository.get("alice", deep[0].item_id)).parent_id is None


async def test_moves_fit_exactly_to_the_limit_and_not_one_level_more(drive, repository):
    low = await chain(drive, 55, "a")
    high = await chain(drive, 10, "b")
    await drive.upload_file("alice", file_name="f", content_type=None, chunks=_bytes(), parent_id=high[-1].item_id)
    with pytest.raises(FolderTooDeep):
        await drive.update_item("alice", high[0].item_id, kind=None, parent_id=low[-1].item_id)
    moved = await drive.update_item("alice", high[0].item_id, kind=None, parent_id=low[-2].item_id)
    assert moved.parent_id == low[-2].item_id
    _, path = await drive.get_folder("alice", high[-1].item_id)
    assert len(path) + 1 == MAX_FOLDER_DEPTH
    bulk = await drive.move_items("alice", [high[0].item_id], parent_id=low[-1].item_id, on_conflict=OnConflict.FAIL)
    assert [(item_id, error.code) for item_id, error in bulk.failed] == [(high[0].item_id, "folder_too_deep")]


async def test_a_folder_is_restored_only_where_what_it_holds_still_fits(drive, repository):
    parent, _ = await drive.create_folder("alice", name="p", parent_id=None)
    held = await chain(drive, 10, "h", parent=parent.item_id)
    await drive.trash_item("alice", held[0].item_id, kind=ItemKind.FOLDER)
    deep = await chain(drive, 60, "d")
    await drive.update_item("alice", parent.item_id, kind=ItemKind.FOLDER, parent_id=deep[-1].item_id)
    restored = await drive.restore_items("alice", [held[0].item_id], on_conflict=OnConflict.FAIL)
    assert [(item_id, error.code) for item_id, error in restored.failed] == [(held[0].item_id, "folder_too_deep")]
    await drive.update_item("alice", parent.item_id, kind=ItemKind.FOLDER, parent_id=None)
    restored = await drive.restore_items("alice", [held[0].item_id], on_conflict=OnConflict.FAIL)
    assert [item.item_id for item in restored.items] == [held[0].item_id]


async def test_the_height_walk_reads_folders_only_and_gives_up_past_its_cap(drive, repository, monkeypatch):
    top, _ = await drive.create_folder("alice", name="top", parent_id=None)
    for index in range(30):
        await drive.upload_file(
            "alice", file_name=f"{index}", content_type=None, chunks=_bytes(), parent_id=top.item_id
        )
    for index in range(5):
        await drive.create_folder("alice", name=f"sub{index}", parent_id=top.item_id)
    target, _ = await drive.create_folder("alice", name="target", parent_id=None)
    monkeypatch.setattr(folder_depth, "MAX_FOLDERS_WALKED", 4)
    with pytest.raises(TooManyFolders):
        await drive.update_item("alice", top.item_id, kind=ItemKind.FOLDER, parent_id=target.item_id)
    monkeypatch.setattr(folder_depth, "MAX_FOLDERS_WALKED", 5)
    moved = await drive.update_item("alice", top.item_id, kind=ItemKind.FOLDER, parent_id=target.item_id)
    assert moved.parent_id == target.item_id


async def _bytes():
    yield b"x"
