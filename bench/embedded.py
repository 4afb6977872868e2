"""Can the embedded stack `make run` starts hold a real drive? One run of the whole stack
(scripts.stack.Stack: SeaweedFS, the three services on SQLite, Nginx) on free ports in a temp
folder, measured as ratios against baselines taken in the same run:

- the stack's total resident memory (every process and its children: the services, SeaweedFS,
  Nginx's master and worker) empty and after 100,000 files in one account (target: grows by
  less than 300 MB);
- one upload, a folder page of 100 and `GET /api/v1/users/me` through the gateway for that account
  against the same for an account of 100 files, medians of many rounds, the two accounts' requests
  interleaved so load drifts on the shared machine hit both alike (target: each at most 1.5x);
- 4 KiB uploads against boto3 `put_object` of 4 KiB straight to the same SeaweedFS, at the same
  concurrency, the paths' rounds interleaved (target: at least 0.5x), on two paths: one
  `POST /api/v1/files/upload` each through the gateway (the API's, for scripts), and the web app's
  batches (declared and completed through the gateway, the bytes PUT straight to SeaweedFS).

The 100,000 files are seeded through the service layer: the files service's own upload use case
(name check, bytes to SeaweedFS, the row and the usage counters in one SQLite transaction) on the
stack's database and bucket, in this process. Through the API one account may have only 4 uploads
in flight (FILES_MAX_UPLOADS_PER_USER), which on this 2-core machine gave about 95 uploads/s
(17 minutes for 100,000) against about 210/s (8 minutes) for the use case at 16 at once; the
uploads that are measured, and the throughput, go through the gateway. The seeding prints its
rate per slice, so a cost that grows with the drive shows there too, and this process's own
memory before and after (the use case and the adapters it ran 100,000 times).

    .venv/bin/python bench/embedded.py [--files 100000] [--rounds 150] [--batches 6]
"""

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
import psutil

ROOT = Path(__file__).resolve().parent.parent
# A bench runs as `python bench/<name>.py`: the repository root holds the `scripts` package.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from batch_upload import BatchEntry, BatchUploadClient  # noqa: E402

from scloud_common.sqlite_store import SqliteStore  # noqa: E402
from scloud_files.adapters.s3 import S3BlobStore  # noqa: E402
from scloud_files.adapters.sqlite import MIGRATIONS, SqliteFileRepository  # noqa: E402
from scloud_files.config import FilesStorageSettings  # noqa: E402
from scloud_files.drive.use_cases import build_drive  # noqa: E402
from scripts.stack import Ports, Stack  # noqa: E402

PASSWORD = "violet harbor lantern 73 quietly"
MIB = 1024 * 1024
FOUR_KIB = os.urandom(4096)
# The files' own time the web app sends with each (File.lastModified).
MODIFIED_AT = "2026-12-01T09:00:00Z"
SEED_BYTES = b"seeded file\n"
PAGE = 100
# The web app sends 3 uploads at once and the service takes 4 per user; both paths get the same.
UPLOAD_CONCURRENCY = 4
SEED_CONCURRENCY = 16
SEED_SLICES = 10
PART_BYTES: int = FilesStorageSettings.model_fields["upload_part_bytes"].default


@dataclass
class Account:
    email: str
    token: str

    @property
    def user_id(self) -> str:
        return str(jwt.decode(self.token, options={"verify_signature": False})["sub"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def register(client: httpx.Client, label: str) -> Account:
    email = f"bench-{label}-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "username": "Bench", "password": PASSWORD}
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    return Account(email, response.json()["accessToken"])


def sign_in_again(client: httpx.Client, account: Account) -> None:
    """A fresh access token: the seeding outlasts the first one (15 minutes)."""
    response = client.post("/api/v1/auth/login", json={"email": account.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    account.token = response.json()["accessToken"]


def stack_rss(stack: Stack) -> dict[str, int]:
    """Resident bytes of each of the stack's processes, with its children (Nginx's worker)."""
    sizes: dict[str, int] = {}
    for name, process in stack.processes.items():
        parent = psutil.Process(process.pid)
        sizes[name] = sum(each.memory_info().rss for each in [parent, *parent.children(recursive=True)])
    return sizes


def stack_cpu(stack: Stack) -> dict[str, float]:
    """CPU seconds (user and system) each of the stack's processes used so far, with its children,
    and this process's own (the clients share the machine's cores with the stack)."""
    seconds: dict[str, float] = {}
    for name, process in [*stack.processes.items(), ("bench", psutil.Process())]:
        parent = psutil.Process(process.pid)
        children = parent.children(recursive=True) if name != "bench" else []
        seconds[name] = sum(each.cpu_times().user + each.cpu_times().system for each in [parent, *children])
    return seconds


def print_cpu(title: str, used: dict[str, float], uploads: int, seconds: float) -> None:
    parts = ", ".join(f"{name} {cpu * 1000 / uploads:.1f} ({cpu / seconds:.0%})" for name, cpu in used.items())
    print(f"  CPU on the {title} path, ms per upload (share of one core): {parts}")


def own_rss() -> int:
    return psutil.Process().memory_info().rss


def load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


async def seed(stack: Stack, user_id: str, count: int, *, prefix: str) -> list[float]:
    """`count` files uploaded by the files service's use case on the stack's own stores; returns
    the uploads per second of each tenth of them."""
    store = await SqliteStore.open(stack.database("files"), migrations=MIGRATIONS)
    blob_store = S3BlobStore(stack.storage_endpoint.client(), stack.bucket, part_bytes=PART_BYTES)
    drive = build_drive(
        SqliteFileRepository(store), blob_store, max_upload_bytes=stack.max_upload_bytes, download_url_ttl_seconds=300
    )
    indexes = iter(range(count))
    slice_size = max(1, count // SEED_SLICES)
    marks = [time.perf_counter()]
    done = 0

    async def body() -> AsyncIterator[bytes]:
        yield SEED_BYTES

    async def uploader() -> None:
        nonlocal done
        for index in indexes:
            await drive.upload_file(
                user_id, file_name=f"{prefix}-{index:06d}.txt", content_type="text/plain", chunks=body()
            )
            done += 1
            if done % slice_size == 0:
                marks.append(time.perf_counter())
                print(f"  {done} files, {slice_size / (marks[-1] - marks[-2]):.0f}/s [load {load()}]", flush=True)

    try:
        await asyncio.gather(*(uploader() for _ in range(SEED_CONCURRENCY)))
    finally:
        await store.close()
    return [slice_size / (end - start) for start, end in itertools.pairwise(marks)]


def upload(client: httpx.Client, account: Account, name: str) -> None:
    files = {"file": (name, FOUR_KIB, "application/octet-stream")}
    response = client.post("/api/v1/files/upload", files=files, headers=account.headers)
    assert response.status_code == 201, response.text


def read_page(client: httpx.Client, account: Account) -> None:
    params = {"limit": PAGE, "sort": "name"}
    response = client.get("/api/v1/folders/root/children", params=params, headers=account.headers)
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == PAGE


def read_profile(client: httpx.Client, account: Account) -> int:
    response = client.get("/api/v1/users/me", headers=account.headers)
    assert response.status_code == 200, response.text
    return int(response.json()["fileCount"])


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def request_medians_ms(
    client: httpx.Client, big: Account, small: Account, rounds: int
) -> dict[str, tuple[float, float]]:
    """Median ms of each request for the big and the small account. Each round asks every request
    for both, in turns, the order of the two accounts swapped every round."""
    requests: dict[str, Callable[[Account, int], object]] = {
        "upload": lambda account, round_: upload(client, account, f"measured-{round_:05d}.bin"),
        f"folder page of {PAGE}": lambda account, _: read_page(client, account),
        "/api/v1/users/me": lambda account, _: read_profile(client, account),
    }
    timings: dict[str, dict[str, list[float]]] = {name: {"big": [], "small": []} for name in requests}
    for round_ in range(rounds):
        order = [("big", big), ("small", small)] if round_ % 2 == 0 else [("small", small), ("big", big)]
        for name, request in requests.items():
            for label, account in order:
                timings[name][label].append(timed(lambda: request(account, round_)))
    return {
        name: (statistics.median(by["big"]) * 1000, statistics.median(by["small"]) * 1000)
        for name, by in timings.items()
    }


def run_parallel(work: Callable[[int], None], count: int, concurrency: int) -> float:
    """`count` calls of `work` on `concurrency` threads; returns calls per second."""
    with ThreadPoolExecutor(concurrency) as pool:
        started = time.perf_counter()
        list(pool.map(work, range(count)))
        return count / (time.perf_counter() - started)


# The paths the 4 KiB uploads are measured on: the API's one request per file (scripts, and
# what this bench first measured), the web app's (batches: the service declares and records, the
# bytes go straight to SeaweedFS; frontend/src/lib/batchUploads.ts), and the baseline.
GATEWAY, PAGE_BATCHES, PUT_OBJECT = "gateway", "page batches", "put_object"
# The web app keeps at most this many batches open at once (MAX_OPEN_BATCHES in batchUploads.ts).
PAGE_BATCHES_OPEN = 3


def throughput(
    stack: Stack, client: httpx.Client, account: Account, batches: int, batch: int
) -> dict[str, list[float]]:
    """Uploads per second of each path over boto3 put_object's, one ratio per round of
    `batch` 4 KiB files on each path at UPLOAD_CONCURRENCY, the order of the paths rotating from
    round to round."""
    s3 = stack.storage_endpoint.client()
    run = uuid.uuid4().hex[:8]
    page = BatchUploadClient(
        client,
        headers=account.headers,
        parallel=UPLOAD_CONCURRENCY,
        batch_size=stack_limits(client, account)["maxBatchFiles"],
        batches_in_flight=PAGE_BATCHES_OPEN,
    )

    def through_gateway(offset: int) -> float:
        return run_parallel(
            lambda i: upload(client, account, f"throughput-{run}-{offset + i:06d}.bin"), batch, UPLOAD_CONCURRENCY
        )

    def through_batches(offset: int) -> float:
        entries = [
            BatchEntry(f"batched-{run}-{offset + i:06d}.bin", FOUR_KIB, "application/octet-stream", MODIFIED_AT)
            for i in range(batch)
        ]
        started = time.perf_counter()
        page.upload(entries)
        return batch / (time.perf_counter() - started)

    def direct(offset: int) -> float:
        def put(index: int) -> None:
            key = f"bench-direct/{run}/{offset + index:06d}"
            s3.put_object(Bucket=stack.bucket, Key=key, Body=FOUR_KIB, ContentType="application/octet-stream")

        return run_parallel(put, batch, UPLOAD_CONCURRENCY)

    paths: dict[str, Callable[[int], float]] = {
        GATEWAY: through_gateway,
        PAGE_BATCHES: through_batches,
        PUT_OBJECT: direct,
    }
    names = list(paths)
    ratios: dict[str, list[float]] = {GATEWAY: [], PAGE_BATCHES: []}
    # CPU seconds each process used while each path's batches ran, and their wall time.
    cpu: dict[str, dict[str, float]] = {name: {} for name in names}
    wall = dict.fromkeys(names, 0.0)
    try:
        for number in range(batches):
            rates: dict[str, float] = {}
            for name in names[number % len(names) :] + names[: number % len(names)]:
                before = stack_cpu(stack)
                rates[name] = paths[name](number * batch)
                for process, seconds in stack_cpu(stack).items():
                    cpu[name][process] = cpu[name].get(process, 0.0) + seconds - before.get(process, 0.0)
                wall[name] += batch / rates[name]
            shown = ", ".join(f"{name} {rates[name]:.0f}/s" for name in names)
            print(f"  round {number + 1}: {shown}  [load {load()}]")
            for name in ratios:
                ratios[name].append(rates[name] / rates[PUT_OBJECT])
    finally:
        page.close()
    for name, used in cpu.items():
        print_cpu(name, used, batches * batch, wall[name])
    return ratios


def stack_limits(client: httpx.Client, account: Account) -> dict[str, int]:
    response = client.get("/api/v1/files/limits", headers=account.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def warm_up(client: httpx.Client, accounts: list[Account]) -> None:
    """Each measured request once per account, so the empty stack's memory includes what the
    first request of each kind loads."""
    for account in accounts:
        upload(client, account, "warm-up.bin")
        client.get("/api/v1/folders/root/children", params={"limit": PAGE}, headers=account.headers).raise_for_status()
        read_profile(client, account)


def print_rss(title: str, sizes: dict[str, int]) -> None:
    parts = ", ".join(f"{name} {size / MIB:.0f}" for name, size in sizes.items())
    print(f"{title}: {sum(sizes.values()) / MIB:.1f} MiB ({parts})")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000, help="files of the big account")
    parser.add_argument("--small-files", type=int, default=PAGE, help="files of the small account")
    parser.add_argument("--rounds", type=int, default=150, help="rounds of the interleaved requests")
    parser.add_argument("--batches", type=int, default=6, help="throughput rounds (each path once per round)")
    parser.add_argument("--batch", type=int, default=300, help="4 KiB uploads per path and round")
    return parser.parse_args()


def measure(stack: Stack, args: argparse.Namespace) -> None:
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        big, small, steady = (register(client, label) for label in ("big", "small", "throughput"))
        warm_up(client, [big, small, steady])
        empty = stack_rss(stack)
        print_rss("stack RSS, empty (after one request of each kind)", empty)
        seeder_before = own_rss()
        for account, count, prefix in ((small, args.small_files, "small"), (big, args.files, "big")):
            started = time.perf_counter()
            rates = asyncio.run(seed(stack, account.user_id, count, prefix=prefix))
            print(f"seeded {count} files in {time.perf_counter() - started:.0f} s; uploads/s, first tenth to last:")
            print("  " + ", ".join(f"{rate:.0f}" for rate in rates))
        print(f"seeding process RSS: {seeder_before / MIB:.0f} -> {own_rss() / MIB:.0f} MiB")
        for account in (big, small, steady):
            sign_in_again(client, account)
        seeded = stack_rss(stack)
        print_rss(f"stack RSS, after {args.files} files", seeded)
        assert read_profile(client, big) == args.files + 1, "the seeded files are not all counted"
        medians = request_medians_ms(client, big, small, args.rounds)
        print(f"requests, median ms of {args.rounds}, {args.files} files vs {args.small_files} [load {load()}]:")
        for name, (at_big, at_small) in medians.items():
            print(f"  {name}: {at_big:.1f} vs {at_small:.1f} ms, ratio {at_big / at_small:.2f} (target <= 1.5)")
        print(f"4 KiB uploads at {UPLOAD_CONCURRENCY} at once, {args.batches} rounds of {args.batch} per path:")
        ratios = throughput(stack, client, steady, args.batches, args.batch)
        for name, each in ratios.items():
            shown = ", ".join(f"{ratio:.2f}" for ratio in each)
            print(f"  {name} / put_object: median {statistics.median(each):.2f} ({shown}; target >= 0.5)")
        final = stack_rss(stack)
        print_rss("stack RSS, after the measurements", final)
    growth = max(sum(seeded.values()), sum(final.values())) - sum(empty.values())
    print(f"stack RSS growth over the empty stack: {growth / MIB:.1f} MiB (target < 300 MB = {300e6 / MIB:.0f} MiB)")


@contextmanager
def running_stack(prefix: str) -> Iterator[Stack]:
    """The stack `make run` starts, on free ports in a temporary folder of its own (named with
    `prefix`), stopped and its folder removed when the block ends."""
    with tempfile.TemporaryDirectory(prefix=prefix) as run_dir:
        stack = Stack(Path(run_dir), Ports.free())
        stack.start()
        try:
            yield stack
        finally:
            stack.stop()


def main() -> None:
    args = parse_arguments()
    print(f"load average at start: {load()} on {os.cpu_count()} cores")
    with running_stack("scloud-bench-") as stack:
        measure(stack, args)
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
