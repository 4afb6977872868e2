"""What every FileRepository and BlobStore must do, written once. Each tier subclasses a suite
and provides the implementation: the in-memory fakes in the unit tier, the real adapters on a
local S3/DynamoDB endpoint in the integration tier. A fake that passes may be trusted."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest

from scloud_files.domain import (
    AccountClosed,
    ArchiveRequest,
    ChainChanged,
    FileIdGenerator,
    FileTooLarge,
    FileVersion,
    FolderNotFound,
    Item,
    ItemKind,
    ItemNotFound,
    NameTaken,
    ObjectKeys,
    SortField,
    StorageUsage,
    ThumbnailState,
    UnfiledFile,
    content_id,
    sort_key,
)
from scloud_files.ports import BlobStore, FileRepository

KEYS = ObjectKeys.for_development()

new_file_id = FileIdGenerator()


NOW = "2026-11-25T09:30:00+00:00"


def unfiled(user_id: str = "alice", size: int = 10, name: str = "résumé.txt") -> UnfiledFile:
    file_id = new_file_id()
    return UnfiledFile(file_id, user_id, name, size, "text/plain", NOW, KEYS.file(user_id, file_id))


async def live_items(repository: FileRepository, user_id: str) -> list[Item]:
    """Every item of the user not itself trashed (a test holds few)."""
    items, _ = await repository.list_newest(user_id, kind=None, limit=1000, after_id=None)
    return items


def a_file(
    name: str = "résumé.txt", *, user_id: str = "alice", parent_id: str | None = None, size: int = 10, modified=NOW
) -> Item:
    item_id = new_file_id()
    return Item(
        item_id=item_id,
        user_id=user_id,
        kind=ItemKind.FILE,
        name=name,
        parent_id=parent_id,
        created_at=NOW,
        modified_at=modified,
        size=size,
        content_type="text/plain",
        object_key=KEYS.file(user_id, item_id),
        media_type="text/markdown",
    )


async def create_all(repository: FileRepository, items: list[Item]) -> None:
    """Creates `items` one by one, for tests that need many. moto ignores a transaction's
    idempotency token: a create that botocore retried after its read timeout (moto under a heavy
    load) meets the row its first attempt wrote, which is NameTaken naming the item itself."""
    for item in items:
        try:
            await repository.create(item)
        except NameTaken as taken:
            if taken.existing_id != item.item_id:
                raise


def a_folder(name: str = "Projects", *, user_id: str = "alice", parent_id: str | None = None) -> Item:
    return Item(
        item_id=new_file_id(),
        user_id=user_id,
        kind=ItemKind.FOLDER,
        name=name,
        parent_id=parent_id,
        created_at=NOW,
        modified_at=NOW,
    )


BOTH = [ItemKind.FOLDER, ItemKind.FILE]


async def all_children(repository, parent_id, sort, descending, limit, kinds=BOTH):
    items, after = [], None
    while True:
        page, after = await repository.list_children(
            "alice", parent_id, sort=sort, descending=descending, kinds=kinds, limit=limit, after_key=after
        )
        items += page
        if after is None:
            return items


async def chunks_of(content: bytes, size: int = 256 * 1024, fail_after: int | None = None):
    for start in range(0, len(content), size):
        if fail_after is not None and start >= fail_after:
            raise FileTooLarge()
        yield content[start : start + size]


class FileRepositoryContract:
    """`add_unfiled(file)` records a file as it was stored before folders existed."""

    @pytest.fixture
    def repository(self) -> FileRepository:
        raise NotImplementedError

    @pytest.fixture
    def add_unfiled(self):
        raise NotImplementedError

    async def test_create_get_and_delete_idempotently(self, repository):
        file = a_file('<script>alert(1)</script> "q";\\.html')
        await repository.create(file)
        assert await repository.get("alice", file.item_id) == file
        assert await repository.get("bob", file.item_id) is None
        assert await repository.get_many("alice", [file.item_id, new_file_id()]) == {file.item_id: file}
        await repository.delete(file)
        await repository.delete(file)
        assert await repository.get("alice", file.item_id) is None
        await repository.create(a_file('<script>alert(1)</script> "Q";\\.HTML'))

    async def test_creating_a_recorded_id_again_changes_nothing_and_names_it(self, repository):
        # What a retry of a create that landed unseen meets: its own item, counted once.
        file = a_file("a.txt", size=4)
        await repository.create(file)
        for again in (file, file.moved(name="a (1).txt", parent_id=None, modified_at=NOW)):
            with pytest.raises(NameTaken) as taken:
                await repository.create(again)
            assert taken.value.existing_id == file.item_id
        assert await repository.get("alice", file.item_id) == file
        assert await repository.name_holders("alice", None, ["a (1).txt"]) == {}
        assert await repository.usage("alice") == StorageUsage(4, 1)

    async def test_create_needs_a_live_parent_folder_when_it_lands(self, repository):
        live, trashed, purged = a_folder("live"), a_folder("trashed"), a_folder("purged")
        not_a_folder = a_file("file")
        for item in (live, trashed, purged, not_a_folder):
            await repository.create(item)
        await repository.trash(trashed, trashed_at=NOW, purge_at=NOW)
        await repository.begin_purge(purged)
        await repository.begin_purge(purged)
        await repository.begin_purge(a_folder("gone"))
        for parent_id in (trashed.item_id, purged.item_id, not_a_folder.item_id, new_file_id()):
            for late in (a_file("late", parent_id=parent_id), a_folder("late", parent_id=parent_id)):
                with pytest.raises(FolderNotFound):
                    await repository.create(late)
                assert await repository.get("alice", late.item_id) is None
        await repository.create(a_file("in live", parent_id=live.item_id))
        assert await repository.usage("alice") == StorageUsage(20, 2)

    async def test_names_are_unique_per_folder_ignoring_case_and_accents(self, repository):
        folder = a_folder()
        first = a_file("Résumé.txt")
        await repository.create(folder)
        await repository.create(first)
        with pytest.raises(NameTaken) as taken:
            await repository.create(a_file("resume.TXT"))
        assert taken.value.details == {"existingId": first.item_id}
        with pytest.raises(NameTaken):
            await repository.create(a_folder("RÉSUMÉ.txt"))
        await repository.create(a_file("resume.txt", parent_id=folder.item_id))
        await repository.create(a_file("resume.txt", user_id="bob"))
        assert await repository.name_holders("alice", None, ["RESUME.txt", "other", "projects"]) == {
            "RESUME.txt": first.item_id,
            "projects": folder.item_id,
        }
        assert await repository.usage("alice") == StorageUsage(20, 2)

    async def test_children_in_every_order_folders_first_across_pages(self, repository):
        folder = a_folder()
        await repository.create(folder)
        names = ["file10.txt", "File2.txt", "file1.txt", "Ébauche", "zeta", "alpha", "b2", "B10"]
        items = [
            a_folder(name, parent_id=folder.item_id)
            if name in ("zeta", "b2", "B10")
            else a_file(
                name, parent_id=folder.item_id, size=len(name) * 7 % 5, modified=f"2026-11-2{index}T00:00:00+00:00"
            )
            for index, name in enumerate(names)
        ]
        for item in items:
            await repository.create(item)
        elsewhere = a_file("elsewhere.txt")
        await repository.create(elsewhere)
        trashed = a_file("trashed.txt", parent_id=folder.item_id)
        await repository.create(trashed)
        await repository.trash(trashed, trashed_at=NOW, purge_at=NOW)
        for sort in SortField:
            for descending in (False, True):
                expected = sorted(items, key=lambda item: sort_key(item, sort), reverse=descending)
                expected = [i for i in expected if i.is_folder] + [i for i in expected if not i.is_folder]
                for limit in (1, 3, 20):
                    listed = await all_children(repository, folder.item_id, sort, descending, limit)
                    assert [i.item_id for i in listed] == [i.item_id for i in expected], (sort, descending, limit)
        by_name = await all_children(repository, folder.item_id, SortField.NAME, False, 50)
        assert [i.name for i in by_name] == [
            "b2",
            "B10",
            "zeta",
            "alpha",
            "Ébauche",
            "file1.txt",
            "File2.txt",
            "file10.txt",
        ]
        folders_only = await all_children(repository, folder.item_id, SortField.NAME, True, 2, [ItemKind.FOLDER])
        assert [i.name for i in folders_only] == ["zeta", "B10", "b2"]
        assert await all_children(repository, None, SortField.NAME, False, 10) == [folder, elsewhere]

    async def test_relocate_moves_and_renames_with_its_name(self, repository):
        source, target = a_folder("source"), a_folder("target")
        await repository.create(source)
        await repository.create(target)
        file = a_file("a.txt", parent_id=source.item_id)
        await repository.create(file)
        moved = file.moved(name="b.txt", parent_id=target.item_id, modified_at="2026-11-26T00:00:00+00:00")
        await repository.relocate(file, moved)
        assert await repository.get("alice", file.item_id) == moved
        assert await repository.name_holders("alice", source.item_id, ["a.txt"]) == {}
        assert await repository.name_holders("alice", target.item_id, ["B.txt"]) == {"B.txt": file.item_id}
        assert await all_children(repository, source.item_id, SortField.NAME, False, 10) == []
        await repository.create(a_file("a.txt", parent_id=source.item_id))
        blocker = a_file("c.txt", parent_id=target.item_id)
        await repository.create(blocker)
        with pytest.raises(NameTaken):
            await repository.relocate(moved, moved.moved(name="C.TXT", parent_id=target.item_id, modified_at=NOW))
        assert await repository.get("alice", file.item_id) == moved
        await repository.relocate(moved, moved.moved(name="B.TXT", parent_id=target.item_id, modified_at=NOW))
        assert (await repository.get("alice", file.item_id)).name == "B.TXT"

    async def test_relocate_refuses_a_target_whose_way_changed_since_it_was_read(self, repository):
        a, b = a_folder("a"), a_folder("b")
        await repository.create(a)
        await repository.create(b)
        # Two moves at once: b into a (landed), then a into b with b's way as read before.
        b_in_a = b.moved(name="b", parent_id=a.item_id, modified_at=NOW)
        await repository.relocate(b, b_in_a, target_chain=[a])
        with pytest.raises(ChainChanged):
            await repository.relocate(a, a.moved(name="a", parent_id=b.item_id, modified_at=NOW), target_chain=[b])
        assert (await repository.get("alice", a.item_id)).parent_id is None
        await repository.trash(b_in_a, trashed_at=NOW, purge_at=NOW)
        file = a_file("f")
        await repository.create(file)
        with pytest.raises(ChainChanged):
            await repository.relocate(
                file, file.moved(name="f", parent_id=b.item_id, modified_at=NOW), target_chain=[a, b_in_a]
            )

    async def test_trash_frees_the_name_and_restore_takes_it_back(self, repository):
        file = a_file("a.txt")
        await repository.create(file)
        trashed = await repository.trash(file, trashed_at=NOW, purge_at="2026-12-25T09:30:00+00:00")
        assert (trashed.trashed_at, trashed.purge_at) == (NOW, "2026-12-25T09:30:00+00:00")
        assert await repository.get("alice", file.item_id) == trashed
        with pytest.raises(ItemNotFound):
            await repository.trash(trashed, trashed_at=NOW, purge_at=NOW)
        with pytest.raises(ItemNotFound):
            await repository.relocate(trashed, trashed.moved(name="x", parent_id=None, modified_at=NOW))
        assert await live_items(repository, "alice") == []
        assert await repository.list_trash("alice", limit=10, after_key=None) == ([trashed], None)
        assert await repository.usage("alice") == StorageUsage(10, 1, trash_bytes=10)
        other = a_file("A.txt")
        await repository.create(other)
        restored = Item(**{**trashed.__dict__, "trashed_at": None, "purge_at": None})
        with pytest.raises(NameTaken):
            await repository.restore(trashed, restored)
        await repository.restore(trashed, restored.moved(name="a (1).txt", parent_id=None, modified_at=NOW))
        assert (await repository.get("alice", file.item_id)).name == "a (1).txt"
        assert await repository.usage("alice") == StorageUsage(20, 2, trash_bytes=0)
        assert await repository.list_trash("alice", limit=10, after_key=None) == ([], None)

    async def test_trash_lists_newest_first_in_pages_and_purges_when_due(self, repository):
        files = [a_file(f"{index}.txt") for index in range(5)]
        for index, file in enumerate(files):
            await repository.create(file)
            await repository.trash(
                file, trashed_at=f"2026-11-2{index}T00:00:00+00:00", purge_at=f"2026-12-2{index}T00:00:00+00:00"
            )
        await repository.create(bob := a_file(user_id="bob"))
        await repository.trash(bob, trashed_at=NOW, purge_at="2026-12-22T12:00:00+00:00")
        first, after = await repository.list_trash("alice", limit=2, after_key=None)
        rest, end = await repository.list_trash("alice", limit=5, after_key=after)
        assert [f.item_id for f in first + rest] == [f.item_id for f in files[::-1]] and end is None
        due = await repository.due_for_purge("2026-12-22T12:00:00+00:00", limit=10)
        assert {item.item_id for item in due} == {files[0].item_id, files[1].item_id, files[2].item_id, bob.item_id}
        assert len(await repository.due_for_purge("2026-12-22T12:00:00+00:00", limit=2)) == 2
        await repository.schedule_purge(
            await repository.get("alice", files[4].item_id), purge_at="2026-11-01T00:00:00+00:00"
        )
        assert files[4].item_id not in [
            f.item_id for f in (await repository.list_trash("alice", limit=10, after_key=None))[0]
        ]
        assert files[4].item_id in [
            f.item_id for f in await repository.due_for_purge("2026-11-02T00:00:00+00:00", limit=10)
        ]
        for item in await repository.due_for_purge("2027-01-01T00:00:00+00:00", limit=10):
            await repository.delete(item)
        assert await repository.usage("alice") == StorageUsage(0, 0)
        assert await repository.due_for_purge("2027-01-01T00:00:00+00:00", limit=10) == []

    async def test_iter_children_reads_everything_in_a_folder(self, repository):
        folder = a_folder()
        await repository.create(folder)
        children = [a_file(f"{index}", parent_id=folder.item_id, size=1) for index in range(130)]
        await create_all(repository, children)
        await repository.trash(children[0], trashed_at=NOW, purge_at=NOW)
        listed = [item async for batch in repository.iter_children("alice", folder.item_id) for item in batch]
        assert sorted(item.item_id for item in listed) == [child.item_id for child in children[1:]]

    async def test_newest_of_every_kind_is_what_a_search_reads_a_slice_at_a_time(self, repository):
        folder = a_folder("Été")
        await repository.create(folder)
        file = a_file("Notes.md", parent_id=folder.item_id)
        await repository.create(file)
        gone = a_file("gone.txt")
        await repository.create(gone)
        await repository.trash(gone, trashed_at=NOW, purge_at=NOW)
        newer = [a_file(f"{index}.txt") for index in range(3)]
        for item in newer:
            await repository.create(item)
        first, after = await repository.list_newest("alice", kind=None, limit=2, after_id=None)
        rest, end = await repository.list_newest("alice", kind=None, limit=3, after_id=after)
        expected = [item.item_id for item in [*newer[::-1], file, folder]]
        assert [item.item_id for item in first + rest] == expected and after == expected[1] and end is None
        live = {item.item_id: item for item in first + rest}
        assert (live[file.item_id].name, live[file.item_id].parent_id, live[file.item_id].size) == (
            "Notes.md",
            folder.item_id,
            10,
        )
        assert live[folder.item_id].kind is ItemKind.FOLDER and live[file.item_id].object_key is None

    async def test_archive_requests_are_claimed_once_before_they_expire(self, repository):
        request = ArchiveRequest("alice", ["01JAAAAAAAAAAAAAAAAAAAAAAA"], "scloud", "2026-11-25T09:31:00+00:00")
        await repository.save_archive("hash-1", request)
        await repository.save_archive("hash-2", request)
        assert await repository.claim_archive("hash-1", NOW) == request
        assert await repository.claim_archive("hash-1", NOW) is None
        assert await repository.claim_archive("hash-2", "2026-11-25T09:31:00+00:00") is None
        assert await repository.claim_archive("unknown", NOW) is None
        # A link is no item of its owner's.
        assert await live_items(repository, "alice") == []

    async def test_unfiled_files_are_filed_into_the_root_once(self, repository, add_unfiled):
        old = [unfiled(name="same.txt", size=3), unfiled(name="same.txt", size=4)]
        for file in old:
            await add_unfiled(file)
        assert sorted(f.file_id for f in await repository.list_unfiled("alice")) == [f.file_id for f in old]
        await repository.file_into_root(old[0], name="same.txt")
        await repository.file_into_root(old[0], name="same.txt")
        with pytest.raises(NameTaken):
            await repository.file_into_root(old[1], name="SAME.txt")
        await repository.file_into_root(old[1], name="same (1).txt")
        assert await repository.list_unfiled("alice") == []
        listed = await all_children(repository, None, SortField.NAME, False, 10)
        assert [(item.name, item.size) for item in listed] == [("same (1).txt", 4), ("same.txt", 3)]

    async def test_newest_files_in_pages_without_folders_or_trash(self, repository):
        files = [a_file(f"{index}") for index in range(5)]
        for file in files:
            await repository.create(file)
        await repository.create(a_folder())
        await repository.create(a_file(user_id="bob"))
        await repository.trash(files[2], trashed_at=NOW, purge_at=NOW)
        kept = [f.item_id for f in files[::-1] if f is not files[2]]
        first, after = await repository.list_newest("alice", kind=ItemKind.FILE, limit=2, after_id=None)
        assert [f.item_id for f in first] == kept[:2] and after == kept[1]
        rest, after = await repository.list_newest("alice", kind=ItemKind.FILE, limit=3, after_id=after)
        assert [f.item_id for f in rest] == kept[2:] and after is None
        assert [f.object_key for f in first + rest] == [None] * 4
        assert await repository.list_newest("carol", kind=ItemKind.FILE, limit=5, after_id=None) == ([], None)

    async def test_usage_follows_every_create_and_delete(self, repository):
        assert await repository.usage("alice") == StorageUsage(0, 0)
        files = [a_file(str(size), size=size) for size in (3, 40, 500)]
        for file in files:
            await repository.create(file)
        await repository.create(a_folder())
        await repository.create(a_file(user_id="bob", size=7))
        assert await repository.usage("alice") == StorageUsage(543, 3)
        await repository.delete(files[1])
        await repository.delete(files[1])
        assert await repository.usage("alice") == StorageUsage(503, 2)
        assert await repository.usage("bob") == StorageUsage(7, 1)

    async def test_a_closed_account_records_nothing_more(self, repository):
        kept = a_file("kept", size=5)
        await repository.create(kept)
        await repository.close_account("alice")
        await repository.close_account("alice")
        for late in (a_file("late", size=9), a_folder()):
            with pytest.raises(AccountClosed):
                await repository.create(late)
            assert await repository.get("alice", late.item_id) is None
        assert await repository.usage("alice") == StorageUsage(5, 1)
        await repository.create(a_file(user_id="bob"))
        assert await repository.account_closed("alice")
        assert not await repository.account_closed("bob")
        assert not await repository.account_closed("nobody")

    async def test_delete_all_removes_everything_zeroes_usage_and_keeps_the_account_closed(self, repository):
        folder = a_folder()
        await repository.create(folder)
        await create_all(repository, [a_file(str(index), parent_id=folder.item_id, size=index) for index in range(60)])
        trashed = a_file("t")
        await repository.create(trashed)
        await repository.trash(trashed, trashed_at=NOW, purge_at=NOW)
        await repository.create(a_file(user_id="bob", size=7))
        await repository.close_account("alice")
        assert await repository.delete_all("alice") == 61
        assert await repository.delete_all("alice") == 0
        assert await repository.account_closed("alice")
        assert await live_items(repository, "alice") == []
        assert await repository.list_trash("alice", limit=10, after_key=None) == ([], None)
        assert await repository.name_holders("alice", None, ["projects"]) == {}
        assert [i.user_id for i in await repository.due_for_purge("2099-01-01T00:00:00+00:00", limit=10)] == []
        assert await repository.usage("alice") == StorageUsage(0, 0)
        assert await repository.usage("bob") == StorageUsage(7, 1)
        with pytest.raises(AccountClosed):
            await repository.create(a_file())

    async def test_trash_bytes_follow_trash_restore_and_purge_of_files_trashed_themselves(self, repository):
        folder = a_folder()
        await repository.create(folder)
        inside = a_file("in.txt", parent_id=folder.item_id, size=100)
        loose, kept = a_file("loose.txt", size=7), a_file("kept.txt", size=3)
        for file in (inside, loose, kept):
            await repository.create(file)
        trashed_loose = await repository.trash(loose, trashed_at=NOW, purge_at=NOW)
        await repository.trash(folder, trashed_at=NOW, purge_at=NOW)
        # A trashed folder's content is not counted as trash: trashing a folder is one write.
        assert await repository.usage("alice") == StorageUsage(110, 3, trash_bytes=7)
        restored = trashed_loose.moved(name="loose.txt", parent_id=None, modified_at=NOW)
        await repository.restore(trashed_loose, replace(restored, trashed_at=None, purge_at=None))
        assert await repository.usage("alice") == StorageUsage(110, 3, trash_bytes=0)
        again = await repository.trash(await repository.get("alice", loose.item_id), trashed_at=NOW, purge_at=NOW)
        await repository.delete(again)
        await repository.delete(again)
        await repository.delete(inside)
        assert await repository.usage("alice") == StorageUsage(3, 1, trash_bytes=0)
        await repository.trash(kept, trashed_at=NOW, purge_at=NOW)
        assert await repository.recount_usage("alice") == StorageUsage(3, 1, trash_bytes=3)
        assert await repository.usage("alice") == StorageUsage(3, 1, trash_bytes=3)
        await repository.delete_all("alice")
        assert await repository.usage("alice") == StorageUsage(0, 0, trash_bytes=0)

    async def test_a_quota_override_is_read_with_the_totals_and_outlives_their_changes(self, repository):
        assert (await repository.usage("alice")).quota_bytes is None
        await repository.set_quota("nobody-yet", 5)
        assert await repository.usage("nobody-yet") == StorageUsage(0, 0, quota_bytes=5)
        kept = a_file("kept.txt", size=3)
        await repository.create(kept)
        await repository.set_quota("alice", 2**40)
        await repository.create(a_file("more.txt", size=4))
        assert await repository.usage("alice") == StorageUsage(7, 2, quota_bytes=2**40)
        await repository.trash(kept, trashed_at=NOW, purge_at=NOW)
        assert await repository.recount_usage("alice") == StorageUsage(7, 2, trash_bytes=3, quota_bytes=2**40)
        await repository.set_quota("alice", 0)
        assert await repository.usage("alice") == StorageUsage(7, 2, trash_bytes=3, quota_bytes=0)
        assert await repository.usage("bob") == StorageUsage(0, 0)
        await repository.set_quota("alice", None)
        await repository.set_quota("alice", None)
        assert await repository.usage("alice") == StorageUsage(7, 2, trash_bytes=3)
        await repository.set_quota("alice", 100)
        await repository.close_account("alice")
        await repository.delete_all("alice")
        assert await repository.usage("alice") == StorageUsage(0, 0, quota_bytes=100)
        assert "nobody-yet" in await repository.list_user_ids()

    async def test_a_file_keeps_its_checksum_and_its_part_size(self, repository):
        file = replace(
            a_file(), sha256="n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=-2", checksum_part_size=16 * 1024 * 1024
        )
        await repository.create(file)
        assert await repository.get("alice", file.item_id) == file
        kept = (await repository.get_many("alice", [file.item_id]))[file.item_id]
        assert (kept.sha256, kept.checksum_part_size) == (file.sha256, file.checksum_part_size)
        (listed,) = await all_children(repository, None, SortField.NAME, False, 10)
        assert listed.checksum_part_size == file.checksum_part_size

    async def test_recount_agrees_with_the_counters_and_finds_every_user(self, repository):
        for size in (1, 2, 3):
            await repository.create(a_file(str(size), size=size))
        await repository.create(a_folder())
        await repository.create(a_file(user_id="bob", size=7))
        assert await repository.recount_usage("alice") == StorageUsage(6, 3)
        assert await repository.usage("alice") == StorageUsage(6, 3)
        assert await repository.recount_usage("nobody") == StorageUsage(0, 0)
        assert {"alice", "bob"} <= set(await repository.list_user_ids())

    async def test_thumbnail_state_is_kept_and_pending_files_are_listed_until_done(self, repository):
        waiting, done, other = (
            replace(a_file(f"{name}.png"), thumbnail=state)
            for name, state in (("a", ThumbnailState.PENDING), ("b", ThumbnailState.READY), ("c", None))
        )
        trashed = replace(a_file("d.png"), thumbnail=ThumbnailState.PENDING)
        for file in (waiting, done, other, trashed):
            await repository.create(file)
        await repository.trash(trashed, trashed_at=NOW, purge_at="2026-12-25T09:30:00+00:00")
        assert await repository.get("alice", waiting.item_id) == waiting
        assert (await repository.get("alice", done.item_id)).thumbnail is ThumbnailState.READY
        assert (await repository.get("alice", other.item_id)).thumbnail is None

        async def pending_ids() -> set[str]:
            return {item.item_id for item in await repository.pending_thumbnails(limit=1000)}

        assert waiting.item_id in await pending_ids()
        assert not {done.item_id, other.item_id, trashed.item_id} & await pending_ids()
        assert [
            item for item in await repository.pending_thumbnails(limit=1000) if item.item_id == waiting.item_id
        ] == [waiting]
        assert await repository.set_thumbnail(waiting, ThumbnailState.REFUSED) is True
        assert (await repository.get("alice", waiting.item_id)).thumbnail is ThumbnailState.REFUSED
        assert waiting.item_id not in await pending_ids()
        # A trashed file's state changes too, and it stays in the trash, due for its purge.
        assert await repository.set_thumbnail(trashed, ThumbnailState.READY) is True
        in_trash = await repository.get("alice", trashed.item_id)
        assert (in_trash.thumbnail, in_trash.purge_at) == (ThumbnailState.READY, "2026-12-25T09:30:00+00:00")

    async def test_a_file_trashed_while_its_thumbnail_is_pending_waits_again_only_once_restored(self, repository):
        async def pending_ids() -> set[str]:
            return {item.item_id for item in await repository.pending_thumbnails(limit=1000)}

        def back(trashed: Item) -> Item:
            return replace(trashed, trashed_at=None, purge_at=None)

        waiting, done_in_trash = (
            replace(a_file(f"{name}.png"), thumbnail=ThumbnailState.PENDING) for name in ("waiting", "done")
        )
        trashed = {}
        for file in (waiting, done_in_trash):
            await repository.create(file)
            trashed[file.item_id] = await repository.trash(file, trashed_at=NOW, purge_at="2026-12-25T09:30:00+00:00")
        assert not {waiting.item_id, done_in_trash.item_id} & await pending_ids()
        assert (await repository.get("alice", waiting.item_id)).thumbnail is ThumbnailState.PENDING

        await repository.restore(trashed[waiting.item_id], back(trashed[waiting.item_id]))
        assert [
            item for item in await repository.pending_thumbnails(limit=1000) if item.item_id == waiting.item_id
        ] == [await repository.get("alice", waiting.item_id)]
        assert await repository.set_thumbnail(waiting, ThumbnailState.READY) is True
        assert waiting.item_id not in await pending_ids()

        # Recorded while in the trash, after the restorer read the file: it does not wait again.
        assert await repository.set_thumbnail(done_in_trash, ThumbnailState.READY) is True
        stale = trashed[done_in_trash.item_id]
        assert stale.thumbnail is ThumbnailState.PENDING
        await repository.restore(stale, back(stale))
        restored = await repository.get("alice", done_in_trash.item_id)
        assert (restored.trashed_at, restored.thumbnail) == (None, ThumbnailState.READY)
        assert done_in_trash.item_id not in await pending_ids()

        # Trashed again, then purged: out of every list, its state with it.
        again = await repository.trash(restored, trashed_at=NOW, purge_at=NOW)
        await repository.delete(again)
        assert done_in_trash.item_id not in await pending_ids()
        assert await repository.get("alice", done_in_trash.item_id) is None

    async def test_every_read_of_items_carries_their_thumbnail_state(self, repository):
        ready, refused, trashed = (
            replace(a_file(f"{name}.png"), thumbnail=ThumbnailState.PENDING) for name in ("ready", "refused", "trashed")
        )
        plain, folder = a_file("plain.txt"), a_folder()
        for item in (ready, refused, trashed, plain, folder):
            await repository.create(item)
        for item, state in ((ready, ThumbnailState.READY), (refused, ThumbnailState.REFUSED)):
            assert await repository.set_thumbnail(item, state) is True
        await repository.set_thumbnail(trashed, ThumbnailState.READY)
        await repository.trash(trashed, trashed_at=NOW, purge_at="2026-12-25T09:30:00+00:00")
        live = {ready.item_id: ThumbnailState.READY, refused.item_id: ThumbnailState.REFUSED, plain.item_id: None}

        def states(items: list[Item]) -> dict[str, ThumbnailState | None]:
            return {item.item_id: item.thumbnail for item in items}

        assert states(await live_items(repository, "alice")) == {**live, folder.item_id: None}
        files, _ = await repository.list_newest("alice", kind=ItemKind.FILE, limit=10, after_id=None)
        assert states(files) == live
        for sort in SortField:
            children = await all_children(repository, None, sort, False, 10)
            assert states(children) == {**live, folder.item_id: None}
        in_trash, _ = await repository.list_trash("alice", limit=10, after_key=None)
        assert states(in_trash) == {trashed.item_id: ThumbnailState.READY}
        found = await repository.get_many("alice", [ready.item_id, trashed.item_id])
        assert states(list(found.values())) == {
            ready.item_id: ThumbnailState.READY,
            trashed.item_id: ThumbnailState.READY,
        }
        assert (await repository.get("alice", refused.item_id)).thumbnail is ThumbnailState.REFUSED

    async def test_thumbnail_state_of_a_file_gone_is_not_recorded(self, repository):
        file = replace(a_file("gone.png"), thumbnail=ThumbnailState.PENDING)
        await repository.create(file)
        await repository.delete(file)
        assert await repository.set_thumbnail(file, ThumbnailState.READY) is False
        assert await repository.get("alice", file.item_id) is None

    async def test_file_rows_of_every_user_are_read_a_bounded_page_at_a_time(self, repository):
        files = [a_file(str(index)) for index in range(5)] + [a_file(user_id="bob")]
        folder = a_folder()
        for item in [*files, folder]:
            await repository.create(item)
        await repository.trash(files[0], trashed_at=NOW, purge_at=NOW)
        seen: list[Item] = []
        after = None
        for _ in range(100):
            page, after = await repository.list_file_rows(after=after, limit=2)
            assert len(page) <= 2
            seen += page
            if after is None:
                break
        assert sorted(item.item_id for item in seen) == sorted(file.item_id for file in files)
        assert all(item.object_key == KEYS.file(item.user_id, item.item_id) for item in seen)

    # Versions (FileVersions, which every FileRepository offers)

    async def test_a_new_version_replaces_the_content_keeps_the_old_one_and_counts_both(self, repository):
        file = await _created(repository, a_file("report.pdf", size=10))
        content, superseded = _new_content(file, size=25)
        written = await repository.add_version(file, content, superseded)
        assert (written.item_id, written.name, written.created_at) == (file.item_id, file.name, file.created_at)
        assert (written.size, written.object_key, written.sha256) == (25, content.object_key, "abc=-3")
        assert written.checksum_part_size == 10
        assert await repository.get("alice", file.item_id) == written
        assert await repository.list_versions("alice", file.item_id) == [superseded]
        assert await repository.get_version("alice", superseded.version_id) == superseded
        current = await repository.get_version("alice", content.item_id)
        assert current is not None and current.current and current.file_id == file.item_id
        assert current.checksum_part_size == 10
        assert await repository.usage("alice") == StorageUsage(35, 1)
        assert await repository.recount_usage("alice") == StorageUsage(35, 1)
        # Listed in its folder with its new size, in size order too.
        by_size = await all_children(repository, None, SortField.SIZE, False, 10)
        assert [(item.item_id, item.size) for item in by_size] == [(file.item_id, 25)]

    async def test_a_version_over_a_changed_trashed_or_gone_file_writes_nothing(self, repository):
        file = await _created(repository, a_file("a.txt"))
        content, superseded = _new_content(file)
        await repository.add_version(file, content, superseded)
        stale, stale_superseded = _new_content(file)
        with pytest.raises(ItemNotFound):
            await repository.add_version(file, stale, stale_superseded)
        other = await _created(repository, a_file("b.txt"))
        await repository.trash(other, trashed_at=NOW, purge_at=NOW)
        with pytest.raises(ItemNotFound):
            await repository.add_version(other, *_new_content(other))
        assert await repository.get_version("alice", stale.item_id) is None
        assert await repository.usage("alice") == StorageUsage(10 + 20 + 10, 2, trash_bytes=10)

    async def test_a_closed_account_gets_no_new_version(self, repository):
        file = await _created(repository, a_file("a.txt"))
        await repository.close_account("alice")
        with pytest.raises(AccountClosed):
            await repository.add_version(file, *_new_content(file))
        assert await repository.list_versions("alice", file.item_id) == []

    async def test_versions_list_newest_first_expire_and_are_deleted_once(self, repository):
        file = await _created(repository, a_file("a.txt", size=1))
        superseded = []
        for size, expiry in ((2, "2026-12-01T00:00:00+00:00"), (3, "2026-12-20T00:00:00+00:00")):
            content, old = _new_content(file, size=size, expires_at=expiry)
            file = await repository.add_version(file, content, old)
            superseded.append(old)
        assert await repository.list_versions("alice", file.item_id) == superseded[::-1]
        assert await repository.due_versions("2026-11-30T00:00:00+00:00", limit=10) == []
        assert await repository.due_versions("2026-12-01T00:00:00+00:00", limit=10) == [superseded[0]]
        await repository.delete_version(superseded[0])
        await repository.delete_version(superseded[0])
        assert await repository.list_versions("alice", file.item_id) == [superseded[1]]
        assert await repository.usage("alice") == StorageUsage(3 + 2, 1)
        # The current content is no earlier version: never due, never deleted that way.
        current = await repository.get_version("alice", content_id(file))
        await repository.delete_version(current)
        assert await repository.get_version("alice", content_id(file)) == current

    async def test_the_objects_versions_name_are_recorded_and_leave_with_the_file(self, repository):
        file = await _created(repository, a_file("a.txt", size=4))
        content, superseded = _new_content(file, size=6)
        file = await repository.add_version(file, content, superseded)
        unknown = new_file_id()
        assert await repository.recorded_objects("alice", [file.item_id, content.item_id, unknown]) == {
            file.item_id,
            content.item_id,
        }
        assert await repository.recorded_objects("bob", [content.item_id]) == set()
        await repository.delete_version(superseded)
        await repository.delete(file)
        assert await repository.recorded_objects("alice", [file.item_id, content.item_id]) == set()
        assert await repository.usage("alice") == StorageUsage(0, 0)

    async def test_deleting_every_file_of_a_user_deletes_their_versions(self, repository):
        file = await _created(repository, a_file("a.txt"))
        content, superseded = _new_content(file)
        await repository.add_version(file, content, superseded)
        await repository.delete_all("alice")
        assert await repository.get_version("alice", superseded.version_id) is None
        assert await repository.recorded_objects("alice", [content.item_id]) == set()


async def _created(repository: FileRepository, item: Item) -> Item:
    await repository.create(item)
    return item


def _new_content(
    file: Item, *, size: int = 20, expires_at: str = "2026-12-25T09:30:00+00:00"
) -> tuple[Item, FileVersion]:
    """An upload's bytes over `file` and the version `file`'s current content becomes."""
    content_id_ = new_file_id()
    content = replace(
        file,
        item_id=content_id_,
        object_key=KEYS.file(file.user_id, content_id_),
        size=size,
        sha256="abc=-3",
        checksum_part_size=10,
        created_at="2026-11-26T10:00:00+00:00",
        modified_at="2026-11-26T10:00:00+00:00",
    )
    superseded = replace(FileVersion.first_of(file), version_id=content_id(file)).superseded(expires_at)
    return content, superseded


class BlobStoreContract:
    """`read_object(key)` gives back (bytes, content type), or None if no object has that key."""

    @pytest.fixture
    def blob_store(self) -> BlobStore:
        raise NotImplementedError

    @pytest.fixture
    def read_object(self) -> Callable[[str], Awaitable[tuple[bytes, str] | None]]:
        raise NotImplementedError

    async def test_put_stores_the_bytes_with_their_type(self, blob_store, read_object):
        await blob_store.put("users/alice/a", chunks_of(b"hello " * 1000, size=7), content_type="image/png")
        assert await read_object("users/alice/a") == (b"hello " * 1000, "image/png")
        await blob_store.put("users/alice/empty", chunks_of(b""), content_type="text/plain")
        assert await read_object("users/alice/empty") == (b"", "text/plain")

    async def test_a_failing_stream_leaves_nothing_and_propagates(self, blob_store, read_object):
        with pytest.raises(FileTooLarge):
            await blob_store.put(
                "users/alice/a", chunks_of(b"x" * 100_000, size=1000, fail_after=50_000), content_type="text/plain"
            )
        assert await read_object("users/alice/a") is None

    async def test_read_streams_the_bytes_back(self, blob_store):
        content = bytes(range(256)) * 5000
        await blob_store.put("users/alice/r", chunks_of(content), content_type="text/plain")
        assert b"".join(await asyncio.to_thread(lambda: list(blob_store.read_blocking("users/alice/r")))) == content

    async def test_copy_stores_the_same_bytes_and_type_under_the_new_key(self, blob_store, read_object):
        await blob_store.put("users/alice/a", chunks_of(b"copied " * 1000, size=7), content_type="image/png")
        await blob_store.copy("users/alice/a", "users/alice/b")
        assert await read_object("users/alice/b") == (b"copied " * 1000, "image/png")
        assert await read_object("users/alice/a") == (b"copied " * 1000, "image/png")

    async def test_delete_is_idempotent(self, blob_store, read_object):
        await blob_store.put("users/alice/a", chunks_of(b"x"), content_type="text/plain")
        await blob_store.delete("users/alice/a")
        await blob_store.delete("users/alice/a")
        assert await read_object("users/alice/a") is None

    async def test_delete_prefix_removes_only_that_prefix(self, blob_store, read_object):
        for key in ("users/alice/1", "users/alice/2", "users/alicex/1", "users/bob/1"):
            await blob_store.put(key, chunks_of(b"x"), content_type="text/plain")
        assert await blob_store.delete_prefix("users/alice/") == 2
        assert await blob_store.delete_prefix("users/alice/") == 0
        assert await read_object("users/alice/1") is None and await read_object("users/alice/2") is None
        assert await read_object("users/alicex/1") == (b"x", "text/plain")
        assert await read_object("users/bob/1") == (b"x", "text/plain")

    async def test_objects_are_listed_in_key_order_a_page_at_a_time(self, blob_store):
        keys = ["users/alice/2", "users/alice/1", "users/bob/1", "elsewhere/1"]
        for key in keys:
            await blob_store.put(key, chunks_of(b"x"), content_type="text/plain")
        first = await blob_store.list_objects("users/", after=None, limit=2)
        rest = await blob_store.list_objects("users/", after=first[-1].key, limit=2)
        assert [o.key for o in first + rest] == ["users/alice/1", "users/alice/2", "users/bob/1"]
        assert all(o.stored_at[:4].isdigit() and o.stored_at.endswith("+00:00") for o in first + rest)
        assert await blob_store.list_objects("users/", after="users/bob/1", limit=2) == []
        assert await blob_store.exists("users/bob/1") and not await blob_store.exists("users/bob/2")

    async def test_presigned_link_is_a_url_for_the_key(self, blob_store):
        url = blob_store.presign_download(
            "users/alice/a", content_disposition="attachment", content_type="text/plain", ttl_seconds=60
        )
        assert isinstance(url, str) and "users/alice/a" in url
