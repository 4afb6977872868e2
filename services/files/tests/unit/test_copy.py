"""CopyItem on the in-memory fakes: server-side copies of files and folder trees, counted against
the quota, with the name conflicts and cycles it refuses."""

import pytest

from scloud_common.errors import ErrorKind
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.domain import (
    FolderCycle,
    FolderNotFound,
    ItemKind,
    ItemNotFound,
    NameTaken,
    OnConflict,
    QuotaExceeded,
    SortField,
    StorageUsage,
)
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import Clock, chunks_of

QUOTA = 100
BOTH = [ItemKind.FOLDER, ItemKind.FILE]


@pytest.fixture
def repository():
    return InMemoryFileRepository()


@pytest.fixture
def blobs():
    return InMemoryBlobStore()


@pytest.fixture
def drive(repository, blobs):
    return build_drive(
        repository=repository,
        blob_store=blobs,
        max_upload_bytes=10_000,
        download_url_ttl_seconds=300,
        quota_bytes=QUOTA,
        now=Clock(),
    )


async def upload(drive, name, content, parent=None, type_="text/plain"):
    return await drive.upload_file(
        "alice",
        file_name=name,
        content_type=type_,
        chunks=chunks_of(content),
        parent_id=parent,
        on_conflict=OnConflict.FAIL,
    )


async def mkdir(drive, name, parent=None):
    folder, _ = await drive.create_folder("alice", name=name, parent_id=parent)
    return folder


async def tree(drive, folder_id=None, prefix=""):
    """Every live item below the folder as {path: bytes or None for a folder}."""
    found = {}
    page = await drive.list_children(
        "alice", folder_id, sort=SortField.NAME, descending=False, kinds=BOTH, limit=1000, cursor=None
    )
    assert page.next_cursor is None
    for item in page.items:
        path = prefix + item.name
        if item.is_folder:
            found[path + "/"] = None
            found.update(await tree(drive, item.item_id, path + "/"))
        else:
            _, chunks = await drive.read_file("alice", item.item_id)
            found[path] = b"".join(chunks)
    return found


async def test_a_file_copy_is_a_new_file_with_the_same_bytes_copied_inside_the_store(drive, repository, blobs):
    original = await upload(drive, "notes.txt", b"twelve bytes")
    target = await mkdir(drive, "Archive")
    copy = await drive.copy_item("alice", original.item_id, parent_id=target.item_id, name="notes (old).txt")
    assert copy.item_id != original.item_id and copy.object_key != original.object_key
    assert (copy.name, copy.parent_id, copy.size, copy.content_type) == (
        "notes (old).txt",
        target.item_id,
        12,
        "text/plain",
    )
    assert blobs.objects[copy.object_key] == blobs.objects[original.object_key]
    assert await repository.get("alice", copy.item_id) == copy
    assert await repository.usage("alice") == StorageUsage(24, 2)
    assert await tree(drive) == {
        "Archive/": None,
        "Archive/notes (old).txt": b"twelve bytes",
        "notes.txt": b"twelve bytes",
    }


async def test_a_folder_is_copied_with_everything_it_holds_but_its_trash(drive, repository):
    photos = await mkdir(drive, "Photos")
    trip = await mkdir(drive, "Trip", photos.item_id)
    await upload(drive, "a.txt", b"aaa", photos.item_id)
    await upload(drive, "b.txt", b"bbbb", trip.item_id)
    await mkdir(drive, "empty", trip.item_id)
    thrown = await upload(drive, "thrown.txt", b"xx", photos.item_id)
    await drive.trash_item("alice", thrown.item_id, kind=None)
    copy = await drive.copy_item("alice", photos.item_id, parent_id=None, name="Photos copy")
    assert copy.is_folder and copy.item_id != photos.item_id
    copied = await tree(drive, copy.item_id)
    assert copied == {"a.txt": b"aaa", "Trip/": None, "Trip/b.txt": b"bbbb", "Trip/empty/": None}
    assert copied == {
        path: content for path, content in (await tree(drive, photos.item_id)).items() if "thrown" not in path
    }
    # 3 + 4 + the trashed 2 of the original, then 3 + 4 of the copy.
    assert (await repository.usage("alice")).bytes_used == 16


async def test_a_folder_copied_without_recursion_is_an_empty_folder_of_that_name(drive):
    photos = await mkdir(drive, "Photos")
    await upload(drive, "a.txt", b"aaa", photos.item_id)
    copy = await drive.copy_item("alice", photos.item_id, parent_id=None, name="Shell", recursive=False)
    assert await tree(drive, copy.item_id) == {}
    assert "Shell/" in await tree(drive)


async def test_a_file_copy_past_the_quota_is_refused_as_insufficient_storage_and_leaves_nothing(
    drive, repository, blobs
):
    original = await upload(drive, "big.bin", b"x" * 60)
    with pytest.raises(QuotaExceeded) as refused:
        await drive.copy_item("alice", original.item_id, parent_id=None, name="big copy.bin")
    assert refused.value.kind is ErrorKind.INSUFFICIENT_STORAGE
    assert await repository.usage("alice") == StorageUsage(60, 1)
    assert list(blobs.objects) == [original.object_key]
    assert await tree(drive) == {"big.bin": b"x" * 60}


async def test_a_folder_copy_past_the_quota_is_refused_before_anything_is_copied(drive, repository, blobs):
    # Each file fits on its own; the whole folder does not.
    folder = await mkdir(drive, "Folder")
    for name in ("1.bin", "2.bin", "3.bin"):
        await upload(drive, name, b"x" * 20, folder.item_id)
    with pytest.raises(QuotaExceeded):
        await drive.copy_item("alice", folder.item_id, parent_id=None, name="Folder copy")
    assert await repository.usage("alice") == StorageUsage(60, 3)
    assert len(blobs.objects) == 3
    assert list(await tree(drive)) == ["Folder/", "Folder/1.bin", "Folder/2.bin", "Folder/3.bin"]


async def test_a_name_taken_in_the_target_fails_by_default_and_is_replaced_or_numbered_when_asked(drive, blobs):
    original = await upload(drive, "a.txt", b"new")
    folder = await mkdir(drive, "F")
    old = await upload(drive, "a.txt", b"old", folder.item_id)
    with pytest.raises(NameTaken):
        await drive.copy_item("alice", original.item_id, parent_id=folder.item_id, name="A.TXT")
    assert await tree(drive, folder.item_id) == {"a.txt": b"old"}
    renamed = await drive.copy_item(
        "alice", original.item_id, parent_id=folder.item_id, name="a.txt", on_conflict=OnConflict.RENAME
    )
    assert renamed.name != "a.txt"
    replaced = await drive.copy_item(
        "alice", original.item_id, parent_id=folder.item_id, name="a.txt", on_conflict=OnConflict.REPLACE
    )
    assert await tree(drive, folder.item_id) == {"a.txt": b"new", renamed.name: b"new"}
    # A copy over a file is its new version: same file, what it held kept as the earlier one.
    assert replaced.item_id == old.item_id
    _, versions = await drive.versions.list("alice", old.item_id)
    assert [(version.current, version.size) for version in versions] == [(True, 3), (False, 3)]


async def test_a_folder_copied_onto_a_folder_of_that_name_merges_when_asked(drive):
    source = await mkdir(drive, "Source")
    await upload(drive, "new.txt", b"n", source.item_id)
    target = await mkdir(drive, "Target")
    existing = await mkdir(drive, "Source", target.item_id)
    await upload(drive, "kept.txt", b"k", existing.item_id)
    with pytest.raises(NameTaken):
        await drive.copy_item("alice", source.item_id, parent_id=target.item_id, name="Source")
    merged = await drive.copy_item(
        "alice", source.item_id, parent_id=target.item_id, name="Source", on_conflict=OnConflict.MERGE
    )
    assert merged.item_id == existing.item_id
    assert await tree(drive, target.item_id) == {"Source/": None, "Source/kept.txt": b"k", "Source/new.txt": b"n"}


async def test_a_folder_cannot_be_copied_into_itself_or_below_itself(drive, repository):
    outer = await mkdir(drive, "Outer")
    inner = await mkdir(drive, "Inner", outer.item_id)
    await upload(drive, "a.txt", b"a", inner.item_id)
    before = await tree(drive)
    for parent in (outer, inner):
        with pytest.raises(FolderCycle):
            await drive.copy_item("alice", outer.item_id, parent_id=parent.item_id, name="Outer")
    assert await tree(drive) == before
    assert await repository.usage("alice") == StorageUsage(1, 1)


async def test_only_a_live_item_of_ones_own_into_a_live_folder_is_copied(drive):
    file = await upload(drive, "a.txt", b"a")
    trashed = await mkdir(drive, "Trashed")
    await drive.trash_item("alice", trashed.item_id, kind=None)
    with pytest.raises(FolderNotFound):
        await drive.copy_item("alice", file.item_id, parent_id=trashed.item_id, name="a.txt")
    with pytest.raises(ItemNotFound):
        await drive.copy_item("alice", trashed.item_id, parent_id=None, name="back")
    with pytest.raises(ItemNotFound):
        await drive.copy_item("bob", file.item_id, parent_id=None, name="mine.txt")
