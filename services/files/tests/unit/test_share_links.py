"""Share links on the in-memory fakes: each option and each refusal, throttling, and what the
access log keeps (never a full address)."""

import asyncio
import dataclasses
from datetime import timedelta

import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_share import FastPasswordHasher, InMemoryShareLinks, InMemoryUserDirectory
from scloud_files.domain import (
    AccessEvent,
    AccountClosed,
    EmailNotVerified,
    InvalidCursor,
    InvalidExpiry,
    ItemKind,
    ItemNotFound,
    LinkExhausted,
    LinkExpired,
    LinkIsFolder,
    LinkNotFound,
    LinkRevoked,
    OnConflict,
    PasswordRequired,
    RefusalReason,
    SortField,
    TooManyAttempts,
    Visitor,
    WrongPassword,
    browser_family,
    link_hash,
    network_prefix,
)
from scloud_files.drive.share_link import ShareLimits
from scloud_files.drive.use_cases import SharingPorts, build_drive
from scloud_files.ports import AccountProfile
from services.files.tests.doubles import Clock, chunks_of

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
VISITOR = Visitor.of(user_agent=FIREFOX, address="203.0.113.77")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def links():
    return InMemoryShareLinks()


@pytest.fixture
def repository():
    return InMemoryFileRepository()


@pytest.fixture
def users():
    return InMemoryUserDirectory({"alice": AccountProfile(True, "Alice A."), "carol": AccountProfile(False, "Carol")})


@pytest.fixture
def drive(repository, links, users, clock):
    return build_drive(
        repository,
        InMemoryBlobStore(),
        max_upload_bytes=10_000,
        download_url_ttl_seconds=300,
        now=clock,
        sharing=SharingPorts(
            links, users, FastPasswordHasher(), ShareLimits(attempts_per_link=3, attempts_per_client=5)
        ),
    )


@pytest.fixture
def sharing(drive):
    return drive.sharing


@pytest.fixture
async def report(drive):
    return await drive.upload_file(
        "alice",
        file_name="report.pdf",
        content_type="application/pdf",
        chunks=chunks_of(b"%PDF-1.7 hello"),
        parent_id=None,
        on_conflict=OnConflict.FAIL,
    )


async def test_a_link_opens_its_file_signed_out_and_shows_nothing_of_the_owner(sharing, report, clock):
    link, link_id = await sharing.create("alice", report.item_id)
    assert len(link_id) == 22 and link.token_hash == link_hash(link_id)
    assert link.expires_at == (clock.now + timedelta(days=7)).isoformat()
    shown = await sharing.open(link_id, VISITOR, unlock=None)
    assert (shown.name, shown.size, shown.media_type, shown.owner_name) == ("report.pdf", 14, "application/pdf", None)
    assert shown.downloads_left is None
    assert "alice" not in repr(shown) and report.item_id not in repr(shown)


async def test_the_owner_may_show_their_chosen_name(sharing, report):
    _, link_id = await sharing.create("alice", report.item_id, show_owner_name=True)
    assert (await sharing.open(link_id, VISITOR, unlock=None)).owner_name == "Alice A."


async def test_only_a_verified_account_creates_links_and_only_of_its_live_items(sharing, drive, report):
    with pytest.raises(EmailNotVerified):
        await sharing.create("carol", report.item_id)
    with pytest.raises(AccountClosed):
        await sharing.create("nobody", report.item_id)
    folder, _ = await drive.create_folder("alice", name="Photos", parent_id=None, on_conflict=OnConflict.FAIL)
    await drive.trash_item("alice", folder.item_id, kind=ItemKind.FOLDER)
    with pytest.raises(ItemNotFound):
        await sharing.create("alice", folder.item_id)


async def test_the_expiry_is_bounded_and_ends_the_link(sharing, report, clock, links):
    for wrong in (clock.now - timedelta(minutes=1), clock.now + timedelta(days=7, seconds=1)):
        with pytest.raises(InvalidExpiry) as refused:
            await sharing.create("alice", report.item_id, expires_at=wrong)
        assert refused.value.details == {"maxDays": 7}
    link, link_id = await sharing.create("alice", report.item_id, expires_at=clock.now + timedelta(hours=1))
    clock.now += timedelta(hours=1)
    with pytest.raises(LinkExpired):
        await sharing.open(link_id, VISITOR, unlock=None)
    with pytest.raises(LinkExpired):
        await sharing.download(link_id, VISITOR, unlock=None)
    await sharing.update("alice", link.link_ref, expires_at=clock.now + timedelta(days=1))
    assert (await sharing.open(link_id, VISITOR, unlock=None)).name == "report.pdf"


async def test_a_download_answers_a_presigned_url_and_counts_against_the_limit(sharing, report):
    link, link_id = await sharing.create("alice", report.item_id, download_limit=2)
    url, _ = await sharing.download(link_id, VISITOR, unlock=None)
    assert url.startswith(f"memory://blobs/{report.object_key}?") and "attachment" in url
    assert (await sharing.open(link_id, VISITOR, unlock=None)).downloads_left == 1
    await sharing.download(link_id, VISITOR, unlock=None)
    with pytest.raises(LinkExhausted):
        await sharing.download(link_id, VISITOR, unlock=None)
    with pytest.raises(LinkExhausted):
        await sharing.open(link_id, VISITOR, unlock=None)
    await sharing.update("alice", link.link_ref, download_limit=None)
    await sharing.download(link_id, VISITOR, unlock=None)


async def test_concurrent_downloads_never_pass_the_limit(sharing, report):
    _, link_id = await sharing.create("alice", report.item_id, download_limit=3)
    outcomes = await asyncio.gather(
        *(sharing.download(link_id, VISITOR, unlock=None) for _ in range(8)), return_exceptions=True
    )
    assert sum(isinstance(outcome, tuple) for outcome in outcomes) == 3
    assert all(isinstance(outcome, (tuple, LinkExhausted)) for outcome in outcomes)


async def test_revoking_ends_access_at_once(sharing, report):
    link, link_id = await sharing.create("alice", report.item_id)
    await sharing.revoke("alice", link.link_ref)
    await sharing.revoke("alice", link.link_ref)
    for use in (sharing.open, sharing.download):
        with pytest.raises(LinkRevoked):
            await use(link_id, VISITOR, unlock=None)
    with pytest.raises(LinkNotFound):
        await sharing.revoke("bob", link.link_ref)


async def test_trashing_the_item_or_closing_the_account_ends_access_as_unknown(sharing, drive, report, repository):
    _, link_id = await sharing.create("alice", report.item_id)
    await drive.trash_item("alice", report.item_id, kind=ItemKind.FILE)
    with pytest.raises(LinkNotFound):
        await sharing.open(link_id, VISITOR, unlock=None)
    await drive.restore_items("alice", [report.item_id], on_conflict=OnConflict.FAIL)
    assert (await sharing.open(link_id, VISITOR, unlock=None)).name == "report.pdf"
    await repository.close_account("alice")
    with pytest.raises(LinkNotFound):
        await sharing.download(link_id, VISITOR, unlock=None)
    with pytest.raises(LinkNotFound):
        await sharing.open("an unknown link id 22c", VISITOR, unlock=None)


async def test_a_password_is_asked_checked_and_unlocks_until_it_changes(sharing, report, links, clock):
    link, link_id = await sharing.create("alice", report.item_id, password="open sesame")
    assert link.password_hash is not None and "open sesame" not in link.password_hash
    with pytest.raises(PasswordRequired):
        await sharing.open(link_id, VISITOR, unlock=None)
    with pytest.raises(WrongPassword):
        await sharing.unlock(link_id, "guess", VISITOR)
    token, expires_at = await sharing.unlock(link_id, "open sesame", VISITOR)
    assert expires_at == clock.now + timedelta(hours=1)
    assert (await sharing.open(link_id, VISITOR, unlock=token)).name == "report.pdf"
    await sharing.download(link_id, VISITOR, unlock=token)
    with pytest.raises(PasswordRequired):
        await sharing.open(link_id, VISITOR, unlock=token[:-2] + "xx")
    await sharing.update("alice", link.link_ref, password="another one")
    with pytest.raises(PasswordRequired):
        await sharing.open(link_id, VISITOR, unlock=token)
    clock.now += timedelta(hours=1)
    await sharing.update("alice", link.link_ref, password=None, expires_at=clock.now + timedelta(days=1))
    assert (await sharing.open(link_id, VISITOR, unlock=None)).name == "report.pdf"


async def test_an_unlock_expires(sharing, report, clock):
    _, link_id = await sharing.create("alice", report.item_id, password="pw")
    token, _ = await sharing.unlock(link_id, "pw", VISITOR)
    clock.now += timedelta(hours=1)
    with pytest.raises(PasswordRequired):
        await sharing.open(link_id, VISITOR, unlock=token)


async def test_wrong_passwords_are_throttled_per_link_then_the_window_ends(sharing, report, clock):
    _, link_id = await sharing.create("alice", report.item_id, password="pw")
    for number in range(3):
        other_client = Visitor.of(user_agent=FIREFOX, address=f"198.51.{number}.1")
        with pytest.raises(WrongPassword):
            await sharing.unlock(link_id, "guess", other_client)
    with pytest.raises(TooManyAttempts) as throttled:
        await sharing.unlock(link_id, "pw", VISITOR)
    assert throttled.value.retry_after_seconds == 15 * 60
    clock.now += timedelta(minutes=15)
    assert (await sharing.unlock(link_id, "pw", VISITOR))[0]


async def test_wrong_passwords_are_throttled_per_client_across_links(sharing, report, clock):
    link_ids = [(await sharing.create("alice", report.item_id, password="pw"))[1] for _ in range(3)]
    guesses = [
        (link_ids[number % 3], Visitor.of(user_agent=None, address=f"203.0.113.{number}")) for number in range(5)
    ]
    for link_id, visitor in guesses:
        with pytest.raises(WrongPassword):
            await sharing.unlock(link_id, "guess", visitor)
    clock.now += timedelta(minutes=5)
    with pytest.raises(TooManyAttempts) as throttled:
        await sharing.unlock(link_ids[0], "pw", Visitor.of(user_agent=None, address="203.0.113.250"))
    assert throttled.value.retry_after_seconds == 10 * 60
    assert (await sharing.unlock(link_ids[0], "pw", Visitor.of(user_agent=None, address="192.0.2.1")))[0]


async def test_the_log_records_opens_downloads_and_refusals_with_a_coarse_client(sharing, report, links, clock):
    link, link_id = await sharing.create("alice", report.item_id, password="pw", download_limit=1)
    visitor = Visitor.of(user_agent=FIREFOX, address="2001:db8:1234:5678::9")
    with pytest.raises(PasswordRequired):
        await sharing.open(link_id, visitor, unlock=None)
    with pytest.raises(WrongPassword):
        await sharing.unlock(link_id, "nope", visitor)
    token, _ = await sharing.unlock(link_id, "pw", visitor)
    await sharing.open(link_id, visitor, unlock=token)
    await sharing.download(link_id, visitor, unlock=token)
    with pytest.raises(LinkExhausted):
        await sharing.download(link_id, VISITOR, unlock=token)
    stored, entries, cursor = await sharing.read_log("alice", link.link_ref, limit=10, cursor=None)
    assert [(entry.event, entry.reason) for entry in reversed(entries)] == [
        (AccessEvent.REFUSED, RefusalReason.PASSWORD_REQUIRED),
        (AccessEvent.REFUSED, RefusalReason.WRONG_PASSWORD),
        (AccessEvent.OPEN, None),
        (AccessEvent.DOWNLOAD, None),
        (AccessEvent.REFUSED, RefusalReason.EXHAUSTED),
    ]
    assert {(entry.browser, entry.network) for entry in entries} == {
        ("Firefox", "2001:db8:1234::/48"),
        ("Firefox", "203.0.113.0/24"),
    }
    stored_text = repr(links.logs) + repr(links.links) + repr(links.attempts)
    assert "203.0.113.77" not in stored_text and "5678" not in stored_text and FIREFOX not in stored_text
    assert (stored.open_count, stored.download_count, stored.refused_count) == (1, 1, 3)
    assert stored.last_access_at == clock.now.isoformat()
    assert cursor is None
    assert entries[0].forget_at == (clock.now + timedelta(days=30)).isoformat()


async def test_the_log_is_paged_and_only_its_owner_reads_it(sharing, report, clock):
    link, link_id = await sharing.create("alice", report.item_id)
    for _ in range(5):
        await sharing.open(link_id, VISITOR, unlock=None)
        clock.now += timedelta(seconds=1)
    _, first, cursor = await sharing.read_log("alice", link.link_ref, limit=3, cursor=None)
    _, rest, end = await sharing.read_log("alice", link.link_ref, limit=3, cursor=cursor)
    assert len(first) == 3 and len(rest) == 2 and end is None
    assert [entry.at for entry in first + rest] == sorted((entry.at for entry in first + rest), reverse=True)
    with pytest.raises(LinkNotFound):
        await sharing.read_log("bob", link.link_ref, limit=3, cursor=None)
    with pytest.raises(InvalidCursor):
        await sharing.read_log("alice", link.link_ref, limit=3, cursor="not a key")


async def test_the_owner_lists_edits_and_reads_their_links(sharing, report, clock):
    made = [(await sharing.create("alice", report.item_id))[0] for _ in range(3)]
    page, cursor = await sharing.list("alice", limit=2, cursor=None)
    rest, end = await sharing.list("alice", limit=2, cursor=cursor)
    assert [link.link_ref for link in page + rest] == [link.link_ref for link in reversed(made)]
    assert end is None
    assert await sharing.list("bob", limit=2, cursor=None) == ([], None)
    edited = await sharing.update("alice", made[0].link_ref, download_limit=5, show_owner_name=True)
    assert (edited.download_limit, edited.owner_name) == (5, "Alice A.")
    assert await sharing.get("alice", made[0].link_ref) == edited
    assert dataclasses.replace(edited, download_limit=None, owner_name=None) == made[0]
    for ref in ("nonsense", made[0].link_ref):
        with pytest.raises(LinkNotFound):
            await sharing.get("bob", ref)


async def test_a_folder_link_is_a_record_its_files_download_later(sharing, drive):
    folder, _ = await drive.create_folder("alice", name="Photos", parent_id=None, on_conflict=OnConflict.FAIL)
    _, link_id = await sharing.create("alice", folder.item_id)
    shown = await sharing.open(link_id, VISITOR, unlock=None)
    assert (shown.name, shown.kind.value, shown.size, shown.media_type) == ("Photos", "folder", None, None)
    with pytest.raises(LinkIsFolder):
        await sharing.download(link_id, VISITOR, unlock=None)


@pytest.mark.parametrize(
    "user_agent, family",
    [
        (FIREFOX, "Firefox"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36", "Chrome"),
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0", "Edge"),
        ("Mozilla/5.0 (X11) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 OPR/115.0", "Opera"),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 SamsungBrowser/26.0 Chrome/122.0 Safari/537.36",
            "Samsung Internet",
        ),
        ("Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/18.1 Safari/605.1.15", "Safari"),
        ("Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 CriOS/131.0 Mobile/15E148 Safari/604.1", "Chrome"),
        ("curl/8.5.0", "bot"),
        ("Googlebot/2.1 (+http://www.google.com/bot.html)", "bot"),
        ("", "other"),
        (None, "other"),
    ],
)
def test_browser_families(user_agent, family):
    assert browser_family(user_agent) == family


@pytest.mark.parametrize(
    "address, prefix",
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:1234:5678::9", "2001:db8:1234::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("fe80::1%eth0", "fe80::/48"),
        ("not an address", "unknown"),
        (None, "unknown"),
    ],
)
def test_network_prefixes_never_keep_the_address(address, prefix):
    assert network_prefix(address) == prefix


async def test_listings_and_search_mark_the_items_with_a_live_link_in_one_read_per_page(
    drive, sharing, links, report, clock, monkeypatch
):
    folder, _ = await drive.create_folder("alice", name="Photos", parent_id=None, on_conflict=OnConflict.FAIL)
    link, _ = await sharing.create("alice", folder.item_id)
    await sharing.create("alice", report.item_id, expires_at=clock.now + timedelta(days=1))
    reads = []
    shared_items = links.shared_items

    async def counted(owner_id, item_ids, now):
        reads.append(list(item_ids))
        return await shared_items(owner_id, item_ids, now)

    monkeypatch.setattr(links, "shared_items", counted)

    async def marked():
        page = await drive.list_children(
            "alice", None, sort=SortField.NAME, descending=False, kinds=list(ItemKind), limit=10, cursor=None
        )
        return {item.name for item in page.items if item.item_id in page.shared}

    assert await marked() == {"Photos", "report.pdf"}
    assert len(reads) == 1 and sorted(reads[0]) == sorted([folder.item_id, report.item_id])
    found = await drive.search("alice", "photo", limit=10, cursor=None)
    assert found.shared == {folder.item_id}

    await sharing.revoke("alice", link.link_ref)
    clock.now += timedelta(days=1)
    assert await marked() == set()
