"""A 1 GiB upload through the direct protocol against boto3 `upload_file` of the same bytes, on
the same SeaweedFS, as `make run` serves it.

Starts SeaweedFS (scripts/seaweed.py) and the files service as a real subprocess on SQLite
(`python -m scloud_files.main`, FILES_STORE=sqlite), with a stand-in for auth's public key as
bench/files_throughput.py has. Then, in each round and interleaved so that other load on the
machine hits both alike:

- a Python client following the browser's API: `POST /api/v1/uploads`, then `--parallel` workers
  each reading a part from the file, hashing it, asking for its signed URL
  (`POST /api/v1/uploads/{id}/parts`, as Uppy's signPart does) and PUTting it straight to
  SeaweedFS; then `POST /api/v1/uploads/{id}/complete`, whose recorded checksum is compared with
  the parts';
- boto3 `upload_file` of the same file to the same bucket (8 MiB parts, 10 threads: its defaults).

Both paths run at the same concurrency with the same part size by default (boto3's
`TransferConfig` defaults, read from it), so the ratio compares the protocols, not two settings.
The CPU each process spent per GiB on each path is printed too.

Prints MB/s of each and their ratio (target: at least 0.9), and the files service's resident
memory during the direct uploads against its baseline (target: at most 5 MB of growth): the
bytes never pass through it. Localhost only; every loop bounded.
Run: `.venv/bin/python bench/direct_upload.py [--rounds N] [--size-mib M] [--parallel P]`.
"""

import argparse
import base64
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
from boto3.s3.transfer import TransferConfig
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from files_throughput import (
    MIB,
    RssSampler,
    access_token,
    free_port,
    proc_status_kib,
    start_key_server,
    stop_process,
    wait_for_http,
)

from scloud_common.internal_tls import issue_certificates, write_certificates

ROOT = Path(__file__).resolve().parent.parent
# scripts/ is the repository's own tooling, not an installed package.
sys.path.insert(0, str(ROOT))
from scripts.seaweed import SeaweedS3  # noqa: E402

BUCKET = "bench-direct"
# boto3's own defaults, which `upload_file` uses: the direct client takes the same by default.
BOTO3_PARALLEL: int = TransferConfig().max_concurrency
BOTO3_PART_MIB: int = TransferConfig().multipart_chunksize // (1024 * 1024)
REQUEST_TIMEOUT_SECONDS = 300


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


# httpx writes a bytes body with `buffer = buffer[sent:]` after each partial send, which copies
# what is left every time: a 16 MiB part copied dozens of times over. Chunks of views bound that.
SEND_CHUNK_BYTES = 1024 * 1024


def send_chunks(body: bytes) -> Iterator[memoryview]:
    with memoryview(body) as view:
        for start in range(0, len(view), SEND_CHUNK_BYTES):
            yield view[start : start + SEND_CHUNK_BYTES]


class DirectUploadClient:
    """What the browser does, in Python: the API calls go to the files service, the bytes to S3."""

    def __init__(self, service_url: str, token: str, *, parallel: int, part_bytes: int) -> None:
        self._api = httpx.Client(
            base_url=service_url, headers={"Authorization": f"Bearer {token}"}, timeout=REQUEST_TIMEOUT_SECONDS
        )
        limits = httpx.Limits(max_connections=parallel, max_keepalive_connections=parallel)
        self._s3 = httpx.Client(limits=limits, timeout=REQUEST_TIMEOUT_SECONDS)
        self._parallel = parallel
        self._part_bytes = part_bytes

    def upload(self, path: Path, name: str) -> dict:
        size = path.stat().st_size
        created = self._api.post("/api/v1/uploads", json={"name": name, "size": size, "partSize": self._part_bytes})
        created.raise_for_status()
        upload = created.json()
        part_size, count = upload["partSize"], upload["partCount"]
        fd = os.open(path, os.O_RDONLY)
        try:

            def read(number: int) -> bytes:
                start = (number - 1) * part_size
                return os.pread(fd, min(part_size, size - start), start)

            def send(number: int) -> dict:
                body = read(number)
                digest = sha256_b64(body)
                signed = self._api.post(
                    f"/api/v1/uploads/{upload['id']}/parts",
                    json={"parts": [{"number": number, "size": len(body), "sha256": digest}]},
                )
                signed.raise_for_status()
                (part,) = signed.json()["parts"]
                headers = {**part["headers"], "Content-Length": str(len(body))}
                response = self._s3.put(part["url"], content=send_chunks(body), headers=headers)
                response.raise_for_status()
                return {"number": number, "etag": response.headers["etag"], "sha256": digest}

            # Each worker reads, hashes and sends its own part: at most `parallel` parts are in
            # memory, and hashing overlaps sending.
            with ThreadPoolExecutor(self._parallel) as pool:
                parts = list(pool.map(send, range(1, count + 1)))
        finally:
            os.close(fd)
        completed = self._api.post(f"/api/v1/uploads/{upload['id']}/complete", json={"parts": parts})
        completed.raise_for_status()
        item = completed.json()
        digests = b"".join(base64.b64decode(part["sha256"]) for part in parts)
        expected = f"{base64.b64encode(hashlib.sha256(digests).digest()).decode()}-{len(parts)}"
        assert item["sha256"] == expected and item["size"] == size, item
        return item

    def delete(self, file_id: str) -> None:
        self._api.delete(f"/api/v1/files/{file_id}").raise_for_status()
        self._api.post("/api/v1/trash/delete", json={"ids": [file_id]}).raise_for_status()

    def close(self) -> None:
        self._api.close()
        self._s3.close()


def start_files_service(
    run_dir: Path, env: dict[str, str], *, key_port: int, size: int
) -> tuple[subprocess.Popen, str]:
    http_port, grpc_port = free_port(), free_port()
    files_env = {
        **os.environ,
        **env,
        "FILES_ENVIRONMENT": "development",
        "FILES_LOG_LEVEL": "WARNING",
        "FILES_HTTP_PORT": str(http_port),
        "FILES_GRPC_PORT": str(grpc_port),
        "FILES_STORE": "sqlite",
        "FILES_SQLITE_PATH": str(run_dir / "files.db"),
        "FILES_S3_BUCKET": BUCKET,
        "FILES_AUTH_GRPC_ADDR": f"127.0.0.1:{key_port}",
        "FILES_USERS_GRPC_ADDR": "127.0.0.1:9",
        "FILES_GRPC_TLS_CA_CERT": str(run_dir / "certs" / "ca.pem"),
        "FILES_GRPC_TLS_CERT": str(run_dir / "certs" / "files.pem"),
        "FILES_GRPC_TLS_KEY": str(run_dir / "certs" / "files-key.pem"),
        "FILES_MAX_FILE_BYTES": str(size),
        "FILES_QUOTA_BYTES": str(4 * size),
    }
    log = open(run_dir / "files.log", "w")  # noqa: SIM115 - open for the process's lifetime
    service = subprocess.Popen(
        [sys.executable, "-m", "scloud_files.main"], stdout=log, stderr=subprocess.STDOUT, env=files_env
    )
    url = f"http://127.0.0.1:{http_port}"
    wait_for_http(f"{url}/readyz", service, "files service")
    return service, url


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user and system) each process used so far, with its children."""
    used: dict[str, float] = {}
    for name, pid in pids.items():
        process = psutil.Process(pid)
        used[name] = sum(each.cpu_times().user + each.cpu_times().system for each in [process, *process.children(True)])
    return used


def add_cpu(total: dict[str, float], before: dict[str, float], after: dict[str, float]) -> None:
    for name, seconds in after.items():
        total[name] = total.get(name, 0.0) + seconds - before[name]


def write_payload(path: Path, size_mib: int) -> None:
    with open(path, "wb") as out:
        for _ in range(size_mib):
            out.write(os.urandom(MIB))


def run(rounds: int, size_mib: int, parallel: int, part_mib: int) -> None:
    size = size_mib * MIB
    run_dir = Path(tempfile.mkdtemp(prefix="scloud-bench-direct-"))
    seaweed = SeaweedS3(run_dir / "s3", bucket=BUCKET, versioning=False)
    endpoint = seaweed.start()
    key = Ed25519PrivateKey.generate()
    certificates = issue_certificates(("auth", "files"))
    write_certificates(certificates, run_dir / "certs")
    key_server, key_port = start_key_server(key, certificates.material("auth"))
    service: subprocess.Popen | None = None
    try:
        service, url = start_files_service(run_dir, endpoint.client_env(), key_port=key_port, size=size)
        source = run_dir / "payload.bin"
        write_payload(source, size_mib)
        s3 = endpoint.client()
        transfer = TransferConfig()
        client = DirectUploadClient(url, access_token(key, "bench-user"), parallel=parallel, part_bytes=part_mib * MIB)
        # A small upload first, so pools and key caches are warm on both paths.
        warm = run_dir / "warm.bin"
        warm.write_bytes(os.urandom(MIB))
        client.delete(client.upload(warm, "warm.bin")["id"])
        s3.upload_file(str(warm), BUCKET, "warm", Config=transfer)
        baseline_kib = proc_status_kib(service.pid, "VmRSS")
        direct, boto, peaks = [], [], []
        pids = {"files": service.pid, "seaweedfs": seaweed.pid or 0, "client": os.getpid()}
        direct_cpu: dict[str, float] = {}
        boto_cpu: dict[str, float] = {}
        for round_number in range(rounds):
            with RssSampler(service.pid) as sampler:
                before = cpu_seconds(pids)
                started = time.perf_counter()
                item = client.upload(source, f"payload-{round_number}.bin")
                direct.append(time.perf_counter() - started)
                add_cpu(direct_cpu, before, cpu_seconds(pids))
            peaks.append(sampler.peak_kib)
            client.delete(item["id"])
            before = cpu_seconds(pids)
            started = time.perf_counter()
            s3.upload_file(str(source), BUCKET, f"boto/{round_number}", Config=transfer)
            boto.append(time.perf_counter() - started)
            add_cpu(boto_cpu, before, cpu_seconds(pids))
            s3.delete_object(Bucket=BUCKET, Key=f"boto/{round_number}")
        client.close()
        report(size_mib, rounds, parallel, part_mib, direct, boto, baseline_kib, peaks)
        gib = rounds * size_mib / 1024
        for title, used in (("direct protocol", direct_cpu), ("boto3 upload_file", boto_cpu)):
            shown = ", ".join(f"{name} {seconds / gib:.2f}" for name, seconds in used.items())
            print(f"CPU seconds per GiB, {title}: {shown}; in all {sum(used.values()) / gib:.2f}")
        print(f"load average at the end: {'/'.join(f'{value:.2f}' for value in os.getloadavg())}")
    finally:
        if service is not None:
            stop_process(service)
        key_server.stop(0)
        seaweed.stop()
        # Its payload is as large as the file measured (1 GiB by default).
        shutil.rmtree(run_dir, ignore_errors=True)


def report(size_mib, rounds, parallel, part_mib, direct, boto, baseline_kib, peaks) -> None:
    direct_mbs = size_mib / statistics.median(direct)
    boto_mbs = size_mib / statistics.median(boto)
    growth_mib = (max(peaks) - baseline_kib) / 1024
    print(f"{size_mib} MiB, median of {rounds} rounds, {parallel} parts in flight of {part_mib} MiB")
    print(f"direct protocol      {direct_mbs:7.1f} MB/s  rounds {[round(size_mib / t, 1) for t in direct]}")
    print(f"boto3 upload_file    {boto_mbs:7.1f} MB/s  rounds {[round(size_mib / t, 1) for t in boto]}")
    print(f"ratio direct / boto3 {direct_mbs / boto_mbs:.2f} (target >= 0.9)")
    print(
        f"files service VmRSS: baseline {baseline_kib / 1024:.1f} MiB, peak during the direct uploads "
        f"{max(peaks) / 1024:.1f} MiB, growth {growth_mib:.1f} MiB (target <= 5 MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, choices=range(1, 11), metavar="1-10")
    parser.add_argument("--size-mib", type=int, default=1024, choices=range(16, 4097), metavar="16-4096")
    parser.add_argument("--parallel", type=int, default=BOTO3_PARALLEL, choices=range(1, 33), metavar="1-32")
    parser.add_argument("--part-mib", type=int, default=BOTO3_PART_MIB, choices=range(5, 129), metavar="5-128")
    args = parser.parse_args()
    run(args.rounds, args.size_mib, args.parallel, args.part_mib)


if __name__ == "__main__":
    main()
