"""FindByPath and ReadFile on the in-memory fakes: items found by their names from the root, and
a file's stored bytes streamed back."""

import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.domain import FileIdGenerator, FileNotFound, ItemNotFound, OnConflict
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import Clock, chunks_of

ODD_NAMES = ["with space", "hash#tag", "100% sure", "naïve café", "日本語", "a?b&c=d", "x%2Fy"]


@pytest.fixture
def drive():
    return build_drive(
        repository=InMemoryFileRepository(),
        blob_store=InMemoryBlobStore(),
        max_upload_bytes=1_000_000,
        download_url_ttl_seconds=300,
        now=Clock(),
    )


async def upload(drive, name, content=b"hello", parent=None, user="alice"):
    return await drive.upload_file(
        user,
        file_name=name,
        content_type=None,
        chunks=chunks_of(content),
        parent_id=parent,
        on_conflict=OnConflict.FAIL,
    )


async def mkdir(drive, name, parent=None, user="alice"):
    folder, _ = await drive.create_folder(user, name=name, parent_id=parent)
    return folder


async def test_the_empty_path_is_the_root(drive):
    assert await drive.find_by_path("alice", []) is None


async def test_nested_names_lead_to_the_item_at_each_depth(drive):
    a = await mkdir(drive, "a")
    b = await mkdir(drive, "b", a.item_id)
    file = await upload(drive, "c.txt", b"c", b.item_id)
    await upload(drive, "c.txt", b"elsewhere", a.item_id)
    assert await drive.find_by_path("alice", ["a"]) == a
    assert await drive.find_by_path("alice", ["a", "b"]) == b
    assert await drive.find_by_path("alice", ["a", "b", "c.txt"]) == file


@pytest.mark.parametrize("name", ODD_NAMES)
async def test_names_with_odd_characters_are_found_as_written(drive, name):
    folder = await mkdir(drive, name)
    file = await upload(drive, name + ".txt", parent=folder.item_id)
    assert await drive.find_by_path("alice", [name, name + ".txt"]) == file


async def test_names_compare_as_the_drive_compares_them_for_clashes(drive):
    folder = await mkdir(drive, "Résumés")
    file = await upload(drive, "CV.txt", parent=folder.item_id)
    assert await drive.find_by_path("alice", ["resumes", "cv.TXT"]) == file


async def test_a_missing_name_anywhere_on_the_path_is_not_found(drive):
    a = await mkdir(drive, "a")
    await upload(drive, "f.txt", parent=a.item_id)
    for names in (["missing"], ["missing", "f.txt"], ["a", "missing"], ["a", "missing", "f.txt"], ["f.txt"]):
        with pytest.raises(ItemNotFound):
            await drive.find_by_path("alice", names)


async def test_a_file_in_the_middle_of_a_path_is_not_found(drive):
    await upload(drive, "f.txt")
    with pytest.raises(ItemNotFound):
        await drive.find_by_path("alice", ["f.txt", "anything"])


async def test_a_trashed_item_and_what_a_trashed_folder_holds_are_not_found(drive):
    kept = await mkdir(drive, "kept")
    gone = await upload(drive, "gone.txt", parent=kept.item_id)
    thrown = await mkdir(drive, "thrown")
    await upload(drive, "inside.txt", parent=thrown.item_id)
    await drive.trash_item("alice", gone.item_id, kind=None)
    await drive.trash_item("alice", thrown.item_id, kind=None)
    for names in (["kept", "gone.txt"], ["thrown"], ["thrown", "inside.txt"]):
        with pytest.raises(ItemNotFound):
            await drive.find_by_path("alice", names)
    again = await upload(drive, "gone.txt", b"new", kept.item_id)
    assert await drive.find_by_path("alice", ["kept", "gone.txt"]) == again


async def test_another_users_items_are_not_found(drive):
    await mkdir(drive, "mine", user="bob")
    with pytest.raises(ItemNotFound):
        await drive.find_by_path("alice", ["mine"])


async def test_read_file_streams_the_stored_bytes_in_chunks(drive):
    content = bytes(range(256)) * 1000
    file = await upload(drive, "data.bin", content)
    item, chunks = await drive.read_file("alice", file.item_id)
    parts = list(chunks)
    assert item == file
    assert len(parts) > 1 and b"".join(parts) == content


async def test_read_file_of_a_missing_trashed_or_foreign_file_or_a_folder_is_not_found(drive):
    file = await upload(drive, "a.txt")
    folder = await mkdir(drive, "F")
    thrown = await upload(drive, "thrown.txt")
    await drive.trash_item("alice", thrown.item_id, kind=None)
    for user, file_id, error in (
        ("alice", FileIdGenerator()(), ItemNotFound),
        ("alice", thrown.item_id, ItemNotFound),
        ("bob", file.item_id, ItemNotFound),
        ("alice", folder.item_id, FileNotFound),
    ):
        with pytest.raises(error):
            await drive.read_file(user, file_id)
