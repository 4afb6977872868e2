"""Upload and download throughput of the files service against S3 used directly, on this machine.

Starts moto server on 127.0.0.1, provisions the files table and bucket, serves auth's public key
from a small in-process gRPC server, and runs the files service as a real subprocess
(`python -m scloud_files.main`). Then, for a 100 MiB file, times:

- upload through the files service (streaming multipart/form-data) vs boto3 `upload_file` and
  `put_object` straight to the same S3 endpoint;
- download by following the presigned link vs boto3 `get_object`;
- the files service's resident memory before the upload and at its peak (VmHWM) during it.

Prints the figures and writes them as the first section of docs/performance.md (the sections of
the other benches after it are kept). Localhost only; every loop bounded.
Run: `.venv/bin/python bench/files_throughput.py [--rounds N] [--size-mib M] [--no-write]`.
"""

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent import futures
from datetime import UTC, datetime
from pathlib import Path

import grpc
import httpx
import jwt
from boto3.s3.transfer import TransferConfig
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from scloud.auth.v1 import auth_pb2, auth_pb2_grpc
from scloud_common.aws import create_aws_client
from scloud_common.internal_tls import TlsMaterial, issue_certificates, write_certificates
from scloud_common.public_keys import AUTH_SERVICE
from scloud_files.config import FilesStorageSettings
from scloud_files.provision import provision_resources

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "performance.md"
MIB = 1024 * 1024
KEY_ID = "bench-key"
STARTUP_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 15
AWS_ENV = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it has not exited within the bound."""
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def wait_for_http(url: str, process: subprocess.Popen, what: str) -> None:
    """Waits for `url` to answer 200. A process that does not is stopped before this raises:
    callers record it only once it is ready, so it would otherwise outlive the bench."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    last_answer = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            response = httpx.get(url, timeout=1)
            if response.status_code == 200:
                return
            last_answer = f"{response.status_code} {response.text[:500]}"
        except httpx.HTTPError as error:
            last_answer = repr(error)
        time.sleep(0.1)
    stop_process(process)
    raise RuntimeError(f"{what} did not become ready at {url} within {STARTUP_TIMEOUT_SECONDS} s: {last_answer}")


class PublicKeyServicer(auth_pb2_grpc.AuthServiceServicer):
    def __init__(self, public_key_pem: str) -> None:
        self._pem = public_key_pem

    def GetPublicKeys(self, request, context):
        return auth_pb2.GetPublicKeysResponse(
            keys=[auth_pb2.PublicKey(key_id=KEY_ID, algorithm="EdDSA", public_key_pem=self._pem)]
        )

    def CheckSession(self, request, context):
        return auth_pb2.CheckSessionResponse(active=True)


def public_key_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def start_key_server(key: Ed25519PrivateKey, tls: TlsMaterial) -> tuple[grpc.Server, int]:
    """Stands in for auth: the files service only needs its public key and its health."""
    pem = public_key_pem(key)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    auth_pb2_grpc.add_AuthServiceServicer_to_server(PublicKeyServicer(pem), server)
    # The files service asks for the health of auth's service by name, as it does of auth.
    health_servicer = health.HealthServicer()
    health_servicer.set(AUTH_SERVICE, health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_secure_port("127.0.0.1:0", tls.server_credentials())
    server.start()
    return server, port


def access_token(key: Ed25519PrivateKey, user_id: str) -> str:
    now = int(time.time())
    claims = {
        "sub": user_id,
        "sid": "bench",
        "iss": "scloud-auth",
        "aud": "scloud",
        "iat": now,
        "exp": now + 3600,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": KEY_ID})


def proc_status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class RssSampler:
    """Samples VmRSS every 10 ms while an upload runs (VmHWM gives the exact peak; this shows
    the peak belongs to the upload and not to start-up)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak_kib = max(self.peak_kib, proc_status_kib(self.pid, "VmRSS"))

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def mb_per_s(size: int, seconds: float) -> float:
    return size / MIB / seconds


def run(rounds: int, size_mib: int, write: bool) -> None:
    size = size_mib * MIB
    run_dir = Path(tempfile.mkdtemp(prefix="scloud-bench-"))
    env = {**os.environ, **AWS_ENV}
    s3_port, http_port, grpc_port = free_port(), free_port(), free_port()
    endpoint = f"http://127.0.0.1:{s3_port}"
    processes: list[subprocess.Popen] = []
    key = Ed25519PrivateKey.generate()
    certificates = issue_certificates(("auth", "files"))
    write_certificates(certificates, run_dir / "certs")
    key_server, key_port = start_key_server(key, certificates.material("auth"))
    try:
        moto_log = open(run_dir / "moto.log", "w")
        moto = subprocess.Popen(
            [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],
            stdout=moto_log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        processes.append(moto)
        wait_for_http(f"{endpoint}/moto-api/", moto, "moto server")
        os.environ.update(AWS_ENV)
        storage = FilesStorageSettings(
            aws_endpoint_url=endpoint, dynamodb_table_prefix="bench-", s3_bucket="bench-files"
        )
        provision_resources(storage)

        files_env = {
            **env,
            "FILES_ENVIRONMENT": "development",
            "FILES_LOG_LEVEL": "WARNING",
            "FILES_HTTP_PORT": str(http_port),
            "FILES_GRPC_PORT": str(grpc_port),
            "FILES_AWS_ENDPOINT_URL": endpoint,
            "FILES_DYNAMODB_TABLE_PREFIX": "bench-",
            "FILES_S3_BUCKET": "bench-files",
            "FILES_AUTH_GRPC_ADDR": f"127.0.0.1:{key_port}",
            "FILES_USERS_GRPC_ADDR": "127.0.0.1:9",
            "FILES_GRPC_TLS_CA_CERT": str(run_dir / "certs" / "ca.pem"),
            "FILES_GRPC_TLS_CERT": str(run_dir / "certs" / "files.pem"),
            "FILES_GRPC_TLS_KEY": str(run_dir / "certs" / "files-key.pem"),
            "FILES_MAX_UPLOAD_BYTES": str(max(size, 100 * MIB)),
        }
        files_log = open(run_dir / "files.log", "w")
        service = subprocess.Popen(
            [sys.executable, "-m", "scloud_files.main"], stdout=files_log, stderr=subprocess.STDOUT, env=files_env
        )
        processes.append(service)
        service_url = f"http://127.0.0.1:{http_port}"
        wait_for_http(f"{service_url}/readyz", service, "files service")

        source = run_dir / "payload.bin"
        with open(source, "wb") as out:
            for _ in range(size_mib):
                out.write(os.urandom(MIB))
        s3 = create_aws_client("s3", region="us-east-1", endpoint_url=endpoint)
        transfer = TransferConfig()  # boto3's defaults: 8 MiB parts, 10 threads
        headers = {"Authorization": f"Bearer {access_token(key, 'bench-user')}"}
        client = httpx.Client(base_url=service_url, headers=headers, timeout=300)

        # One small upload first, so connection pools and key caches are warm for every path.
        client.post("/api/v1/files/upload", files={"file": ("warm.txt", b"warm", "text/plain")}).raise_for_status()
        baseline_rss = proc_status_kib(service.pid, "VmRSS")
        baseline_hwm = proc_status_kib(service.pid, "VmHWM")

        service_up, direct_file, direct_put, service_down, direct_down = [], [], [], [], []
        file_ids: list[str] = []
        sampled_peak = 0
        for round_number in range(rounds):

            def upload_via_service() -> None:
                with open(source, "rb") as stream:
                    response = client.post(
                        "/api/v1/files/upload", files={"file": ("payload.bin", stream, "application/octet-stream")}
                    )
                response.raise_for_status()
                file_ids.append(response.json()["id"])

            with RssSampler(service.pid) as sampler:
                service_up.append(timed(upload_via_service))
            sampled_peak = max(sampled_peak, sampler.peak_kib)
            direct_key = f"direct/{round_number}"
            direct_file.append(timed(lambda: s3.upload_file(str(source), "bench-files", direct_key, Config=transfer)))
            payload = source.read_bytes()
            direct_put.append(timed(lambda: s3.put_object(Bucket="bench-files", Key=direct_key, Body=payload)))

            def download_via_link() -> None:
                link = client.get(f"/api/v1/files/{file_ids[-1]}/download").json()["url"]
                received = 0
                with httpx.stream("GET", link, timeout=300) as response:
                    response.raise_for_status()
                    for chunk in response.iter_bytes(MIB):
                        received += len(chunk)
                assert received == size, received

            def download_direct() -> None:
                body = s3.get_object(Bucket="bench-files", Key=direct_key)["Body"]
                received = sum(len(chunk) for chunk in iter(lambda: body.read(MIB), b""))
                assert received == size, received

            service_down.append(timed(download_via_link))
            direct_down.append(timed(download_direct))
            client.delete(f"/api/v1/files/{file_ids[-1]}").raise_for_status()

        peak_hwm = proc_status_kib(service.pid, "VmHWM")
        client.close()
        figures = {
            "service_up": mb_per_s(size, statistics.median(service_up)),
            "direct_file": mb_per_s(size, statistics.median(direct_file)),
            "direct_put": mb_per_s(size, statistics.median(direct_put)),
            "service_down": mb_per_s(size, statistics.median(service_down)),
            "direct_down": mb_per_s(size, statistics.median(direct_down)),
            "baseline_rss_mib": baseline_rss / 1024,
            "baseline_hwm_mib": baseline_hwm / 1024,
            "peak_hwm_mib": peak_hwm / 1024,
            "sampled_peak_mib": sampled_peak / 1024,
        }
        print_figures(figures, rounds, size_mib)
        if write:
            REPORT.write_text(with_own_section(REPORT.read_text(), render_report(figures, rounds, size_mib)))
            print(f"written to {REPORT.relative_to(ROOT)}")
    finally:
        for process in reversed(processes):
            stop_process(process)
        key_server.stop(0)
        shutil.rmtree(run_dir, ignore_errors=True)


def print_figures(f: dict, rounds: int, size_mib: int) -> None:
    print(f"{size_mib} MiB file, median of {rounds} rounds")
    print(
        f"upload   files service {f['service_up']:7.1f} MB/s | boto3 upload_file {f['direct_file']:7.1f} MB/s"
        f" (ratio {f['service_up'] / f['direct_file']:.2f}) | boto3 put_object {f['direct_put']:7.1f} MB/s"
        f" (ratio {f['service_up'] / f['direct_put']:.2f})"
    )
    print(
        f"download presigned link {f['service_down']:7.1f} MB/s | boto3 get_object {f['direct_down']:7.1f} MB/s"
        f" (ratio {f['service_down'] / f['direct_down']:.2f})"
    )
    print(
        f"files service RSS: baseline {f['baseline_rss_mib']:.1f} MiB (VmHWM {f['baseline_hwm_mib']:.1f}),"
        f" peak during uploads VmHWM {f['peak_hwm_mib']:.1f} MiB (sampled VmRSS peak {f['sampled_peak_mib']:.1f})"
    )


def with_own_section(report: str, section: str) -> str:
    """The report with its first part (this bench's, up to the next top-level heading) replaced by
    `section`: the other benches' sections follow it in the same file and stay as they are."""
    following = report.find("\n# ", 1)
    return section if following == -1 else section.rstrip("\n") + "\n" + report[following:]


def render_report(f: dict, rounds: int, size_mib: int) -> str:
    cores = os.cpu_count()
    return f"""# Performance: files service throughput

Measured {datetime.now(UTC).strftime("%Y-%m-%d")} on this development machine ({cores} cores,
{platform.system()} {platform.release()}, Python {platform.python_version()}) with
`python bench/files_throughput.py` (`make bench`). Figures are the median of {rounds} rounds with a
{size_mib} MiB file of random bytes; MB/s means MiB per second.

## Method
- moto server (one process on 127.0.0.1) stands in for S3 and DynamoDB; everything is on localhost,
  so these figures compare the paths' overheads on one machine, not network speeds. moto keeps
  objects in memory and is itself CPU-bound, and it shares the {cores} cores with the client and the
  service.
- The files service runs as a real subprocess (`python -m scloud_files.main`, one uvicorn worker,
  default 8 MiB parts). An in-process gRPC server stands in for auth and publishes the public key
  of the Ed25519 key that signs the benchmark's access token.
- Upload through the service: httpx posts the file from disk as multipart/form-data to
  `POST /api/v1/files/upload`; the service parses the stream and sends S3 parts as they fill.
  Direct: boto3 `upload_file` (s3transfer, 8 MiB parts, 10 threads) and a single `put_object`
  of the bytes already in memory, to the same endpoint.
- Download: `GET /api/v1/files/{{id}}/download`, then the presigned S3 link streamed by httpx, against
  boto3 `get_object` read in 1 MiB chunks.
- Memory: VmRSS of the service after a warm-up upload (baseline), and VmHWM (peak resident set)
  after all rounds, from `/proc/<pid>/status`; VmRSS was also sampled every 10 ms during uploads.

## Results
| Path | MB/s | Ratio to direct |
|---|---:|---:|
| Upload through the files service | {f["service_up"]:.1f} | |
| Upload, boto3 `upload_file` direct | {f["direct_file"]:.1f} | service / direct = {f["service_up"] / f["direct_file"]:.2f} |
| Upload, boto3 `put_object` direct | {f["direct_put"]:.1f} | service / direct = {f["service_up"] / f["direct_put"]:.2f} |
| Download, presigned link (service hands out the link) | {f["service_down"]:.1f} | |
| Download, boto3 `get_object` direct | {f["direct_down"]:.1f} | link / direct = {f["service_down"] / f["direct_down"]:.2f} |

| Files service memory | MiB |
|---|---:|
| VmRSS before the uploads (after warm-up) | {f["baseline_rss_mib"]:.1f} |
| VmHWM before the uploads (start-up peak) | {f["baseline_hwm_mib"]:.1f} |
| VmHWM after {rounds} uploads of {size_mib} MiB | {f["peak_hwm_mib"]:.1f} |
| Highest sampled VmRSS during the uploads | {f["sampled_peak_mib"]:.1f} |

## Reading the figures
- The upload streams: the service holds about two 8 MiB parts at a time (one being sent to S3, one
  being received), so its peak memory stays tens of MiB above baseline whatever the file size,
  instead of growing with the file.
- Uploads through the service send parts one at a time, while `upload_file` sends up to 10 at
  once; the service also parses multipart framing in Python. The ratio is the price of that.
- Downloads never pass through the service: the browser fetches the bytes from S3 with the
  presigned link, and the service does no work per downloaded byte. The gap to `get_object` is
  on the benchmark's client side (one extra request for the link; httpx rather than botocore's
  urllib3 reading the stream), not measured separately.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, choices=range(1, 11), metavar="1-10")
    parser.add_argument("--size-mib", type=int, default=100, choices=range(1, 513), metavar="1-512")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    args = parser.parse_args()
    run(args.rounds, args.size_mib, write=not args.no_write)


if __name__ == "__main__":
    main()
