"""Password hashing runs on its own small pool, and refuses work it could not start soon."""

import asyncio
import threading

import bcrypt
import httpx
import pytest
from fastapi import FastAPI

from scloud_common.password_hash import BcryptPasswordHasher, HasherBusy
from scloud_common.web import HTTP_STATUS, install_error_handlers


@pytest.fixture
async def hasher():
    hasher = BcryptPasswordHasher(10, workers=1, max_waiting=1)
    yield hasher
    await hasher.close()


async def test_hash_and_verify(hasher):
    password_hash = await hasher.hash("Secret pass 1")
    assert await hasher.verify("Secret pass 1", password_hash)
    assert not await hasher.verify("Wrong pass 1", password_hash)
    assert not await hasher.verify("x" * 73, password_hash)
    assert not hasher.needs_rehash(password_hash)


async def test_passwords_longer_than_bcrypts_72_bytes_count_to_the_last_character(hasher):
    long_password = "é" * 40 + "tail 1"
    password_hash = await hasher.hash(long_password)
    assert await hasher.verify(long_password, password_hash)
    assert not await hasher.verify("é" * 40 + "tail 2", password_hash)


async def test_hashes_of_the_old_plain_bcrypt_scheme_verify_and_ask_for_a_rehash(hasher):
    old_hash = bcrypt.hashpw(b"Secret pass 1", bcrypt.gensalt(10)).decode()
    assert await hasher.verify("Secret pass 1", old_hash)
    assert not await hasher.verify("Secret pass 2", old_hash)
    assert hasher.needs_rehash(old_hash)


async def test_a_hash_of_another_cost_asks_for_a_rehash(hasher):
    cheaper = BcryptPasswordHasher(11, workers=1, max_waiting=0)
    try:
        other_cost = await cheaper.hash("Secret pass 1")
    finally:
        await cheaper.close()
    assert await hasher.verify("Secret pass 1", other_cost)
    assert hasher.needs_rehash(other_cost)


async def test_a_flood_beyond_pool_and_queue_is_refused_at_once(hasher):
    password_hash = await hasher.hash("Secret pass 1")
    finished = []

    async def verify() -> bool | HasherBusy:
        try:
            outcome: bool | HasherBusy = await hasher.verify("Secret pass 1", password_hash)
        except HasherBusy as busy:
            outcome = busy
        finished.append(outcome)
        return outcome

    results = await asyncio.gather(*(verify() for _ in range(6)))
    assert results.count(True) == 2
    refused = [result for result in results if isinstance(result, HasherBusy)]
    assert len(refused) == 4
    assert HTTP_STATUS[HasherBusy.kind] == 503
    assert all(result.retry_after_seconds >= 1 for result in refused)
    # "At once": every refusal came back before either admitted check finished, without waiting
    # for a slot (an ordering, so a busy machine cannot make it flaky).
    assert all(isinstance(outcome, HasherBusy) for outcome in finished[:4])


async def test_other_blocking_work_is_not_starved_while_hashing_is_saturated(hasher, monkeypatch):
    gate = threading.Event()

    def held_check(password: str, password_hash: str) -> bool:
        gate.wait(60)
        return True

    monkeypatch.setattr(hasher, "_verify_sync", held_check)
    flood = asyncio.gather(*(hasher.verify("Secret pass 1", "hash") for _ in range(2)), return_exceptions=True)
    try:
        # Both hashing slots are held until the gate opens: the loop's default executor must
        # still run other blocking work meanwhile.
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "done"), timeout=30) == "done"
        assert not gate.is_set()
    finally:
        gate.set()
    assert await flood == [True, True]


async def test_the_busy_answer_carries_retry_after_over_http():
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/busy")
    async def busy() -> None:
        raise HasherBusy(retry_after_seconds=3)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/busy")
    assert (response.status_code, response.headers["retry-after"]) == (503, "3")
    assert response.json()["error"]["code"] == "busy"
