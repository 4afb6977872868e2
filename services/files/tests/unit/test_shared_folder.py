"""Folder links on the in-memory fakes: browsing, one file's details and download, the ZIP, and the
containment rule (nothing outside the link's folder is reachable, by id or by archive)."""

import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_share import FastPasswordHasher, InMemoryShareLinks, InMemoryUserDirectory
from scloud_files.domain import (
    AccessEvent,
    InvalidCursor,
    ItemKind,
    ItemNotFound,
    LinkExhausted,
    OnConflict,
    PasswordRequired,
    SortField,
    Visitor,
)
from scloud_files.drive.use_cases import SharingPorts, build_drive
from scloud_files.ports import AccountProfile
from services.files.tests.doubles import chunks_of

VISITOR = Visitor.of(user_agent="Mozilla/5.0 Firefox/133.0", address="198.51.100.20")


@pytest.fixture
def links():
    return InMemoryShareLinks()


@pytest.fixture
def drive(links):
    users = InMemoryUserDirectory({"alice": AccountProfile(True, "Alice"), "bob": AccountProfile(True, "Bob")})
    return build_drive(
        InMemoryFileRepository(),
        InMemoryBlobStore(),
        max_upload_bytes=10_000,
        download_url_ttl_seconds=300,
        sharing=SharingPorts(links, users, FastPasswordHasher()),
    )


async def _upload(drive, user, name, parent_id, content=b"hello"):
    return await drive.upload_file(
        user,
        file_name=name,
        content_type="text/plain",
        chunks=chunks_of(content),
        parent_id=parent_id,
        on_conflict=OnConflict.FAIL,
    )


async def _folder(drive, user, name, parent_id=None):
    folder, _ = await drive.create_folder(user, name=name, parent_id=parent_id)
    return folder


@pytest.fixture
async def tree(drive):
    """alice: /outside.txt, /team/{a.txt, b.txt, deep/{c.txt}, old/ (trashed) {d.txt}}; bob: /bob.txt"""
    team = await _folder(drive, "alice", "team")
    deep = await _folder(drive, "alice", "deep", team.item_id)
    old = await _folder(drive, "alice", "old", team.item_id)
    items = {
        "team": team,
        "deep": deep,
        "old": old,
        "outside": await _upload(drive, "alice", "outside.txt", None),
        "a": await _upload(drive, "alice", "a.txt", team.item_id, b"a" * 3),
        "b": await _upload(drive, "alice", "b.txt", team.item_id, b"b" * 1),
        "c": await _upload(drive, "alice", "c.txt", deep.item_id),
        "d": await _upload(drive, "alice", "d.txt", old.item_id),
        "bob": await _upload(drive, "bob", "bob.txt", None),
    }
    await drive.trash_item("alice", old.item_id, kind=ItemKind.FOLDER)
    return items


async def _list(sharing, link_id, folder_id=None, **options):
    options = {"sort": SortField.NAME, "descending": False, "limit": 50, "cursor": None, **options}
    return await sharing.list_folder(link_id, VISITOR, unlock=None, folder_id=folder_id, **options)


async def test_a_visitor_browses_the_folder_and_its_subfolders_in_the_owners_orders(drive, tree):
    _, link_id = await drive.sharing.create("alice", tree["team"].item_id)
    top = await _list(drive.sharing, link_id)
    assert top.folder.is_link_root and top.folder.path == []
    assert [item.name for item in top.page.items] == ["deep", "a.txt", "b.txt"]
    by_size = await _list(drive.sharing, link_id, sort=SortField.SIZE, descending=True)
    assert [item.name for item in by_size.page.items] == ["deep", "a.txt", "b.txt"]
    by_size_up = await _list(drive.sharing, link_id, sort=SortField.SIZE)
    assert [item.name for item in by_size_up.page.items] == ["deep", "b.txt", "a.txt"]
    deep = await _list(drive.sharing, link_id, tree["deep"].item_id)
    assert [item.name for item in deep.page.items] == ["c.txt"]
    assert [entry.name for entry in deep.folder.path] == []  # the link's folder is never named


async def test_pages_continue_with_their_cursor_which_is_bound_to_the_link_and_folder(drive, tree):
    _, link_id = await drive.sharing.create("alice", tree["team"].item_id)
    first = await _list(drive.sharing, link_id, limit=2)
    assert [item.name for item in first.page.items] == ["deep", "a.txt"] and first.page.next_cursor
    second = await _list(drive.sharing, link_id, limit=2, cursor=first.page.next_cursor)
    assert [item.name for item in second.page.items] == ["b.txt"] and second.page.next_cursor is None
    with pytest.raises(InvalidCursor):
        await _list(drive.sharing, link_id, tree["deep"].item_id, cursor=first.page.next_cursor)


async def test_a_file_inside_is_opened_and_downloaded_with_its_path_below_the_link(drive, tree, links):
    link, link_id = await drive.sharing.create("alice", tree["team"].item_id, download_limit=2)
    entry = await drive.sharing.get_item(link_id, VISITOR, unlock=None, item_id=tree["c"].item_id)
    assert entry.item.name == "c.txt" and [folder.name for folder in entry.path] == ["deep"]
    url, _ = await drive.sharing.download_file(link_id, VISITOR, unlock=None, file_id=tree["c"].item_id)
    # Regression: the link's key named the owner (`users/alice/...`) and lived 300 s, so a
    # revoked link kept working for minutes.
    assert url.startswith("memory://blobs/users/") and "alice" not in url and "ttl=5" in url.split("?")[1]
    await drive.sharing.download_file(link_id, VISITOR, unlock=None, file_id=tree["a"].item_id)
    with pytest.raises(LinkExhausted):
        await drive.sharing.download_file(link_id, VISITOR, unlock=None, file_id=tree["b"].item_id)
    assert (await links.find(link.token_hash)).download_count == 2


@pytest.mark.parametrize("outside", ["outside", "d", "old", "bob", "unknown", "root-of-owner"])
async def test_nothing_outside_the_folder_is_reachable_and_all_look_unknown(drive, tree, outside):
    _, link_id = await drive.sharing.create("alice", tree["team"].item_id)
    item_id = {"unknown": "01JZZZZZZZZZZZZZZZZZZZZZZZ", "root-of-owner": "root"}.get(outside) or tree[outside].item_id
    with pytest.raises(ItemNotFound):
        await drive.sharing.get_item(link_id, VISITOR, unlock=None, item_id=item_id)
    with pytest.raises(ItemNotFound):
        await drive.sharing.download_file(link_id, VISITOR, unlock=None, file_id=item_id)
    with pytest.raises(ItemNotFound):
        await _list(drive.sharing, link_id, item_id)
    with pytest.raises(ItemNotFound):
        await drive.sharing.zip(link_id, VISITOR, unlock=None, item_ids=[None, item_id])


async def test_a_file_link_reaches_its_file_only(drive, tree):
    _, link_id = await drive.sharing.create("alice", tree["a"].item_id)
    assert (await drive.sharing.get_item(link_id, VISITOR, unlock=None, item_id=None)).item.name == "a.txt"
    with pytest.raises(ItemNotFound):
        await _list(drive.sharing, link_id)
    with pytest.raises(ItemNotFound):
        await drive.sharing.get_item(link_id, VISITOR, unlock=None, item_id=tree["b"].item_id)


async def test_a_subfolder_is_zipped_once_and_the_zip_holds_what_is_live_inside(drive, tree):
    _, link_id = await drive.sharing.create("alice", tree["team"].item_id)
    token, _ = await drive.sharing.zip(link_id, VISITOR, unlock=None, item_ids=[None])
    name, blocks = await drive.open_archive(token)
    body = b"".join([block async for block in blocks])
    assert name == "team.zip"
    assert b"team/deep/c.txt" in body and b"team/a.txt" in body and b"d.txt" not in body


async def test_a_password_guards_browsing_too(drive, tree):
    _, link_id = await drive.sharing.create("alice", tree["team"].item_id, password="s3cret")
    with pytest.raises(PasswordRequired):
        await _list(drive.sharing, link_id)
    token, _ = await drive.sharing.unlock(link_id, "s3cret", VISITOR)
    page = await drive.sharing.list_folder(
        link_id, VISITOR, unlock=token, folder_id=None, sort=SortField.NAME, descending=False, limit=5, cursor=None
    )
    assert len(page.page.items) == 3


async def test_each_access_is_logged_with_its_event(drive, tree, links):
    link, link_id = await drive.sharing.create("alice", tree["team"].item_id)
    await _list(drive.sharing, link_id)
    await drive.sharing.get_item(link_id, VISITOR, unlock=None, item_id=tree["a"].item_id)
    await drive.sharing.download_file(link_id, VISITOR, unlock=None, file_id=tree["a"].item_id)
    await drive.sharing.zip(link_id, VISITOR, unlock=None, item_ids=[tree["deep"].item_id])
    entries, _ = await links.access_log(link, limit=10, after_key=None)
    assert sorted(entry.event for entry in entries) == sorted(
        [AccessEvent.LIST, AccessEvent.OPEN, AccessEvent.DOWNLOAD, AccessEvent.ZIP]
    )
    assert {entry.network for entry in entries} == {"198.51.100.0/24"}


async def test_closing_the_owners_account_removes_their_links_and_logs(drive, tree, links):
    link, link_id = await drive.sharing.create("alice", tree["team"].item_id)
    bobs, _ = await drive.sharing.create("bob", tree["bob"].item_id)
    await _list(drive.sharing, link_id)
    await drive.delete_user_files("alice")
    assert await links.find(link.token_hash) is None and link.link_ref not in links.logs
    assert await links.find(bobs.token_hash) is not None


async def test_purging_an_item_removes_the_links_to_it_and_to_what_it_held(drive, tree, links):
    folder_link, _ = await drive.sharing.create("alice", tree["team"].item_id)
    inner_link, _ = await drive.sharing.create("alice", tree["c"].item_id)
    other, _ = await drive.sharing.create("alice", tree["outside"].item_id)
    await drive.trash_item("alice", tree["team"].item_id, kind=ItemKind.FOLDER)
    await drive.delete_forever("alice", [tree["team"].item_id])
    await drive.purge_due()
    assert await links.find(folder_link.token_hash) is None
    assert await links.find(inner_link.token_hash) is None
    assert await links.find(other.token_hash) is not None
