"""What every FileRequestStore must do, written once: the fake and SQLite in the unit tier,
DynamoDB (moto) in the integration tier."""

import asyncio
import dataclasses
import secrets

import pytest

from scloud_files.domain import (
    MAX_NOTICE_FILES,
    FileIdGenerator,
    FileRequest,
    ReceivedFile,
    RequestNotFound,
    link_hash,
)
from scloud_files.ports import FileRequestStore

new_id = FileIdGenerator()
NOW = "2026-11-25T09:30:00+00:00"
SOON = "2026-11-25T09:45:00+00:00"
LATER = "2026-12-02T09:30:00+00:00"


def a_request(*, owner_id: str = "alice", max_total_bytes: int | None = None, folder_id: str = "") -> FileRequest:
    return FileRequest(
        request_ref=new_id(),
        token_hash=link_hash(secrets.token_urlsafe(16)),
        owner_id=owner_id,
        folder_id=folder_id or new_id(),
        created_at=NOW,
        expires_at=LATER,
        forget_at="2027-01-01T09:30:00+00:00",
        max_file_bytes=100,
        max_total_bytes=max_total_bytes,
    )


def received(name: str, note: str | None = None) -> ReceivedFile:
    return ReceivedFile(name, 10, NOW, note)


class FileRequestStoreContract:
    @pytest.fixture
    def requests(self) -> FileRequestStore:
        raise NotImplementedError

    async def test_a_request_is_found_by_its_hash_and_by_its_owners_ref_only(self, requests):
        request = dataclasses.replace(a_request(max_total_bytes=500), owner_name="Alice")
        await requests.add(request)
        assert await requests.find(request.token_hash) == request
        assert await requests.get("alice", request.request_ref) == request
        assert await requests.get("bob", request.request_ref) is None
        assert await requests.find(link_hash("another id")) is None

    async def test_the_owners_requests_come_newest_first_a_page_at_a_time(self, requests):
        made = [a_request() for _ in range(4)]
        for request in made:
            await requests.add(request)
        await requests.add(a_request(owner_id="bob"))
        page, cursor = await requests.list_owned("alice", limit=3, after_ref=None)
        assert [r.request_ref for r in page] == [r.request_ref for r in reversed(made[1:])]
        rest, end = await requests.list_owned("alice", limit=3, after_ref=cursor)
        assert [r.request_ref for r in rest] == [made[0].request_ref]
        assert end is None

    async def test_settings_change_and_what_was_received_stays(self, requests):
        request = a_request(max_total_bytes=100)
        await requests.add(request)
        assert await requests.receive(request.token_hash, 40, now=NOW)
        changed = dataclasses.replace(
            request,
            expires_at="2026-12-01T09:30:00+00:00",
            forget_at="2026-12-31T09:30:00+00:00",
            max_file_bytes=50,
            max_total_bytes=60,
            owner_name="Alice",
            revoked_at=NOW,
        )
        await requests.update_settings(changed)
        found = await requests.find(request.token_hash)
        assert found == dataclasses.replace(changed, bytes_received=40, files_received=1)
        await requests.update_settings(dataclasses.replace(found, max_total_bytes=None, owner_name=None))
        assert (await requests.find(request.token_hash)).max_total_bytes is None
        with pytest.raises(RequestNotFound):
            await requests.update_settings(a_request())

    async def test_the_total_is_never_passed_and_a_closed_request_receives_nothing(self, requests):
        request = a_request(max_total_bytes=100)
        await requests.add(request)
        assert await requests.receive(request.token_hash, 60, now=NOW)
        assert not await requests.receive(request.token_hash, 41, now=NOW)
        assert await requests.receive(request.token_hash, 40, now=NOW)
        assert not await requests.receive(request.token_hash, 1, now=NOW)
        await requests.give_back(request.token_hash, 40)
        found = await requests.find(request.token_hash)
        assert (found.bytes_received, found.files_received) == (60, 1)
        # A lower total set after files came closes the request to more.
        await requests.update_settings(dataclasses.replace(found, max_total_bytes=50))
        assert not await requests.receive(request.token_hash, 1, now=NOW)
        await requests.update_settings(dataclasses.replace(found, max_total_bytes=70))
        assert await requests.receive(request.token_hash, 10, now=NOW)
        assert not await requests.receive(request.token_hash, 1, now=LATER)
        await requests.update_settings(dataclasses.replace(found, max_total_bytes=None, revoked_at=NOW))
        assert not await requests.receive(request.token_hash, 1, now=NOW)
        assert not await requests.receive(link_hash("unknown"), 1, now=NOW)

    async def test_without_a_total_only_the_files_are_counted(self, requests):
        request = a_request()
        await requests.add(request)
        for _ in range(3):
            assert await requests.receive(request.token_hash, 10**9, now=NOW)
        assert (await requests.find(request.token_hash)).bytes_received == 3 * 10**9

    async def test_concurrent_completions_never_pass_the_total(self, requests):
        request = a_request(max_total_bytes=50)
        await requests.add(request)
        results = await asyncio.gather(*(requests.receive(request.token_hash, 10, now=NOW) for _ in range(8)))
        assert results.count(True) == 5
        assert (await requests.find(request.token_hash)).bytes_received == 50

    async def test_a_notice_gathers_files_until_it_is_due_and_cleared(self, requests):
        request, other = a_request(), a_request()
        for each in (request, other):
            await requests.add(each)
        await requests.add_notice(request.token_hash, received("a.txt", "hi"), due_at=SOON)
        await requests.add_notice(request.token_hash, received("b.txt"), due_at=LATER)
        assert await requests.due_notices(NOW, limit=10) == []
        (due,) = await requests.due_notices(SOON, limit=10)
        assert due.token_hash == request.token_hash
        assert due.notice_pending == (received("a.txt", "hi"), received("b.txt"))
        assert due.notice_due_at == SOON
        # A file arriving while the notice goes stays for the next one, due an interval later.
        await requests.add_notice(request.token_hash, received("c.txt"), due_at=LATER)
        await requests.clear_notice(due, next_due_at=LATER)
        assert await requests.due_notices(SOON, limit=10) == []
        (next_due,) = await requests.due_notices(LATER, limit=10)
        assert next_due.notice_pending == (received("c.txt"),)
        await requests.clear_notice(next_due, next_due_at="2026-12-09T09:30:00+00:00")
        assert await requests.due_notices("2027-01-01T00:00:00+00:00", limit=10) == []
        assert (await requests.find(request.token_hash)).notice_pending == ()

    async def test_a_notice_lists_a_bounded_number_of_files_and_counts_the_rest(self, requests):
        request = a_request()
        await requests.add(request)
        for number in range(MAX_NOTICE_FILES + 2):
            await requests.add_notice(request.token_hash, received(f"{number}.txt"), due_at=SOON)
        (due,) = await requests.due_notices(SOON, limit=10)
        assert len(due.notice_pending) == MAX_NOTICE_FILES
        assert due.notice_more == 2
        await requests.clear_notice(due, next_due_at=LATER)
        assert (await requests.find(request.token_hash)).notice_more == 0
        assert await requests.due_notices(LATER, limit=10) == []

    async def test_deleting_an_owners_requests_leaves_the_others(self, requests):
        folder = new_id()
        into_folder, elsewhere, bobs = a_request(folder_id=folder), a_request(), a_request(owner_id="bob")
        for each in (into_folder, elsewhere, bobs):
            await requests.add(each)
        await requests.add_notice(into_folder.token_hash, received("a.txt"), due_at=SOON)
        assert await requests.delete_requests("alice", folder_id=folder) == 1
        assert await requests.find(into_folder.token_hash) is None
        assert await requests.due_notices(SOON, limit=10) == []
        assert await requests.find(elsewhere.token_hash) is not None
        assert await requests.delete_requests("alice") == 1
        assert await requests.delete_requests("alice") == 0
        assert await requests.get("alice", elsewhere.request_ref) is None
        assert await requests.find(bobs.token_hash) == bobs
