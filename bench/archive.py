"""ZIP download throughput of the files service against boto3 `get_object` of the same bytes.

Starts moto server and the files service as real subprocesses (as bench/files_throughput.py
does), uploads two folders of `--files` files of `--kib` KiB of random bytes through the
service, one named `.jpg` (compressed already: stored in the archive as they are) and one
named `.bin` (unknown: deflated at level 1), then, in each round and interleaved so that other
load on the machine hits both alike:

- downloads each folder as one ZIP through the service (`POST /api/v1/files/archive`, then the
  link), read to the end;
- reads the same objects with boto3 `get_object` one after the other, 1 MiB at a time.

Prints MB/s of each and their ratio (target: the stored archive at least 0.6 of `get_object`),
and the service's memory (VmRSS sampled during the archives, VmHWM) against its baseline.
Localhost only; every loop bounded. Run: `.venv/bin/python bench/archive.py [--rounds N]`.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from files_throughput import (
    AWS_ENV,
    MIB,
    RssSampler,
    access_token,
    free_port,
    proc_status_kib,
    start_key_server,
    stop_process,
    timed,
    wait_for_http,
)

from scloud_common.aws import create_aws_client
from scloud_common.internal_tls import issue_certificates, write_certificates
from scloud_files.config import FilesStorageSettings
from scloud_files.domain.object_keys import ObjectKeys
from scloud_files.provision import provision_resources

BUCKET = "bench-archive"
USER = "bench-user"


def start_service(run_dir: Path, endpoint: str, key_port: int, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    http_port, grpc_port = free_port(), free_port()
    files_env = {
        **env,
        "FILES_ENVIRONMENT": "development",
        "FILES_LOG_LEVEL": "WARNING",
        "FILES_HTTP_PORT": str(http_port),
        "FILES_GRPC_PORT": str(grpc_port),
        "FILES_AWS_ENDPOINT_URL": endpoint,
        "FILES_DYNAMODB_TABLE_PREFIX": "bench-archive-",
        "FILES_S3_BUCKET": BUCKET,
        "FILES_AUTH_GRPC_ADDR": f"127.0.0.1:{key_port}",
        "FILES_USERS_GRPC_ADDR": "127.0.0.1:9",
        "FILES_GRPC_TLS_CA_CERT": str(run_dir / "certs" / "ca.pem"),
        "FILES_GRPC_TLS_CERT": str(run_dir / "certs" / "files.pem"),
        "FILES_GRPC_TLS_KEY": str(run_dir / "certs" / "files-key.pem"),
    }
    log = open(run_dir / "files.log", "w")
    service = subprocess.Popen([sys.executable, "-m", "scloud_files.main"], stdout=log, stderr=log, env=files_env)
    url = f"http://127.0.0.1:{http_port}"
    wait_for_http(f"{url}/readyz", service, "files service")
    return service, url


def fill_folder(client: httpx.Client, name: str, extension: str, files: int, size: int) -> tuple[str, list[str]]:
    folder = client.post("/api/v1/folders", json={"name": name})
    folder.raise_for_status()
    ids = []
    for number in range(files):
        uploaded = client.post(
            "/api/v1/files/upload",
            params={"parentId": folder.json()["id"]},
            files={"file": (f"{number}.{extension}", os.urandom(size), "application/octet-stream")},
        )
        uploaded.raise_for_status()
        ids.append(uploaded.json()["id"])
    return folder.json()["id"], ids


def download_archive(client: httpx.Client, folder_id: str, expected_bytes: int) -> None:
    url = client.post("/api/v1/files/archive", json={"ids": [folder_id]}).json()["url"]
    received = 0
    with client.stream("GET", url) as response:
        response.raise_for_status()
        for chunk in response.iter_raw(MIB):
            received += len(chunk)
    assert received >= expected_bytes, received


def read_objects(s3, keys: list[str]) -> None:
    for key in keys:
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"]
        for _ in iter(lambda: body.read(MIB), b""):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--kib", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    size, total = args.kib * 1024, args.files * args.kib * 1024
    run_dir = Path(tempfile.mkdtemp(prefix="scloud-bench-archive-"))
    env = {**os.environ, **AWS_ENV}
    os.environ.update(AWS_ENV)
    endpoint = f"http://127.0.0.1:{free_port()}"
    key = Ed25519PrivateKey.generate()
    certificates = issue_certificates(("auth", "files"))
    write_certificates(certificates, run_dir / "certs")
    key_server, key_port = start_key_server(key, certificates.material("auth"))
    processes: list[subprocess.Popen] = []
    try:
        moto = subprocess.Popen(
            [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", endpoint.rsplit(":", 1)[1]],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        processes.append(moto)
        wait_for_http(f"{endpoint}/moto-api/", moto, "moto server")
        provision_resources(
            FilesStorageSettings(aws_endpoint_url=endpoint, dynamodb_table_prefix="bench-archive-", s3_bucket=BUCKET)
        )
        service, url = start_service(run_dir, endpoint, key_port, env)
        processes.append(service)
        headers = {"Authorization": f"Bearer {access_token(key, USER)}"}
        s3 = create_aws_client("s3", region="us-east-1", endpoint_url=endpoint)
        with httpx.Client(base_url=url, headers=headers, timeout=300) as client:
            started = time.perf_counter()
            folders = {
                kind: fill_folder(client, kind, extension, args.files, size)
                for kind, extension in (("stored", "jpg"), ("deflated", "bin"))
            }
            print(f"{2 * args.files} files of {args.kib} KiB uploaded in {time.perf_counter() - started:.0f} s")
            # The service runs without FILES_OBJECT_KEY_SECRET, so it seals the owner in each key
            # with the development secret.
            object_keys = ObjectKeys.for_development()
            keys = [object_keys.file(USER, file_id) for file_id in folders["stored"][1]]
            download_archive(client, folders["stored"][0], total)  # warm-up: pools, caches
            baseline_rss = proc_status_kib(service.pid, "VmRSS")
            times: dict[str, list[float]] = {"stored": [], "deflated": [], "get_object": []}
            sampled_peak = 0
            for _ in range(args.rounds):
                for kind in ("stored", "deflated"):
                    with RssSampler(service.pid) as sampler:
                        times[kind].append(timed(lambda kind=kind: download_archive(client, folders[kind][0], total)))
                    sampled_peak = max(sampled_peak, sampler.peak_kib)
                times["get_object"].append(timed(lambda: read_objects(s3, keys)))
        speeds = {name: total / MIB / statistics.median(values) for name, values in times.items()}
        print(f"{args.files} files of {args.kib} KiB, median of {args.rounds} rounds")
        for name in ("stored", "deflated"):
            print(
                f"ZIP ({name}) {speeds[name]:7.1f} MB/s | boto3 get_object {speeds['get_object']:7.1f} MB/s"
                f" | ratio {speeds[name] / speeds['get_object']:.2f}"
            )
        print(
            f"files service VmRSS baseline {baseline_rss / 1024:.1f} MiB, sampled peak during archives"
            f" {sampled_peak / 1024:.1f} MiB, VmHWM {proc_status_kib(service.pid, 'VmHWM') / 1024:.1f} MiB"
        )
    finally:
        for process in reversed(processes):
            stop_process(process)
        key_server.stop(0)
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
