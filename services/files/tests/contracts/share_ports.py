"""What every ShareLinkStore must do, written once: the fake and SQLite in the unit tier, DynamoDB
(moto) in the integration tier."""

import asyncio
import dataclasses
import secrets

import pytest

from scloud_files.domain import (
    AccessEntry,
    AccessEvent,
    FileIdGenerator,
    ItemKind,
    LinkNotFound,
    RefusalReason,
    ShareLink,
    link_attempts_key,
    link_hash,
)
from scloud_files.ports import ShareLinkStore

new_id = FileIdGenerator()
NOW = "2026-11-25T09:30:00+00:00"
LATER = "2026-12-02T09:30:00+00:00"


def a_link(*, owner_id: str = "alice", download_limit: int | None = None, expires_at: str = LATER) -> ShareLink:
    return ShareLink(
        link_ref=new_id(),
        token_hash=link_hash(secrets.token_urlsafe(16)),
        owner_id=owner_id,
        item_id=new_id(),
        item_kind=ItemKind.FILE,
        created_at=NOW,
        expires_at=expires_at,
        forget_at="2027-01-01T09:30:00+00:00",
        download_limit=download_limit,
    )


def an_entry(at: str, event: AccessEvent = AccessEvent.OPEN, reason: RefusalReason | None = None) -> AccessEntry:
    return AccessEntry(
        key=f"{at}#{new_id()}",
        at=at,
        event=event,
        reason=reason,
        browser="Firefox",
        network="203.0.113.0/24",
        forget_at="2026-12-25T09:30:00+00:00",
    )


class ShareLinkStoreContract:
    @pytest.fixture
    def links(self) -> ShareLinkStore:
        raise NotImplementedError

    async def test_a_link_is_found_by_its_hash_and_by_its_owners_ref_only(self, links):
        link = dataclasses.replace(a_link(), password_hash="fast$x", owner_name="Alice")
        await links.add(link)
        assert await links.find(link.token_hash) == link
        assert await links.get("alice", link.link_ref) == link
        assert await links.get("bob", link.link_ref) is None
        assert await links.find(link_hash("another id")) is None

    async def test_the_owners_links_come_newest_first_a_page_at_a_time(self, links):
        made = [a_link() for _ in range(5)]
        for link in made:
            await links.add(link)
        await links.add(a_link(owner_id="bob"))
        page, cursor = await links.list_owned("alice", limit=3, after_ref=None)
        assert [link.link_ref for link in page] == [link.link_ref for link in reversed(made[2:])]
        rest, end = await links.list_owned("alice", limit=3, after_ref=cursor)
        assert [link.link_ref for link in rest] == [made[1].link_ref, made[0].link_ref]
        assert end is None
        assert await links.list_owned("carol", limit=3, after_ref=None) == ([], None)

    async def test_settings_change_and_counters_stay(self, links):
        link = a_link(download_limit=3)
        await links.add(link)
        assert await links.count_download(link.token_hash, NOW)
        edited = dataclasses.replace(
            link,
            expires_at="2026-11-30T00:00:00+00:00",
            forget_at="2026-12-30T00:00:00+00:00",
            password_hash="fast$y",
            download_limit=None,
            owner_name="A.",
            revoked_at=NOW,
        )
        await links.update_settings(edited)
        assert await links.find(link.token_hash) == dataclasses.replace(edited, download_count=1)
        with pytest.raises(LinkNotFound):
            await links.update_settings(a_link())

    async def test_downloads_are_counted_up_to_the_limit_and_never_past_it(self, links):
        link = a_link(download_limit=3)
        await links.add(link)
        outcomes = await asyncio.gather(*(links.count_download(link.token_hash, NOW) for _ in range(6)))
        assert sorted(outcomes) == [False, False, False, True, True, True]
        assert (await links.find(link.token_hash)).download_count == 3

    async def test_no_download_is_counted_on_a_revoked_or_expired_or_unknown_link(self, links):
        revoked, expired, unlimited = a_link(), a_link(expires_at=NOW), a_link()
        for link in (revoked, expired, unlimited):
            await links.add(link)
        await links.update_settings(dataclasses.replace(revoked, revoked_at=NOW))
        assert not await links.count_download(revoked.token_hash, NOW)
        assert not await links.count_download(expired.token_hash, NOW)
        assert not await links.count_download(link_hash("unknown"), NOW)
        for _ in range(4):
            assert await links.count_download(unlimited.token_hash, NOW)
        assert (await links.find(revoked.token_hash)).download_count == 0
        assert (await links.find(unlimited.token_hash)).download_count == 4

    async def test_the_log_keeps_each_access_newest_first_and_counts_opens_and_refusals(self, links):
        link, other = a_link(), a_link()
        await links.add(link)
        await links.add(other)
        entries = [
            an_entry("2026-11-25T10:00:00+00:00"),
            an_entry("2026-11-25T10:01:00+00:00", AccessEvent.REFUSED, RefusalReason.WRONG_PASSWORD),
            an_entry("2026-11-25T10:02:00+00:00", AccessEvent.DOWNLOAD),
            an_entry("2026-11-25T10:03:00+00:00"),
        ]
        for entry in entries:
            await links.record_access(link, entry)
        await links.record_access(other, an_entry("2026-11-25T11:00:00+00:00"))
        page, cursor = await links.access_log(link, limit=3, after_key=None)
        assert page == list(reversed(entries[1:]))
        rest, end = await links.access_log(link, limit=3, after_key=cursor)
        assert (rest, end) == ([entries[0]], None)
        stored = await links.find(link.token_hash)
        assert (stored.open_count, stored.refused_count, stored.download_count) == (2, 1, 0)
        assert stored.last_access_at == "2026-11-25T10:03:00+00:00"

    async def test_failed_attempts_are_counted_per_key_and_window(self, links):
        window, next_window = "2026-11-25T09:30:00+00:00", "2026-11-25T09:45:00+00:00"
        forget = "2026-11-25T10:00:00+00:00"
        assert await links.failed_attempts("link#a", window) == 0
        counts = await asyncio.gather(
            *(links.count_failed_attempt("link#a", window, forget_at=forget) for _ in range(4))
        )
        assert sorted(counts) == [1, 2, 3, 4]
        assert await links.failed_attempts("link#a", window) == 4
        assert await links.failed_attempts("link#a", next_window) == 0
        assert await links.failed_attempts("client#203.0.113.0/24", window) == 0

    async def test_deleting_an_owners_links_takes_their_logs_and_windows_and_spares_others(self, links):
        gone, other_item = a_link(), a_link()
        kept = a_link(owner_id="bob")
        for link in (gone, other_item, kept):
            await links.add(link)
            await links.record_access(link, an_entry(NOW))
            await links.count_failed_attempt(link_attempts_key(link.token_hash), NOW, forget_at=LATER)
        await links.count_failed_attempt("client#203.0.113.0/24", NOW, forget_at=LATER)

        assert await links.delete_links("alice", item_id=gone.item_id) == 1
        assert await links.find(gone.token_hash) is None
        assert await links.get("alice", gone.link_ref) is None
        assert await links.access_log(gone, limit=10, after_key=None) == ([], None)
        assert await links.failed_attempts(link_attempts_key(gone.token_hash), NOW) == 0
        assert await links.find(other_item.token_hash) == (await links.get("alice", other_item.link_ref))

        assert await links.delete_links("alice") == 1
        assert await links.list_owned("alice", limit=10, after_ref=None) == ([], None)
        assert await links.find(other_item.token_hash) is None
        assert await links.access_log(other_item, limit=10, after_key=None) == ([], None)
        assert await links.failed_attempts(link_attempts_key(other_item.token_hash), NOW) == 0
        assert await links.delete_links("alice") == 0

        assert await links.find(kept.token_hash) is not None
        assert len((await links.access_log(kept, limit=10, after_key=None))[0]) == 1
        assert await links.failed_attempts(link_attempts_key(kept.token_hash), NOW) == 1
        assert await links.failed_attempts("client#203.0.113.0/24", NOW) == 1

    async def test_shared_items_are_those_of_the_asked_with_a_link_neither_revoked_nor_expired(self, links):
        live, revoked, expired, used_up = a_link(), a_link(), a_link(expires_at=NOW), a_link(download_limit=1)
        second = dataclasses.replace(a_link(), item_id=live.item_id)
        for link in (live, second, revoked, expired, used_up, a_link(owner_id="bob")):
            await links.add(link)
        await links.update_settings(dataclasses.replace(revoked, revoked_at=NOW))
        assert await links.count_download(used_up.token_hash, NOW)
        unshared = new_id()
        asked = [live.item_id, revoked.item_id, expired.item_id, used_up.item_id, unshared]

        assert await links.shared_items("alice", asked, NOW) == {live.item_id, used_up.item_id}
        assert await links.shared_items("bob", asked, NOW) == set()
        assert await links.shared_items("alice", [], NOW) == set()
        # One of two links revoked, the item is still shared; its expiry moved into the past, not.
        await links.update_settings(dataclasses.replace(second, revoked_at=NOW))
        assert await links.shared_items("alice", [live.item_id], NOW) == {live.item_id}
        await links.update_settings(dataclasses.replace(live, expires_at=NOW))
        assert await links.shared_items("alice", [live.item_id], NOW) == set()
        assert await links.shared_items("alice", [used_up.item_id], LATER) == set()

    async def test_an_items_links_deleted_leave_it_unshared(self, links):
        link = a_link()
        await links.add(link)
        await links.delete_links("alice", item_id=link.item_id)
        assert await links.shared_items("alice", [link.item_id], NOW) == set()
        again = dataclasses.replace(a_link(), item_id=link.item_id)
        await links.add(again)
        assert await links.shared_items("alice", [link.item_id], NOW) == {link.item_id}
        await links.delete_links("alice")
        assert await links.shared_items("alice", [link.item_id], NOW) == set()
