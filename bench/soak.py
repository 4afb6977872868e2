"""Soak test: simulated users doing the whole flow through the gateway, every file checked at the end.

Starts the whole product as `make run` does (scripts/stack.py: SeaweedFS, the three services on
SQLite, Nginx) on free ports. Each simulated user is a separate client (its own 127.0.0.x source address,
so the gateway's per-client sign-in limit treats them as the different people they stand for):
it registers and signs in (two users at a time), then, once all have, until the time is up uploads a file, lists its files, downloads one
through its presigned link (checking its SHA-256) and deletes every third upload. At the end every
file whose upload was acknowledged and not deleted is downloaded again and checked by SHA-256, the
listing must hold exactly those, and the account is deleted.

Prints requests, errors (by step and status), lost or corrupt files and p50/p95 latencies; exits
non-zero on any error or loss. Every request has a timeout. Not part of `make test`.
Run: `make soak`, or `.venv/bin/python bench/soak.py [--users N] [--seconds S]`.
"""

import argparse
import asyncio
import hashlib
import importlib
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "soak-test password 1"
REQUEST_TIMEOUT_SECONDS = 30.0
MAX_FILE_BYTES = 512 * 1024
SIGN_UPS_AT_ONCE = 2


def load_stack_module():
    """scripts.stack: a bench runs as `python bench/<name>.py`, so the repository root, which
    holds the `scripts` package, is put on the path first."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("scripts.stack")


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    acknowledged: int = 0
    verified: int = 0
    lost: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())


class SimulatedUser:
    def __init__(self, index: int, base_url: str, results: Results) -> None:
        self.email = f"soak-{uuid.uuid4().hex[:8]}-{index}@example.com"
        self.results = results
        # Sign-in is limited per client address; 127.0.0.0/8 gives each user its own.
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.{index // 250}.{index % 250 + 2}")
        self.api = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=REQUEST_TIMEOUT_SECONDS)
        self.storage = httpx.AsyncClient(timeout=REQUEST_TIMEOUT_SECONDS)
        self.files: dict[str, str] = {}  # acknowledged and not deleted: file id -> SHA-256
        self.rng = random.Random(index)

    async def call(
        self, step: str, method: str, url: str, expected: int, *, client=None, **kwargs
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await (client or self.api).request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            self.results.errors[(step, type(exc).__name__)] += 1
            return None
        finally:
            self.results.latencies[step].append(time.perf_counter() - started)
        if response.status_code != expected:
            self.results.errors[(step, response.status_code)] += 1
            return None
        return response

    async def sign_up(self, arrivals: asyncio.Semaphore) -> bool:
        async with arrivals:
            return await self._sign_up()

    async def _sign_up(self) -> bool:
        registered = await self.call(
            "register",
            "POST",
            "/api/v1/auth/register",
            201,
            json={"email": self.email, "username": "Soak", "password": PASSWORD},
        )
        signed_in = await self.call(
            "login", "POST", "/api/v1/auth/login", 200, json={"email": self.email, "password": PASSWORD}
        )
        if registered is None or signed_in is None:
            return False
        self.api.headers["Authorization"] = f"Bearer {signed_in.json()['accessToken']}"
        return True

    async def download(self, step: str, file_id: str) -> bytes | None:
        link = await self.call(f"{step} link", "GET", f"/api/v1/files/{file_id}/download", 200)
        if link is None:
            return None
        body = await self.call(step, "GET", link.json()["url"], 200, client=self.storage)
        return body.content if body is not None else None

    async def run(self, stop_at: float) -> None:
        uploads = 0
        while time.monotonic() < stop_at:
            data = os.urandom(self.rng.randint(1, MAX_FILE_BYTES))
            uploaded = await self.call(
                "upload",
                "POST",
                "/api/v1/files/upload",
                201,
                files={"file": (f"f{uploads}.bin", data, "application/octet-stream")},
            )
            uploads += 1
            if uploaded is not None:
                self.files[uploaded.json()["id"]] = hashlib.sha256(data).hexdigest()
                self.results.acknowledged += 1
            await self.call("list", "GET", "/api/v1/files", 200, params={"limit": 20})
            if self.files:
                file_id = self.rng.choice(list(self.files))
                content = await self.download("download", file_id)
                if content is not None and hashlib.sha256(content).hexdigest() != self.files[file_id]:
                    self.results.errors[("download", "corrupt")] += 1
            if uploaded is not None and uploads % 3 == 0:
                file_id = uploaded.json()["id"]
                if await self.call("delete", "DELETE", f"/api/v1/files/{file_id}", 204) is not None:
                    del self.files[file_id]

    async def verify_and_leave(self) -> None:
        listed: set[str] = set()
        cursor = None
        while True:
            page = await self.call(
                "verify list",
                "GET",
                "/api/v1/files",
                200,
                params={"limit": 100, **({"cursor": cursor} if cursor else {})},
            )
            if page is None:
                break
            listed |= {item["id"] for item in page.json()["items"]}
            cursor = page.json()["nextCursor"]
            if not cursor:
                break
        for file_id, digest in self.files.items():
            content = await self.download("verify download", file_id)
            if content is not None and hashlib.sha256(content).hexdigest() == digest and file_id in listed:
                self.results.verified += 1
            else:
                self.results.lost.append(f"{self.email}/{file_id}")
        if listed - set(self.files):
            self.results.errors[("verify list", "deleted file still listed")] += len(listed - set(self.files))
        # The account deletion asks for the password (ignored by servers that do not ask yet).
        await self.call("delete account", "DELETE", "/api/v1/users/me", 204, json={"password": PASSWORD})

    async def aclose(self) -> None:
        await self.api.aclose()
        await self.storage.aclose()


async def soak(base_url: str, users: int, seconds: float) -> Results:
    results = Results()
    simulated = [SimulatedUser(index, base_url, results) for index in range(users)]
    try:
        # Users arrive a few at a time: each sign-up costs two bcrypt hashes (~1 s of CPU here), and
        # 40 at once would queue past the services' 8 s request deadline on a 2-core machine.
        arrivals = asyncio.Semaphore(SIGN_UPS_AT_ONCE)
        signed_up = await asyncio.gather(*(user.sign_up(arrivals) for user in simulated))
        active = [user for user, ok in zip(simulated, signed_up, strict=True) if ok]
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(user.run(stop_at) for user in active))
        await asyncio.gather(*(user.verify_and_leave() for user in active))
    finally:
        await asyncio.gather(*(user.aclose() for user in simulated))
    return results


def report(results: Results, users: int, seconds: float) -> None:
    every = sorted(value for values in results.latencies.values() for value in values)
    print(f"Soak: {users} users for {seconds:.0f} s through the gateway")
    print(f"  requests: {results.requests}, errors: {sum(results.errors.values())}")
    print(
        f"  files acknowledged: {results.acknowledged}, verified by SHA-256 at the end: {results.verified}, "
        f"lost or corrupt: {len(results.lost)}"
    )
    if every:
        print(f"  all requests: p50 {percentile(every, 50):.0f} ms, p95 {percentile(every, 95):.0f} ms")
    for step, values in sorted(results.latencies.items()):
        values = sorted(values)
        print(
            f"    {step:<22} n={len(values):<6} p50 {percentile(values, 50):7.0f} ms   p95 {percentile(values, 95):7.0f} ms"
        )
    for (step, what), count in sorted(results.errors.items(), key=str):
        print(f"  error: {step}: {what} x{count}")
    for lost in results.lost[:20]:
        print(f"  lost: {lost}")


def percentile(sorted_values: list[float], pct: int) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0] * 1000
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[pct - 1] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=40, help="simulated users at once")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they keep going")
    args = parser.parse_args()
    stack_module = load_stack_module()
    with tempfile.TemporaryDirectory(prefix="scloud-soak-") as run_dir:
        stack = stack_module.Stack(Path(run_dir), stack_module.Ports.free())
        print("Starting the stack on free ports ...", flush=True)
        stack.start()
        try:
            base_url = f"http://127.0.0.1:{stack.ports.gateway}"
            results = asyncio.run(soak(base_url, args.users, args.seconds))
            failed = stack.failed_process()
        finally:
            stack.stop()
    report(results, args.users, args.seconds)
    if failed:
        print(f"  the {failed} process stopped during the soak")
    return 0 if not results.errors and not results.lost and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
