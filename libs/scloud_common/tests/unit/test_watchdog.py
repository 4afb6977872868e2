"""The health watchdog: a thread pool that cannot run a no-op makes the process unhealthy, and
health comes back by itself once it can."""

import asyncio
import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from scloud_common.watchdog import Watchdog, watching
from scloud_common.web import create_app

BOUND_SECONDS = 10.0


def fast_watchdog(pools) -> Watchdog:
    return Watchdog(pools, interval_seconds=0.01, stale_after_seconds=0.2)


async def next_verdict(verdicts: asyncio.Queue[bool]) -> bool:
    async with asyncio.timeout(BOUND_SECONDS):
        return await verdicts.get()


async def test_a_wedged_pool_is_reported_until_it_drains_and_healthz_follows():
    pool = ThreadPoolExecutor(max_workers=1)
    release = threading.Event()
    pool.submit(release.wait, BOUND_SECONDS)
    watchdog = fast_watchdog({"archive": pool})
    verdicts: asyncio.Queue[bool] = asyncio.Queue()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        app.state.watchdog = watchdog
        yield

    app = create_app(title="t", description="d", lifespan=lifespan)
    async with (
        app.router.lifespan_context(app),
        watching(watchdog, verdicts.put),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        assert await next_verdict(verdicts) is False
        assert watchdog.problems() == ["archive"]
        wedged = await client.get("/healthz")
        assert wedged.status_code == 503 and wedged.json() == {"status": "unavailable", "stalled": ["archive"]}
        release.set()
        assert await next_verdict(verdicts) is True
        assert watchdog.problems() == []
        assert (await client.get("/healthz")).status_code == 200
    pool.shutdown()


async def test_the_default_executor_is_watched_too():
    loop = asyncio.get_running_loop()
    release = threading.Event()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    loop.run_in_executor(None, release.wait, BOUND_SECONDS)
    watchdog = fast_watchdog({})
    verdicts: asyncio.Queue[bool] = asyncio.Queue()
    async with watching(watchdog, verdicts.put):
        assert await next_verdict(verdicts) is False
        assert watchdog.problems() == ["default"]
        release.set()
        assert await next_verdict(verdicts) is True
