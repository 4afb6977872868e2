"""Sharing with people on the in-memory fakes: the same answer for a known and an unknown email,
invitations claimed by the account that verifies the address, viewer and editor rights, the
containment of every id inside the shared item, and access ending at the next request."""

from datetime import timedelta

import pytest

from scloud_common.email_address import InvalidEmail
from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_grants import InMemoryGrants, InMemoryPeopleDirectory, RecordingShareNotices
from scloud_files.domain import (
    EmailNotVerified,
    FolderCycle,
    ItemKind,
    ItemNotFound,
    OnConflict,
    QuotaExceeded,
    SortField,
)
from scloud_files.domain.grant import (
    CannotShareWithSelf,
    PersonNotFound,
    Role,
    SharedRootFixed,
    ShareNotFound,
    ViewerOnly,
    person_id_of,
)
from scloud_files.drive.move import UNSET
from scloud_files.drive.people_share import PeoplePorts
from scloud_files.drive.purge import purge_all_due
from scloud_files.drive.use_cases import build_drive
from services.files.tests.doubles import Clock, chunks_of


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def people():
    directory = InMemoryPeopleDirectory()
    directory.add("alice", "alice@example.com", name="Alice")
    directory.add("bob", "bob@example.com", name="Bob")
    directory.add("carol", "carol@example.com", name="Carol")
    directory.add("unverified", "late@example.com", name="Late", verified=False)
    return directory


@pytest.fixture
def grants():
    return InMemoryGrants()


@pytest.fixture
def notices():
    return RecordingShareNotices()


@pytest.fixture
def drive(grants, people, notices, clock):
    return build_drive(
        InMemoryFileRepository(),
        InMemoryBlobStore(),
        max_upload_bytes=10_000,
        download_url_ttl_seconds=300,
        now=clock,
        quota_bytes=100,
        people=PeoplePorts(grants, people, notices),
    )


async def folder(drive, name, parent_id=None, user="alice"):
    made, _ = await drive.create_folder(user, name=name, parent_id=parent_id)
    return made


async def upload(drive, name, parent_id, user="alice", content=b"hello"):
    return await drive.upload_file(
        user, file_name=name, content_type="text/plain", chunks=chunks_of(content), parent_id=parent_id
    )


@pytest.fixture
async def tree(drive):
    """Alice's drive: Shared/{Inner/deep.txt, a.txt}, and Private/secret.txt beside it."""
    shared = await folder(drive, "Shared")
    inner = await folder(drive, "Inner", shared.item_id)
    private = await folder(drive, "Private")
    return {
        "shared": shared,
        "inner": inner,
        "deep": await upload(drive, "deep.txt", inner.item_id),
        "a": await upload(drive, "a.txt", shared.item_id),
        "private": private,
        "secret": await upload(drive, "secret.txt", private.item_id),
    }


async def share(drive, item, email="bob@example.com", role=Role.VIEWER):
    return await drive.people.share("alice", item.item_id, email=email, role=role)


async def test_a_known_and_an_unknown_email_get_the_same_answer(drive, tree, notices):
    known = await share(drive, tree["shared"], "Bob@Example.com")
    unknown = await share(drive, tree["shared"], "nobody@example.com")
    assert known.email == "bob@example.com"
    fields = {"role", "item_id", "item_name", "owner_name", "created_at", "in_drive"}
    assert {f: getattr(known, f) for f in fields} == {f: getattr(unknown, f) for f in fields}
    people = await drive.people.on_item.list("alice", tree["shared"].item_id)
    assert [person.email for person in people] == ["bob@example.com", "nobody@example.com"]
    assert [grant.email for grant in notices.sent] == ["bob@example.com", "nobody@example.com"]


async def test_sharing_needs_a_verified_owner_a_valid_email_and_not_oneself(drive, tree, people):
    with pytest.raises(InvalidEmail):
        await share(drive, tree["shared"], "not an email")
    with pytest.raises(CannotShareWithSelf):
        await share(drive, tree["shared"], "ALICE@example.com")
    with pytest.raises(ItemNotFound):
        await drive.people.share("bob", tree["shared"].item_id, email="carol@example.com", role=Role.VIEWER)
    people.add("alice", "alice@example.com", name="Alice", verified=False)
    with pytest.raises(EmailNotVerified):
        await share(drive, tree["shared"])


async def test_an_invitation_is_claimed_when_its_address_has_a_verified_account(drive, tree, people, clock):
    await share(drive, tree["shared"], "late@example.com", Role.EDITOR)
    assert await drive.people.shared_with_me("unverified", limit=10, cursor=None) == ([], None)
    people.add("unverified", "late@example.com", name="Late")
    shared, _ = await drive.people.shared_with_me("unverified", limit=10, cursor=None)
    assert [(entry.item.name, entry.grant.role, entry.grant.owner_name) for entry in shared] == [
        ("Shared", Role.EDITOR, "Alice")
    ]


async def test_an_invitation_expires_after_30_days(drive, tree, people, clock):
    await share(drive, tree["shared"], "dan@example.com")
    clock.now += timedelta(days=30, seconds=1)
    assert await drive.people.on_item.list("alice", tree["shared"].item_id) == []
    people.add("dan", "dan@example.com", name="Dan")
    assert await drive.people.shared_with_me("dan", limit=10, cursor=None) == ([], None)


async def test_shared_with_me_comes_a_page_at_a_time_and_leaves_out_trashed_items(drive, tree):
    for item in (tree["shared"], tree["private"], tree["secret"]):
        await share(drive, item)
    page, cursor = await drive.people.shared_with_me("bob", limit=2, cursor=None)
    rest, end = await drive.people.shared_with_me("bob", limit=2, cursor=cursor)
    assert {entry.item.name for entry in page + rest} == {"Shared", "Private", "secret.txt"}
    assert end is None
    await drive.trash_item("alice", tree["private"].item_id, kind=None)
    page, _ = await drive.people.shared_with_me("bob", limit=10, cursor=None)
    assert [entry.item.name for entry in page] == ["Shared"]


async def test_a_viewer_reads_inside_the_share_only(drive, tree):
    await share(drive, tree["shared"])
    share_id = tree["shared"].item_id
    read = drive.people.read
    folder_entry, items, _ = await read.children(
        "bob", share_id, None, sort=SortField.NAME, descending=False, limit=10, cursor=None
    )
    assert folder_entry.is_link_root and [item.name for item in items] == ["Inner", "a.txt"]
    entry = (await read.item("bob", share_id, tree["deep"].item_id))[1]
    assert [step.name for step in entry.path] == ["Inner"]
    url, _ = await read.download("bob", share_id, tree["deep"].item_id, inline=False, as_text=False)
    # Neither the owner's id nor a link that outlives a removed person by minutes.
    assert "alice" not in url and "ttl=5" in url.split("?")[1]
    for outside in (tree["private"], tree["secret"]):
        with pytest.raises(ItemNotFound):
            await read.item("bob", share_id, outside.item_id)
    with pytest.raises(ItemNotFound):
        await read.download("bob", share_id, tree["secret"].item_id, inline=False, as_text=False)
    with pytest.raises(ShareNotFound):
        await read.item("bob", tree["private"].item_id, None)
    with pytest.raises(ShareNotFound):
        await read.item("carol", share_id, None)


async def test_a_viewer_is_refused_every_change(drive, tree):
    await share(drive, tree["shared"])
    share_id, a = tree["shared"].item_id, tree["a"].item_id
    edit = drive.people.edit
    with pytest.raises(ViewerOnly):
        await _upload_shared(edit, "bob", share_id)
    with pytest.raises(ViewerOnly):
        await edit.update("bob", share_id, a, name="b.txt", parent_id=UNSET)
    with pytest.raises(ViewerOnly):
        await edit.trash("bob", share_id, a)
    # A stranger is not told there is anything to refuse.
    with pytest.raises(ShareNotFound):
        await edit.trash("carol", share_id, a)


async def test_an_editor_uploads_renames_moves_and_trashes_inside_on_the_owners_quota(drive, tree):
    await share(drive, tree["shared"], role=Role.EDITOR)
    share_id = tree["shared"].item_id
    edit = drive.people.edit
    made = await _upload_shared(edit, "bob", share_id, folder_id=tree["inner"].item_id)
    assert made.user_id == "alice" and made.parent_id == tree["inner"].item_id
    assert (await drive.get_storage_usage("alice")).bytes_used == 3 * 5 + 5
    assert (await drive.get_storage_usage("bob")).bytes_used == 0
    with pytest.raises(QuotaExceeded):
        await _upload_shared(edit, "bob", share_id, content=b"x" * 90)
    renamed = await edit.update("bob", share_id, tree["a"].item_id, name="b.txt", parent_id=tree["inner"].item_id)
    assert (renamed.name, renamed.parent_id) == ("b.txt", tree["inner"].item_id)
    moved = await edit.update("bob", share_id, renamed.item_id, name=UNSET, parent_id=None)
    assert moved.parent_id == share_id
    await edit.trash("bob", share_id, moved.item_id)
    assert (await drive.list_trash("alice", limit=10, cursor=None)).items[0].item_id == moved.item_id


async def test_an_editor_cannot_reach_out_of_the_share_nor_change_the_shared_item(drive, tree):
    await share(drive, tree["inner"], role=Role.EDITOR)
    share_id, deep = tree["inner"].item_id, tree["deep"].item_id
    edit = drive.people.edit
    for target in (tree["shared"].item_id, tree["private"].item_id):
        with pytest.raises(ItemNotFound):
            await edit.update("bob", share_id, deep, name=UNSET, parent_id=target)
    with pytest.raises(ItemNotFound):
        await edit.trash("bob", share_id, tree["a"].item_id)
    with pytest.raises(ItemNotFound):
        await _upload_shared(edit, "bob", share_id, folder_id=tree["private"].item_id)
    with pytest.raises(SharedRootFixed):
        await edit.update("bob", share_id, share_id, name="Mine", parent_id=UNSET)
    with pytest.raises(SharedRootFixed):
        await edit.trash("bob", share_id, share_id)
    sub = await folder(drive, "Sub", share_id)
    with pytest.raises(FolderCycle):
        await edit.update("bob", share_id, sub.item_id, name=UNSET, parent_id=sub.item_id)


async def test_removing_a_person_or_their_leaving_ends_access_at_the_next_request(drive, tree, grants):
    grant = await share(drive, tree["shared"], role=Role.EDITOR)
    await drive.people.read.item("bob", tree["shared"].item_id, None)
    await drive.people.on_item.remove("alice", tree["shared"].item_id, grant.person_id)
    with pytest.raises(ShareNotFound):
        await drive.people.read.item("bob", tree["shared"].item_id, None)
    with pytest.raises(PersonNotFound):
        await drive.people.on_item.remove("alice", tree["shared"].item_id, grant.person_id)
    await share(drive, tree["shared"])
    await drive.people.choices.leave("bob", tree["shared"].item_id)
    assert await drive.people.on_item.list("alice", tree["shared"].item_id) == []
    with pytest.raises(ShareNotFound):
        await drive.people.choices.leave("bob", tree["shared"].item_id)


async def test_a_role_change_applies_at_the_next_request(drive, tree):
    grant = await share(drive, tree["shared"])
    share_id = tree["shared"].item_id
    await drive.people.on_item.change_role("alice", share_id, grant.person_id, Role.EDITOR)
    await drive.people.edit.trash("bob", share_id, tree["a"].item_id)
    await drive.people.on_item.change_role("alice", share_id, grant.person_id, Role.VIEWER)
    with pytest.raises(ViewerOnly):
        await drive.people.edit.trash("bob", share_id, tree["deep"].item_id)


async def test_in_drive_is_the_grantees_choice(drive, tree):
    await share(drive, tree["shared"])
    await drive.people.choices.set_in_drive("bob", tree["shared"].item_id, True)
    page, _ = await drive.people.shared_with_me("bob", limit=10, cursor=None)
    assert page[0].grant.in_drive
    with pytest.raises(ShareNotFound):
        await drive.people.choices.set_in_drive("carol", tree["shared"].item_id, True)


async def test_deleting_the_owners_account_ends_access_and_removes_their_grants(drive, tree, grants):
    await share(drive, tree["shared"])
    await drive.people.share(
        "bob", (await folder(drive, "Bobs", user="bob")).item_id, email="alice@example.com", role=Role.VIEWER
    )
    await drive.delete_user_files("alice")
    with pytest.raises(ShareNotFound):
        await drive.people.read.item("bob", tree["shared"].item_id, None)
    assert grants.grants == {}


async def test_purging_an_item_removes_its_grants(drive, tree, grants, clock):
    await share(drive, tree["inner"])
    await drive.trash_item("alice", tree["inner"].item_id, kind=ItemKind.FOLDER)
    await drive.empty_trash("alice")
    await purge_all_due(drive.purge_due)
    assert await grants.shared_with("bob", tree["inner"].item_id) is None


async def test_an_unknown_person_id_is_not_found(drive, tree):
    with pytest.raises(PersonNotFound):
        await drive.people.on_item.change_role("alice", tree["shared"].item_id, "nope", Role.EDITOR)
    with pytest.raises(PersonNotFound):
        await drive.people.on_item.remove("alice", tree["shared"].item_id, person_id_of("x@example.com"))


async def _upload_shared(edit, user, share_id, *, folder_id=None, content=b"hello"):
    return await edit.upload(
        user,
        share_id,
        folder_id,
        file_name="new.txt",
        content_type="text/plain",
        chunks=chunks_of(content),
        on_conflict=OnConflict.RENAME,
        modified_at=None,
    )


async def test_the_owners_listing_marks_what_is_shared_with_people(drive, tree):
    async def marked():
        page = await drive.list_children(
            "alice", None, sort=SortField.NAME, descending=False, kinds=list(ItemKind), limit=10, cursor=None
        )
        return {item.name for item in page.items if item.item_id in page.shared}

    assert await marked() == set()
    await share(drive, tree["shared"])
    await share(drive, tree["private"], "nobody@example.com")
    assert await marked() == {"Shared", "Private"}
    found = await drive.search("alice", "shared", limit=10, cursor=None)
    assert found.shared == {tree["shared"].item_id}
    (person,) = await drive.people.on_item.list("alice", tree["shared"].item_id)
    await drive.people.on_item.remove("alice", tree["shared"].item_id, person.person_id)
    assert await marked() == {"Private"}
