"""Many ZIP downloads at once, some of them read slowly or not at all, never keep the files
service from answering anyone else, and it recovers by itself. Six concurrent downloads once
parked every thread of the loop's default executor, which every S3 and DynamoDB call also
needed: from then on nothing answered, until a restart."""

import asyncio
import io
import os
import time
import zipfile

import httpx
import pytest

from scloud_files.http.app import create_app
from tests.harness import loopback_config, serve_in_thread

pytestmark = pytest.mark.integration

USERS = [f"zipper{number}" for number in range(5)]
FILES_PER_USER = 6
FILE_BYTES = 384 * 1024
DOWNLOADS_PER_USER = 4
SLOW_READERS = 8
# Every answer to the other user must come within the request deadline (8 s) and some margin.
REQUEST_BOUND_SECONDS = 10.0
RECOVERY_BOUND_SECONDS = 60.0
STALL_SECONDS = 2.0


@pytest.fixture
def service(settings):
    bounded = settings.model_copy(
        update={"archive_max_concurrent": 8, "archive_max_per_user": 3, "archive_stall_seconds": STALL_SECONDS}
    )
    with serve_in_thread(loopback_config(create_app(bounded))) as (running,):
        yield running


async def fill_folder(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    folder = await client.post("/api/folders", json={"name": "Album"}, headers=headers)
    assert folder.status_code == 201, folder.text
    for number in range(FILES_PER_USER):
        uploaded = await client.post(
            "/api/files/upload",
            params={"parentId": folder.json()["id"]},
            files={"file": (f"part{number}.bin", os.urandom(FILE_BYTES), "application/octet-stream")},
            headers=headers,
        )
        assert uploaded.status_code == 201, uploaded.text
    return str(folder.json()["id"])


async def archive_url(client: httpx.AsyncClient, headers: dict[str, str], folder_id: str) -> str:
    link = await client.post("/api/files/archive", json={"ids": [folder_id]}, headers=headers)
    assert link.status_code == 200, link.text
    return str(link.json()["url"])


async def read_whole(client: httpx.AsyncClient, url: str) -> int | str:
    """The archive's member count, or the error code of a refusal (which must say when to retry)."""
    async with client.stream("GET", url) as response:
        if response.status_code != 200:
            body = await response.aread()
            assert response.status_code in (429, 503) and "retry-after" in response.headers, body
            return str(response.json()["error"]["code"])
        content = await response.aread()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return len(archive.namelist())


async def read_slowly(client: httpx.AsyncClient, url: str, started: asyncio.Event, done: asyncio.Event) -> None:
    """Takes the first bytes, then stops reading (the connection stays open) until told."""
    async with client.stream("GET", url) as response:
        if response.status_code == 200:
            await anext(response.aiter_raw())
        started.set()
        await done.wait()


async def bounded(request) -> httpx.Response:
    started = time.monotonic()
    async with asyncio.timeout(REQUEST_BOUND_SECONDS):
        response = await request
    assert time.monotonic() - started < REQUEST_BOUND_SECONDS
    return response


async def other_user_works(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    for number in range(5):
        uploaded = await bounded(
            client.post(
                "/api/files/upload",
                files={"file": (f"note{number}.txt", b"hello", "text/plain")},
                headers=headers,
            )
        )
        assert uploaded.status_code == 201, uploaded.text
        listed = await bounded(client.get("/api/folders/root/children", headers=headers))
        assert listed.status_code == 200, listed.text
        assert (await bounded(client.get("/readyz"))).status_code == 200


async def until_an_archive_downloads(client: httpx.AsyncClient, headers: dict[str, str], folder_id: str) -> int:
    async with asyncio.timeout(RECOVERY_BOUND_SECONDS):
        while True:
            outcome = await read_whole(client, await archive_url(client, headers, folder_id))
            if isinstance(outcome, int):
                return outcome
            await asyncio.sleep(0.2)


async def test_twenty_downloads_some_read_slowly_never_wedge_the_service(service, make_token):
    headers = {user: {"Authorization": f"Bearer {make_token(user)}"} for user in [*USERS, "bob", "carol"]}
    async with httpx.AsyncClient(base_url=service.url, timeout=RECOVERY_BOUND_SECONDS) as client:
        folders = {user: await fill_folder(client, headers[user]) for user in [*USERS, "carol"]}
        urls = [
            await archive_url(client, headers[user], folders[user]) for user in USERS for _ in range(DOWNLOADS_PER_USER)
        ]
        done = asyncio.Event()
        slow_started = [asyncio.Event() for _ in range(SLOW_READERS)]
        slow = [
            asyncio.create_task(read_slowly(client, url, event, done))
            for url, event in zip(urls[:SLOW_READERS], slow_started, strict=True)
        ]
        fast = [asyncio.create_task(read_whole(client, url)) for url in urls[SLOW_READERS:]]
        try:
            async with asyncio.timeout(RECOVERY_BOUND_SECONDS):
                await asyncio.gather(*(event.wait() for event in slow_started))
            await other_user_works(client, headers["bob"])
            outcomes = await asyncio.gather(*fast)
            assert all(outcome in (FILES_PER_USER + 1, "too_many_archives", "busy") for outcome in outcomes)
            # The slow readers still hold their connections: their threads were given back.
            assert await until_an_archive_downloads(client, headers["carol"], folders["carol"]) == FILES_PER_USER + 1
            assert (await bounded(client.get("/healthz"))).status_code == 200
        finally:
            done.set()
            await asyncio.gather(*slow, return_exceptions=True)
