"""Every request but an upload is answered within its deadline, as a JSON 504."""

import asyncio
import time
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

from scloud_common.web import create_app


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield


@pytest.fixture
async def client():
    app = create_app(title="t", description="d", lifespan=lifespan, request_deadline_seconds=0.3)

    @app.get("/stalled")
    async def stalled():
        await asyncio.sleep(30)

    @app.get("/quick")
    async def quick():
        return {"ok": True}

    @app.post("/upload")
    async def upload(request: Request):
        await asyncio.sleep(0.6)
        return {"bytes": len(await request.body())}

    @app.put("/upload")
    async def put_upload(request: Request):
        await asyncio.sleep(0.6)
        return {"bytes": len(await request.body())}

    @app.get("/stream")
    async def stream():
        async def body():
            for _ in range(3):
                await asyncio.sleep(0.25)
                yield b"part;"

        return StreamingResponse(body())

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


async def test_a_stalled_request_answers_json_504_at_its_deadline(client):
    started = time.monotonic()
    response = await client.get("/stalled", headers={"X-Request-ID": "req-1"})
    assert time.monotonic() - started < 2
    assert response.status_code == 504
    assert response.json()["error"]["code"] == "service_timeout"
    assert response.headers["x-request-id"] == "req-1"


async def test_a_quick_request_is_untouched(client):
    assert (await client.get("/quick")).json() == {"ok": True}


async def test_an_upload_may_take_longer_than_the_deadline(client):
    response = await client.post("/upload", files={"file": ("a.txt", b"abc")})
    assert response.status_code == 200 and response.json()["bytes"] > 3
    non_upload = await client.post("/upload", content=b"abc", headers={"content-type": "application/octet-stream"})
    assert non_upload.status_code == 504


async def test_a_put_is_an_upload_however_its_body_is_typed(client):
    # A WebDAV client PUTs a file's bytes as they are, over a link of its own pace.
    response = await client.put("/upload", content=b"abc", headers={"content-type": "application/octet-stream"})
    assert response.status_code == 200 and response.json()["bytes"] == 3


async def test_a_streamed_body_may_outlast_the_deadline_once_it_has_started(client):
    response = await client.get("/stream")
    assert response.status_code == 200 and response.content == b"part;part;part;"
