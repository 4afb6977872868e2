"""Copying a folder through the files service against the same S3 copies issued directly, in one
run on one stack as `make run` starts it (scripts.stack.Stack: SeaweedFS, auth, users and files on
SQLite, Nginx), signed in through the gateway with a real access token from auth.

A folder of `--files` files (default 1,000) of `--kib` KiB of random bytes is uploaded through the
gateway. Then each round, the order swapped every round so that other load on the machine hits
both alike:

- through the service: `POST /api/v1/items/copy` of the folder into a new folder, and, when the
  folder holds more files than the copy-job threshold (FILES_COPY_JOB_THRESHOLD_FILES, 200 by
  default), reading the copy job every POLL_SECONDS until it is done; the time is from the
  request to the reading that says `done`;
- direct: boto3 `copy_object` of each of the folder's objects to a new key in the same SeaweedFS
  bucket, with the server-side encryption the service asks for, as many at once as the service
  copies (FILES_BULK_CONCURRENCY's default).

Prints both medians and their ratio (target: the service within 1.5x of the direct copies).
Localhost only; every wait bounded. Run: `.venv/bin/python bench/copy_folder.py [--files 100]`.
"""

import argparse
import os
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from embedded import Account, load, register, running_stack

from scloud_files.adapters.s3 import SERVER_SIDE_ENCRYPTION
from scloud_files.config import FilesSettings

COPY_CONCURRENCY: int = FilesSettings.model_fields["bulk_concurrency"].default
# As many uploads at once as the service takes from one user.
UPLOAD_PARALLEL: int = FilesSettings.model_fields["max_uploads_per_user"].default
# Often enough that the reading adds little to the measured time, rarely enough to cost the stack little.
POLL_SECONDS = 0.1
# A copy of 1,000 small files takes seconds here; this bounds a job that never ends.
COPY_TIMEOUT_SECONDS = 600


def create_folder(client: httpx.Client, account: Account, name: str, parent_id: str | None = None) -> str:
    response = client.post("/api/v1/folders", json={"name": name, "parentId": parent_id}, headers=account.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def fill_folder(client: httpx.Client, account: Account, folder_id: str, files: int, size: int) -> None:
    def upload(number: int) -> None:
        response = client.post(
            "/api/v1/files/upload",
            params={"parentId": folder_id},
            files={"file": (f"{number:05}.bin", os.urandom(size), "application/octet-stream")},
            headers=account.headers,
        )
        assert response.status_code == 201, response.text

    with ThreadPoolExecutor(UPLOAD_PARALLEL) as pool:
        list(pool.map(upload, range(files)))


def copy_through_service(client: httpx.Client, account: Account, folder_id: str, target_id: str) -> float:
    """Seconds from the copy request to the copy being done (its job's last reading, if a job)."""
    started = time.perf_counter()
    response = client.post(
        "/api/v1/items/copy", json={"ids": [folder_id], "parentId": target_id}, headers=account.headers
    )
    if response.status_code == 200:
        assert not response.json()["failed"], response.text
        return time.perf_counter() - started
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    deadline = started + COPY_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        job = client.get(f"/api/v1/items/copy-jobs/{job_id}", headers=account.headers).json()
        if job["state"] != "running":
            assert job["state"] == "done" and not job["failed"], job
            return time.perf_counter() - started
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"copy job {job_id} still running after {COPY_TIMEOUT_SECONDS} s")


def copy_directly(s3, bucket: str, keys: list[str], label: str) -> float:
    def copy(key: str) -> None:
        s3.copy_object(
            Bucket=bucket,
            Key=f"bench-copy/{label}/{key}",
            CopySource={"Bucket": bucket, "Key": key},
            ServerSideEncryption=SERVER_SIDE_ENCRYPTION,
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(COPY_CONCURRENCY) as pool:
        list(pool.map(copy, keys))
    return time.perf_counter() - started


def object_keys(s3, bucket: str) -> list[str]:
    """Every object in the bucket: on a new stack, the folder's files and nothing else."""
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys.extend(entry["Key"] for entry in page.get("Contents", []))
    return keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--kib", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {load()} on {os.cpu_count()} cores")
    with running_stack("scloud-bench-copy-") as stack:
        s3 = stack.storage_endpoint.client()
        with httpx.Client(base_url=stack.url, timeout=120) as client:
            account = register(client, "copy-folder")
            source_id = create_folder(client, account, "Source")
            started = time.perf_counter()
            fill_folder(client, account, source_id, args.files, args.kib * 1024)
            print(f"{args.files} files of {args.kib} KiB uploaded in {time.perf_counter() - started:.0f} s")
            keys = object_keys(s3, stack.bucket)
            assert len(keys) == args.files, len(keys)
            times: dict[str, list[float]] = {"service": [], "direct": []}
            for number in range(args.rounds):
                label = f"round-{number}-{uuid.uuid4().hex[:6]}"
                target_id = create_folder(client, account, label)
                measures = {
                    "service": lambda: copy_through_service(client, account, source_id, target_id),
                    "direct": lambda: copy_directly(s3, stack.bucket, keys, label),
                }
                order = ["service", "direct"] if number % 2 == 0 else ["direct", "service"]
                for path in order:
                    times[path].append(measures[path]())
                print(f"round {number + 1}: service {times['service'][-1]:.2f} s, direct {times['direct'][-1]:.2f} s")
    service, direct = statistics.median(times["service"]), statistics.median(times["direct"])
    print(
        f"copy of a folder of {args.files} files of {args.kib} KiB, median of {args.rounds} rounds:"
        f" through the service {service:.2f} s | boto3 copy_object x{COPY_CONCURRENCY} {direct:.2f} s"
        f" | ratio service / direct {service / direct:.2f} (target at most 1.5)"
    )
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
