"""Step 11's upload figures, both in one run on one stack as `make run` starts it
(scripts.stack.Stack: SeaweedFS, auth, users and files on SQLite, Nginx), signed in through the
gateway with a real access token from auth:

- Small files: 500 files of random bytes, their sizes drawn log-uniformly from 4 KiB to 1 MiB
  with a fixed seed, sent the way the web app sends a file up to 8 MiB (BATCH_FILE_MAX_BYTES in
  frontend/src/lib/batchUploads.ts): in batches (bench/batch_upload.py's client) of the server's
  `maxBatchFiles` (`--batch-size`, 100 as the service's default), BATCHES_IN_FLIGHT of them open
  at once as the page keeps, each file one PUT straight to SeaweedFS with the signed headers, as many at
  once as the page sends (BATCH_PUTS_IN_FLIGHT, read from there), each batch completed once its
  PUTs are over. `--paths page,single` also measures the way the page sent them before batches:
  one `POST /api/v1/files/upload` each through the gateway (multipart/form-data field `file`, the
  file's own time in `modifiedAt`), PARALLEL_UPLOADS at once (frontend/src/lib/uploadQueue.ts).
  Against boto3 `put_object` of the same bytes to the same SeaweedFS bucket at the page's
  concurrency, storing the object the service stores (its content type and AES256 server-side
  encryption). Each round sends all 500 both ways, the order swapped every round; target: the
  median of the rounds' ratios at least 0.9. The CPU each process of the stack spends per file
  on each path is printed with every round, to show where the time goes.
- A 1 GiB file (`--large-mib`) through the direct protocol (bench/direct_upload.py's client,
  through the same gateway, parts straight to the same SeaweedFS) against boto3 `upload_file`,
  with the files service's resident memory sampled during the direct uploads (targets: at least
  0.9x, at most 5 MB of growth). `--large-mib 0` leaves it out.

    .venv/bin/python bench/small_files.py [--rounds 5] [--files 500] [--large-mib 1024] [--large-rounds 3]
        [--paths page[,single]] [--batch-size 100]
"""

import argparse
import math
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
from batch_upload import BatchEntry, BatchUploadClient
from boto3.s3.transfer import TransferConfig
from direct_upload import BOTO3_PARALLEL, BOTO3_PART_MIB, DirectUploadClient, write_payload
from direct_upload import report as report_large
from embedded import Account, load, register, running_stack, sign_in_again
from files_throughput import RssSampler, proc_status_kib

from scloud_files.adapters.s3 import SERVER_SIDE_ENCRYPTION

ROOT = Path(__file__).resolve().parent.parent
# A bench runs as `python bench/<name>.py`: the repository root holds the `scripts` package.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from scripts.stack import Stack  # noqa: E402

KIB = 1024
MIB = 1024 * KIB
SMALLEST_BYTES = 4 * KIB
LARGEST_BYTES = 1 * MIB
SEED = 11
CONTENT_TYPE = "application/octet-stream"
FRONTEND_LIB = ROOT / "frontend" / "src" / "lib"


def frontend_constant(file_name: str, name: str) -> int:
    """A number the web app defines (`export const NAME = 3;` or a product like `8 * 1024 * 1024`),
    read from its source so the bench follows the page."""
    source = (FRONTEND_LIB / file_name).read_text()
    match = re.search(rf"export const {name} = ([\d\s*]+);", source)
    if match is None:
        raise RuntimeError(f"{name} is not a plain number in frontend/src/lib/{file_name}")
    return math.prod(int(factor) for factor in match.group(1).split("*"))


PARALLEL_UPLOADS = frontend_constant("uploadQueue.ts", "PARALLEL_UPLOADS")
BATCH_FILE_MAX_BYTES = frontend_constant("batchUploads.ts", "BATCH_FILE_MAX_BYTES")
BATCH_PUTS_IN_FLIGHT = frontend_constant("batchUploads.ts", "BATCH_PUTS_IN_FLIGHT")
BATCHES_IN_FLIGHT = frontend_constant("batchUploads.ts", "BATCHES_IN_FLIGHT")


@dataclass(frozen=True)
class SmallFile:
    name: str
    body: bytes
    modified_at: str


def small_files(count: int) -> list[SmallFile]:
    """`count` files of random bytes, sizes log-uniform between SMALLEST_BYTES and LARGEST_BYTES
    (most files small, a few near 1 MiB); the same files for the same count on every run."""
    draw = random.Random(SEED)
    modified_at = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    files = []
    for index in range(count):
        size = round(math.exp(draw.uniform(math.log(SMALLEST_BYTES), math.log(LARGEST_BYTES))))
        files.append(SmallFile(f"file-{index:04d}.bin", draw.randbytes(size), modified_at))
    assert max(len(each.body) for each in files) <= BATCH_FILE_MAX_BYTES, "the page would send these in parts"
    return files


def run_at_once(work: Callable[[SmallFile], None], files: list[SmallFile], parallel: int) -> float:
    """Seconds for all `files` through `work`, `parallel` at once."""
    with ThreadPoolExecutor(parallel) as pool:
        started = time.perf_counter()
        list(pool.map(work, files))
        return time.perf_counter() - started


class StackCpu:
    """CPU seconds of each of the stack's processes (with their children), between two marks."""

    def __init__(self, stack: Stack) -> None:
        self._processes = {name: psutil.Process(process.pid) for name, process in stack.processes.items()}
        # The bench's own process is the client of both paths (httpx or boto3), one at a time.
        self._processes["bench"] = psutil.Process()

    def sample(self) -> dict[str, float]:
        totals = {}
        for name, process in self._processes.items():
            family = [process, *(process.children(recursive=True) if name != "bench" else [])]
            totals[name] = sum(sum(each.cpu_times()[:2]) for each in family)
        return totals

    def measure(self, action: Callable[[], float]) -> tuple[float, dict[str, float]]:
        before = self.sample()
        seconds = action()
        after = self.sample()
        return seconds, {name: after[name] - before[name] for name in before}


PATH_LABELS = {
    "page": "page (batches, PUTs to S3)",
    "single": "single (POST /api/v1/files/upload)",
    "put": "boto3 put_object",
}
# How many files each path sends at once: the page's PUTs, the page's queue before batches, and
# put_object at the page's concurrency.
PATH_PARALLEL = {"page": BATCH_PUTS_IN_FLIGHT, "single": PARALLEL_UPLOADS, "put": BATCH_PUTS_IN_FLIGHT}


@dataclass
class Round:
    seconds: dict[str, float]
    cpu: dict[str, dict[str, float]]
    load: str

    def ratio(self, path: str) -> float:
        return self.seconds["put"] / self.seconds[path]


class SmallFilePaths:
    """The ways of storing the same files: the page's (batches of presigned PUTs), one request
    each through the service, and boto3's."""

    def __init__(self, stack: Stack, account: Account, *, batch_size: int) -> None:
        connections = max(PATH_PARALLEL.values())
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self._gateway = httpx.Client(base_url=stack.url, limits=limits, timeout=120)
        self._account = account
        self._s3 = stack.storage_endpoint.client()
        self._bucket = stack.bucket
        self._folder = ""
        self._batches = BatchUploadClient(
            self._gateway,
            headers=account.headers,
            parallel=PATH_PARALLEL["page"],
            batch_size=batch_size,
            batches_in_flight=BATCHES_IN_FLIGHT,
        )

    def in_one_request(self, file: SmallFile) -> None:
        response = self._gateway.post(
            "/api/v1/files/upload",
            params={"modifiedAt": file.modified_at},
            files={"file": (f"{self._folder}{file.name}", file.body, CONTENT_TYPE)},
            headers=self._account.headers,
        )
        assert response.status_code == 201, response.text

    def in_batches(self, files: list[SmallFile]) -> float:
        """Seconds for all `files` through the batch protocol, the page's PUTs at once."""
        entries = [BatchEntry(f"{self._folder}{f.name}", f.body, CONTENT_TYPE, f.modified_at) for f in files]
        started = time.perf_counter()
        items = self._batches.upload(entries)
        seconds = time.perf_counter() - started
        assert [item["size"] for item in items] == [len(f.body) for f in files]
        return seconds

    def with_put_object(self, file: SmallFile) -> None:
        self._s3.put_object(
            Bucket=self._bucket,
            Key=f"bench-put-object/{self._folder}{file.name}",
            Body=file.body,
            ContentType=CONTENT_TYPE,
            ServerSideEncryption=SERVER_SIDE_ENCRYPTION,
        )

    def name_round(self, label: str) -> None:
        """Each round's names differ, as a name taken in the folder would be refused."""
        self._folder = f"{label}-"

    def action(self, path: str, files: list[SmallFile]) -> Callable[[], float]:
        if path == "page":
            return lambda: self.in_batches(files)
        work = self.in_one_request if path == "single" else self.with_put_object
        return lambda: run_at_once(work, files, PATH_PARALLEL[path])

    def close(self) -> None:
        self._batches.close()
        self._gateway.close()


def measure_small(
    stack: Stack, account: Account, files: list[SmallFile], rounds: int, *, paths_measured: list[str], batch_size: int
) -> list[Round]:
    paths = SmallFilePaths(stack, account, batch_size=batch_size)
    cpu = StackCpu(stack)
    results = []
    every = [*paths_measured, "put"]
    try:
        for path in every:
            paths.name_round(f"warm-{path}")
            paths.action(path, files[:20])()
        for number in range(rounds):
            # Each path goes first in turn, so that other load on the machine hits all alike.
            order = every[number % len(every) :] + every[: number % len(every)]
            timings = {}
            for path in order:
                paths.name_round(f"r{number}-{path}")
                timings[path] = cpu.measure(paths.action(path, files))
            result = Round(
                {path: seconds for path, (seconds, _) in timings.items()},
                {path: used for path, (_, used) in timings.items()},
                load(),
            )
            results.append(result)
            print_round(number, result, files, paths_measured)
    finally:
        paths.close()
    return results


def cpu_per_file_ms(cpu: dict[str, float], count: int) -> str:
    return ", ".join(f"{name} {seconds * 1000 / count:.2f}" for name, seconds in cpu.items() if seconds > 0)


def print_round(number: int, result: Round, files: list[SmallFile], paths_measured: list[str]) -> None:
    count = len(files)
    mib = sum(len(each.body) for each in files) / MIB
    rates = ", ".join(
        f"{path} {count / result.seconds[path]:.1f} files/s ({mib / result.seconds[path]:.1f} MB/s)"
        for path in [*paths_measured, "put"]
    )
    ratios = ", ".join(f"{path}/put {result.ratio(path):.2f}" for path in paths_measured)
    print(f"  round {number + 1}: {rates}; {ratios}  [load {result.load}]")
    for path in [*paths_measured, "put"]:
        print(f"    CPU ms per file, {path}: {cpu_per_file_ms(result.cpu[path], count)}")


def report_small(results: list[Round], files: list[SmallFile], paths_measured: list[str]) -> None:
    count = len(files)
    sizes = sorted(len(each.body) for each in files)
    mib = sum(sizes) / MIB
    print(
        f"{count} files, {mib:.1f} MiB, {sizes[0] / KIB:.0f} KiB to {sizes[-1] / KIB:.0f} KiB "
        f"(median {statistics.median(sizes) / KIB:.0f} KiB), at once: "
        f"{', '.join(f'{path} {PATH_PARALLEL[path]}' for path in [*paths_measured, 'put'])}, {len(results)} rounds"
    )
    for path in [*paths_measured, "put"]:
        rates = [count / each.seconds[path] for each in results]
        print(
            f"{PATH_LABELS[path]:34} median {statistics.median(rates):6.1f} files/s  rounds {[round(x, 1) for x in rates]}"
        )
    for path in paths_measured:
        ratios = [each.ratio(path) for each in results]
        print(
            f"ratio {path} / put_object: median of the rounds {statistics.median(ratios):.2f} (target >= 0.9), "
            f"rounds {[round(x, 2) for x in ratios]}"
        )
    for path in [*paths_measured, "put"]:
        totals: dict[str, float] = {}
        for each in results:
            for name, seconds in each.cpu[path].items():
                totals[name] = totals.get(name, 0.0) + seconds
        print(f"CPU ms per file over all rounds, {path}: {cpu_per_file_ms(totals, count * len(results))}")


def measure_large(stack: Stack, account: Account, size_mib: int, rounds: int, run_dir: Path) -> None:
    """bench/direct_upload.py's rounds, through this stack's gateway and on its SeaweedFS."""
    parallel, part_mib = BOTO3_PARALLEL, BOTO3_PART_MIB
    source = run_dir / "payload.bin"
    write_payload(source, size_mib)
    warm = run_dir / "warm.bin"
    warm.write_bytes(os.urandom(MIB))
    s3 = stack.storage_endpoint.client()
    transfer = TransferConfig()
    client = DirectUploadClient(stack.url, account.token, parallel=parallel, part_bytes=part_mib * MIB)
    files_pid = stack.processes["files"].pid
    prefix = f"bench-upload-file/{uuid.uuid4().hex[:8]}"
    try:
        client.delete(client.upload(warm, "warm.bin")["id"])
        s3.upload_file(str(warm), stack.bucket, f"{prefix}/warm", Config=transfer)
        baseline_kib = proc_status_kib(files_pid, "VmRSS")
        direct, boto, peaks = [], [], []
        for number in range(rounds):
            with RssSampler(files_pid) as sampler:
                started = time.perf_counter()
                item = client.upload(source, f"payload-{number}.bin")
                direct.append(time.perf_counter() - started)
            peaks.append(sampler.peak_kib)
            client.delete(item["id"])
            started = time.perf_counter()
            s3.upload_file(str(source), stack.bucket, f"{prefix}/{number}", Config=transfer)
            boto.append(time.perf_counter() - started)
            s3.delete_object(Bucket=stack.bucket, Key=f"{prefix}/{number}")
            print(
                f"  round {number + 1}: direct {size_mib / direct[-1]:.1f} MB/s, upload_file {size_mib / boto[-1]:.1f} MB/s  [load {load()}]"
            )
    finally:
        client.close()
    report_large(size_mib, rounds, parallel, part_mib, direct, boto, baseline_kib, peaks)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, choices=range(1, 21), metavar="1-20")
    parser.add_argument("--files", type=int, default=500, choices=range(20, 5001), metavar="20-5000")
    parser.add_argument("--large-mib", type=int, default=1024, help="size of the direct upload; 0 leaves it out")
    parser.add_argument("--large-rounds", type=int, default=3, choices=range(1, 11), metavar="1-10")
    parser.add_argument(
        "--paths",
        default="page",
        help="paths measured against put_object: page (batches, as the web app sends), single (one request "
        "each, as it did before batches) or both (page,single)",
    )
    parser.add_argument("--batch-size", type=int, default=100, choices=range(1, 1001), metavar="1-1000")
    return parser.parse_args()


def main() -> None:
    args = parse_arguments()
    files = small_files(args.files)
    print(f"load average at start: {load()} on {os.cpu_count()} cores")
    with running_stack("scloud-bench-small-") as stack:
        with httpx.Client(base_url=stack.url, timeout=60) as client:
            account = register(client, "small-files")
            print("small files, as many at once as the page sends, rounds interleaved:")
            paths_measured = [path for path in args.paths.split(",") if path in ("page", "single")]
            results = measure_small(
                stack, account, files, args.rounds, paths_measured=paths_measured, batch_size=args.batch_size
            )
            report_small(results, files, paths_measured)
            if args.large_mib:
                # The small files may have outlived the first access token (15 minutes).
                sign_in_again(client, account)
                print(f"{args.large_mib} MiB direct upload through the gateway against upload_file:")
                measure_large(stack, account, args.large_mib, args.large_rounds, stack.run_dir)
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
