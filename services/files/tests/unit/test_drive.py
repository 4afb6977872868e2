"""The drive's use cases on the in-memory fakes: folders, names, moves, search, trash, purge,
archives and previews."""

import io
import zipfile
from datetime import timedelta

import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.domain import (
    ArchiveNotFound,
    FileIdGenerator,
    FileNotFound,
    FolderCycle,
    FolderNotFound,
    InvalidCursor,
    ItemKind,
    ItemNotFound,
    NameTaken,
    NotPreviewable,
    ObjectKeys,
    OnConflict,
    SortField,
    StorageUsage,
    UnfiledFile,
    natural_name_key,
    numbered_name,
)
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import Clock, chunks_of

KEYS = ObjectKeys.for_development()

BOTH = [ItemKind.FOLDER, ItemKind.FILE]


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def repository():
    return InMemoryFileRepository()


@pytest.fixture
def blobs():
    return InMemoryBlobStore()


@pytest.fixture
def service(repository, blobs, clock):
    return build_drive(
        repository=repository,
        blob_store=blobs,
        max_upload_bytes=10_000_000,
        download_url_ttl_seconds=300,
        trash_retention_days=30,
        now=clock,
    )


async def upload(service, name, parent=None, content=b"hello", on_conflict=OnConflict.FAIL, user="alice", type_=None):
    return await service.upload_file(
        user, file_name=name, content_type=type_, chunks=chunks_of(content), parent_id=parent, on_conflict=on_conflict
    )


async def mkdir(service, name, parent=None, user="alice", on_conflict=OnConflict.FAIL):
    folder, _ = await service.create_folder(user, name=name, parent_id=parent, on_conflict=on_conflict)
    return folder


async def names_in(service, folder_id, sort=SortField.NAME, descending=False, limit=2, kinds=BOTH):
    names, cursor = [], None
    while True:
        page = await service.list_children(
            "alice", folder_id, sort=sort, descending=descending, kinds=kinds, limit=limit, cursor=cursor
        )
        names += [item.name for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return names


def test_natural_keys_order_numbers_by_value_ignoring_case_and_accents():
    names = ["file10", "File2", "file1", "éclair", "Eclair2", "a", "file02"]
    assert sorted(names, key=natural_name_key) == ["a", "éclair", "Eclair2", "file1", "File2", "file02", "file10"]


@pytest.mark.parametrize(
    "name, number, expected",
    [
        ("report.pdf", 1, "report (1).pdf"),
        ("notes", 2, "notes (2)"),
        (".env", 1, ".env (1)"),
        ("a.tar.gz", 3, "a.tar (3).gz"),
    ],
)
def test_keep_both_names_number_the_stem(name, number, expected):
    assert numbered_name(name, number) == expected


async def test_nested_folders_have_paths_and_list_folders_first_in_every_order(service):
    projects = await mkdir(service, "Projects")
    drafts = await mkdir(service, "Drafts", projects.item_id)
    await upload(service, "file10.txt", projects.item_id, b"x" * 3)
    await upload(service, "file2.txt", projects.item_id, b"x" * 30)
    await mkdir(service, "archive", projects.item_id)
    folder, path = await service.get_folder("alice", drafts.item_id)
    assert folder == drafts and [(entry.item_id, entry.name) for entry in path] == [(projects.item_id, "Projects")]
    assert await names_in(service, projects.item_id) == ["archive", "Drafts", "file2.txt", "file10.txt"]
    assert await names_in(service, projects.item_id, descending=True) == [
        "Drafts",
        "archive",
        "file10.txt",
        "file2.txt",
    ]
    assert await names_in(service, projects.item_id, SortField.SIZE, True, 1) == [
        "Drafts",
        "archive",
        "file2.txt",
        "file10.txt",
    ]
    assert await names_in(service, projects.item_id, kinds=[ItemKind.FOLDER]) == ["archive", "Drafts"]
    assert await names_in(service, None) == ["Projects"]


async def test_a_cursor_only_continues_its_own_listing(service):
    folder = await mkdir(service, "Projects")
    for index in range(3):
        await upload(service, f"{index}.txt", folder.item_id)
    page = await service.list_children(
        "alice", folder.item_id, sort=SortField.NAME, descending=False, kinds=BOTH, limit=1, cursor=None
    )
    for cursor, sort in [(page.next_cursor, SortField.SIZE), ("garbage!", SortField.NAME), ("W10", SortField.NAME)]:
        with pytest.raises(InvalidCursor):
            await service.list_children(
                "alice", folder.item_id, sort=sort, descending=False, kinds=BOTH, limit=1, cursor=cursor
            )


async def test_unknown_trashed_and_other_users_folders_are_not_found(service):
    mine = await mkdir(service, "Mine")
    inner = await mkdir(service, "Inner", mine.item_id)
    theirs = await mkdir(service, "Theirs", user="bob")
    file = await upload(service, "a.txt")
    await service.trash_item("alice", mine.item_id, kind=ItemKind.FOLDER)
    for folder_id in (mine.item_id, inner.item_id, theirs.item_id, file.item_id, "nope", "01JAAAAAAAAAAAAAAAAAAAAAAA"):
        with pytest.raises(FolderNotFound):
            await service.get_folder("alice", folder_id)
        with pytest.raises(FolderNotFound):
            await mkdir(service, "x", folder_id)
    with pytest.raises(FolderNotFound):
        await upload(service, "b.txt", theirs.item_id)


async def test_name_conflicts_fail_rename_or_merge(service):
    first = await mkdir(service, "Photos")
    with pytest.raises(NameTaken) as taken:
        await mkdir(service, "PHOTOS")
    assert taken.value.details == {"existingId": first.item_id}
    assert (await mkdir(service, "photos", on_conflict=OnConflict.RENAME)).name == "photos (1)"
    merged, created = await service.create_folder("alice", name="Photos", parent_id=None, on_conflict=OnConflict.MERGE)
    assert merged == first and not created


async def test_upload_conflicts_fail_before_storing_replace_adds_a_version_rename_keeps_both(service, blobs):
    old = await upload(service, "report.pdf", content=b"old")
    with pytest.raises(NameTaken) as taken:
        await upload(service, "Report.pdf", content=b"new")
    assert taken.value.details == {"existingId": old.item_id} and len(blobs.objects) == 1
    kept = await upload(service, "report.pdf", content=b"both", on_conflict=OnConflict.RENAME)
    again = await upload(service, "report.pdf", content=b"both", on_conflict=OnConflict.RENAME)
    assert (kept.name, again.name) == ("report (1).pdf", "report (2).pdf")
    replacing = await upload(service, "report.pdf", content=b"newer", on_conflict=OnConflict.REPLACE)
    # The same file, with its new bytes; the old ones are its earlier version, not a trashed twin.
    assert replacing.item_id == old.item_id
    assert (await service.list_trash("alice", limit=10, cursor=None)).items == []
    assert await names_in(service, None) == ["report (1).pdf", "report (2).pdf", "report.pdf"]
    assert (await service.get_file("alice", old.item_id)).size == 5
    _, versions = await service.versions.list("alice", old.item_id)
    assert [(version.size, version.current) for version in versions] == [(5, True), (3, False)]
    assert await service.get_storage_usage("alice") == StorageUsage(3 + 4 + 4 + 5, 3, trash_bytes=0)


class StaleNames(InMemoryFileRepository):
    """Answers one read of candidate names as if `hidden` were free: what a concurrent "keep
    both" write that took it a moment earlier looks like."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = ""

    async def name_holders(self, user_id, parent_id, names):
        holders = await super().name_holders(user_id, parent_id, names)
        if self.hidden in holders:
            del holders[self.hidden]
            self.hidden = ""
        return holders


@pytest.mark.parametrize("repository", [StaleNames()], ids=["stale_names"])
async def test_keep_both_after_a_race_numbers_the_name_asked_for(service, repository):
    await upload(service, "report.pdf")
    await upload(service, "report.pdf", on_conflict=OnConflict.RENAME)
    repository.hidden = "report (1).pdf"
    kept = await upload(service, "report.pdf", on_conflict=OnConflict.RENAME)
    assert repository.hidden == "" and kept.name == "report (2).pdf"
    await mkdir(service, "Docs")
    await mkdir(service, "Docs (1)")
    repository.hidden = "docs (1)"
    renamed = await mkdir(service, "docs", on_conflict=OnConflict.RENAME)
    assert repository.hidden == "" and renamed.name == "docs (2)"


async def test_rename_and_move_keep_the_object_key_and_refuse_conflicts_and_cycles(service, blobs):
    a = await mkdir(service, "A")
    b = await mkdir(service, "B", a.item_id)
    c = await mkdir(service, "C", b.item_id)
    file = await upload(service, "notes.txt", c.item_id)
    moved = await service.update_item("alice", file.item_id, kind=ItemKind.FILE, name="Todo.txt", parent_id=None)
    assert (moved.name, moved.parent_id, moved.object_key) == ("Todo.txt", None, file.object_key)
    assert moved.object_key in blobs.objects
    for target in (a.item_id, b.item_id, c.item_id):
        with pytest.raises(FolderCycle):
            await service.update_item("alice", a.item_id, kind=ItemKind.FOLDER, parent_id=target)
    await service.update_item("alice", c.item_id, kind=ItemKind.FOLDER, parent_id=None)
    _, path = await service.get_folder("alice", c.item_id)
    assert path == []
    with pytest.raises(NameTaken):
        await service.update_item("alice", c.item_id, kind=ItemKind.FOLDER, name="a")
    with pytest.raises(FolderNotFound):
        await service.update_item("alice", file.item_id, kind=ItemKind.FOLDER, name="x")
    with pytest.raises(FileNotFound):
        await service.update_item("bob", file.item_id, kind=ItemKind.FILE, name="x")


async def test_moving_a_folder_writes_the_same_whatever_it_holds(service, repository):
    empty = await mkdir(service, "Empty")
    full = await mkdir(service, "Full")
    inner = await mkdir(service, "Inner", full.item_id)
    for index in range(50):
        await upload(service, f"{index}.txt", inner.item_id)
    target = await mkdir(service, "Target")
    costs = []
    for folder in (empty, full):
        before = repository.writes
        await service.update_item(
            "alice", folder.item_id, kind=ItemKind.FOLDER, parent_id=target.item_id, name="x" + folder.name
        )
        costs.append(repository.writes - before)
    assert costs == [1, 1]
    _, path = await service.get_folder("alice", inner.item_id)
    assert [entry.name for entry in path] == ["Target", "xFull"]


async def test_bulk_move_reports_each_failure(service):
    target = await mkdir(service, "Target")
    await upload(service, "taken.txt", target.item_id)
    ok = await upload(service, "ok.txt")
    clash = await upload(service, "TAKEN.txt")
    result = await service.move_items(
        "alice",
        [ok.item_id, clash.item_id, "missing", target.item_id],
        parent_id=target.item_id,
        on_conflict=OnConflict.FAIL,
    )
    assert [item.item_id for item in result.items] == [ok.item_id]
    assert [(item_id, error.code) for item_id, error in result.failed] == [
        (clash.item_id, "name_taken"),
        ("missing", "item_not_found"),
        (target.item_id, "folder_cycle"),
    ]
    renamed = await service.move_items(
        "alice", [clash.item_id], parent_id=target.item_id, on_conflict=OnConflict.RENAME
    )
    assert renamed.items[0].name == "TAKEN (1).txt"


async def test_search_ignores_case_and_accents_skips_trashed_folders_and_gives_paths(service):
    work = await mkdir(service, "Work")
    old = await mkdir(service, "Old", work.item_id)
    await upload(service, "Résumé 2026.pdf", work.item_id)
    await upload(service, "resume-draft.txt", old.item_id)
    await upload(service, "other.txt")
    await upload(service, "resume.txt", user="bob")
    page = await service.search("alice", "RESUME", limit=10, cursor=None)
    assert [item.name for item in page.items] == ["resume-draft.txt", "Résumé 2026.pdf"]
    assert [[entry.name for entry in page.paths[item.item_id]] for item in page.items] == [["Work", "Old"], ["Work"]]
    await service.trash_item("alice", old.item_id, kind=ItemKind.FOLDER)
    page = await service.search("alice", "résumé", limit=10, cursor=None)
    assert [item.name for item in page.items] == ["Résumé 2026.pdf"]


async def test_search_pages_newest_first(service):
    for index in range(5):
        await upload(service, f"match{index}.txt")
    names, cursor = [], None
    while True:
        page = await service.search("alice", "match", limit=2, cursor=cursor)
        names += [item.name for item in page.items]
        if not (cursor := page.next_cursor):
            break
    assert names == [f"match{index}.txt" for index in range(4, -1, -1)]


async def test_trashed_folders_hide_their_content_and_restore_with_it(service):
    folder = await mkdir(service, "Folder")
    inner = await upload(service, "inner.txt", folder.item_id)
    await service.trash_item("alice", folder.item_id, kind=ItemKind.FOLDER)
    assert await names_in(service, None) == []
    with pytest.raises(ItemNotFound):
        await service.trash_item("alice", inner.item_id, kind=None)
    trash = await service.list_trash("alice", limit=10, cursor=None)
    assert [(item.name, item.trashed_at) for item in trash.items] == [("Folder", "2026-11-25T09:30:00+00:00")]
    result = await service.restore_items("alice", [folder.item_id], on_conflict=OnConflict.FAIL)
    assert [item.name for item in result.items] == ["Folder"]
    assert await names_in(service, folder.item_id) == ["inner.txt"]


async def test_restore_goes_to_the_root_when_the_folder_is_gone_and_resolves_conflicts(service):
    folder = await mkdir(service, "Folder")
    file = await upload(service, "a.txt", folder.item_id)
    await service.trash_item("alice", file.item_id, kind=ItemKind.FILE)
    await service.trash_item("alice", folder.item_id, kind=ItemKind.FOLDER)
    await upload(service, "A.TXT")
    failed = await service.restore_items("alice", [file.item_id, "nope"], on_conflict=OnConflict.FAIL)
    assert [(item_id, error.code) for item_id, error in failed.failed] == [
        (file.item_id, "name_taken"),
        ("nope", "item_not_found"),
    ]
    renamed = await service.restore_items("alice", [file.item_id], on_conflict=OnConflict.RENAME)
    assert [(item.name, item.parent_id) for item in renamed.items] == [("a (1).txt", None)]
    not_trashed = await service.restore_items("alice", [file.item_id], on_conflict=OnConflict.FAIL)
    assert [error.code for _, error in not_trashed.failed] == ["not_in_trash"]


async def test_restore_with_replace_trashes_the_other(service):
    old = await upload(service, "a.txt", content=b"old")
    await service.trash_item("alice", old.item_id, kind=ItemKind.FILE)
    new = await upload(service, "a.txt", content=b"new")
    result = await service.restore_items("alice", [old.item_id], on_conflict=OnConflict.REPLACE)
    assert [item.item_id for item in result.items] == [old.item_id]
    assert [item.item_id for item in (await service.list_trash("alice", limit=5, cursor=None)).items] == [new.item_id]


async def test_purge_after_retention_removes_bytes_rows_and_usage(service, repository, blobs, clock):
    folder = await mkdir(service, "Folder")
    sub = await mkdir(service, "Sub", folder.item_id)
    await upload(service, "deep.txt", sub.item_id, b"x" * 7)
    loose = await upload(service, "loose.txt", content=b"x" * 5)
    kept = await upload(service, "kept.txt", content=b"x" * 3)
    await service.trash_item("alice", folder.item_id, kind=ItemKind.FOLDER)
    await service.trash_item("alice", loose.item_id, kind=ItemKind.FILE)
    assert await service.get_storage_usage("alice") == StorageUsage(15, 3, trash_bytes=5)
    clock.now += timedelta(days=30) - timedelta(seconds=1)
    assert await service.purge_due() == 0
    clock.now += timedelta(seconds=1)
    assert await service.purge_due() == 2
    assert list(blobs.objects) == [kept.object_key]
    assert list(repository.items) == [("alice", kept.item_id)]
    assert await service.get_storage_usage("alice") == StorageUsage(3, 1)
    assert (await service.list_trash("alice", limit=10, cursor=None)).items == []


async def test_delete_forever_and_empty_trash_purge_at_once(service, repository, blobs):
    files = [await upload(service, f"{index}.txt") for index in range(3)]
    for file in files:
        await service.trash_item("alice", file.item_id, kind=None)
    result = await service.delete_forever("alice", [files[0].item_id, "nope"])
    assert result.items == [] and [item_id for item_id, _ in result.failed] == ["nope"]
    assert service.purge_due.requested.is_set()
    assert [item.item_id for item in (await service.list_trash("alice", limit=10, cursor=None)).items] == [
        files[2].item_id,
        files[1].item_id,
    ]
    assert await service.purge_due() == 1
    assert await service.empty_trash("alice") == 2
    assert (await service.list_trash("alice", limit=10, cursor=None)).items == []
    assert await service.purge_due() == 2
    assert repository.items == {} and blobs.objects == {}


async def test_an_archive_link_works_once_and_lists_folders_as_directories(service, clock):
    folder = await mkdir(service, "Docs")
    await upload(service, "a.txt", folder.item_id, b"A")
    sub = await mkdir(service, "Sub", folder.item_id)
    await upload(service, "b.txt", sub.item_id, b"B")
    trashed = await upload(service, "gone.txt", folder.item_id)
    await service.trash_item("alice", trashed.item_id, kind=None)
    loose = await upload(service, "c.txt", content=b"C")
    with pytest.raises(ItemNotFound):
        await service.create_archive("bob", [folder.item_id], name=None)
    token, expires_at = await service.create_archive("alice", [folder.item_id, loose.item_id], name=None)
    assert expires_at == clock.now + timedelta(seconds=60)
    name, blocks = await service.open_archive(token)
    with zipfile.ZipFile(io.BytesIO(b"".join([block async for block in blocks]))) as archive:
        members = [(member.filename, archive.read(member)) for member in archive.infolist()]
    assert name == "scloud.zip"
    assert members == [
        ("Docs/", b""),
        ("Docs/a.txt", b"A"),
        ("Docs/Sub/", b""),
        ("Docs/Sub/b.txt", b"B"),
        ("c.txt", b"C"),
    ]
    with pytest.raises(ArchiveNotFound):
        await service.open_archive(token)
    token, _ = await service.create_archive("alice", [folder.item_id], name=None)
    name, blocks = await service.open_archive(token)
    assert name == "Docs.zip" and [block async for block in blocks]
    token, _ = await service.create_archive("alice", [loose.item_id], name="mine")
    clock.now += timedelta(seconds=61)
    with pytest.raises(ArchiveNotFound):
        await service.open_archive(token)


async def test_text_previews_only_for_small_text_like_files(service):
    markdown = await upload(service, "README.md", type_="text/markdown")
    url, _ = await service.create_download_link("alice", markdown.item_id, inline=True, as_text=True)
    assert "type=text%2Fplain%3B+charset%3Dutf-8" in url and "disposition=inline" in url
    binary = await upload(service, "photo.png", type_="image/png")
    with pytest.raises(NotPreviewable):
        await service.create_download_link("alice", binary.item_id, inline=True, as_text=True)
    big = await upload(service, "big.log", content=b"x" * (1024 * 1024 + 1))
    with pytest.raises(NotPreviewable):
        await service.create_download_link("alice", big.item_id, inline=True, as_text=True)


async def test_unfiled_files_move_to_the_root_once_renamed_on_clashes(service, repository):
    for name in ("same.txt", "Same.txt", "other.txt"):
        file_id = FileIdGenerator()()
        repository.unfiled[("alice", file_id)] = UnfiledFile(
            file_id, "alice", name, 1, "text/plain", "2026-01-01T00:00:00+00:00", KEYS.file("alice", file_id)
        )
    assert await service.file_unfiled("alice") == 3
    assert await service.file_unfiled("alice") == 0
    assert await names_in(service, None) == ["other.txt", "Same (1).txt", "same.txt"]


async def test_two_folders_moved_into_each_other_at_once_never_make_a_loop(service, repository):
    a = await mkdir(service, "A")
    b = await mkdir(service, "B")
    relocate = repository.relocate
    raced = False

    async def racing_relocate(item, moved, *, target_chain=()):
        # B moves into A after this move of A into B read B's way, before it writes.
        nonlocal raced
        if not raced:
            raced = True
            await relocate(b, b.moved(name="B", parent_id=a.item_id, modified_at=b.modified_at), target_chain=[a])
        await relocate(item, moved, target_chain=target_chain)

    repository.relocate = racing_relocate
    with pytest.raises(FolderCycle):
        await service.update_item("alice", a.item_id, kind=ItemKind.FOLDER, parent_id=b.item_id)
    _, path = await service.get_folder("alice", b.item_id)
    assert [entry.name for entry in path] == ["A"]
