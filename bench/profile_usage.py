"""Does a user's profile cost the same with 10,000 files as with none? Measures, through the real
auth, users and files services (moto server behind them), the median time of `GET /api/users/me`
(which asks files for the user's storage totals over gRPC) for a user with no files, then again
after 10,000 file records are written through the files repository (no uploads: only the
metadata matters here), and prints the ratio (target: at most 1.5).

    .venv/bin/python bench/profile_usage.py [--rounds 200] [--files 10000]
"""

import argparse
import asyncio
import importlib.util
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import jwt

from scloud_common.aws import create_aws_client
from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from scloud_files.config import FilesStorageSettings
from scloud_files.domain import FileIdGenerator, StorageUsage, StoredFile, object_key
from scloud_files.provision import files_table_name

ROOT = Path(__file__).resolve().parent.parent
# One at a time: moto applies parallel transactions to the same item without isolation.
CONCURRENT_WRITES = 1
# moto accepts any credentials; real ones must never be needed here.
MOTO_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


def load_stack_module():
    spec = importlib.util.spec_from_file_location("scloud_stack", ROOT / "scripts" / "stack.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def median_profile_ms(client: httpx.Client, token: str, rounds: int) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/users/me", headers=headers).status_code == 200  # warm-up
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get("/api/users/me", headers=headers)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return statistics.median(timings) * 1000


async def add_files(repository: DynamoDbFileRepository, user_id: str, count: int) -> None:
    new_file_id = FileIdGenerator()
    pending = asyncio.Semaphore(CONCURRENT_WRITES)

    async def add(index: int) -> None:
        file_id = new_file_id()
        async with pending:
            await repository.add(
                StoredFile(
                    file_id,
                    user_id,
                    f"file {index}.txt",
                    1000 + index,
                    "text/plain",
                    "2026-11-25T09:30:00+00:00",
                    object_key(user_id, file_id),
                )
            )

    await asyncio.gather(*(add(index) for index in range(count)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="profile reads at each size")
    parser.add_argument("--files", type=int, default=10_000, help="file records of the second measurement")
    args = parser.parse_args()
    stack_module = load_stack_module()
    with tempfile.TemporaryDirectory() as run_dir:
        stack = stack_module.Stack(Path(run_dir), stack_module.Ports.free(), with_gateway=False)
        stack.start()
        try:
            auth_url = f"http://127.0.0.1:{stack.ports.auth_http}"
            email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
            registered = httpx.post(
                f"{auth_url}/api/auth/register",
                json={"email": email, "username": "Bench", "password": "Right pass 1"},
                timeout=30,
            )
            assert registered.status_code == 201, registered.text
            token = registered.json()["accessToken"]
            user_id = jwt.decode(token, options={"verify_signature": False})["sub"]
            settings = FilesStorageSettings(
                aws_endpoint_url=stack.s3_endpoint, dynamodb_table_prefix=stack.table_prefix, s3_bucket=stack.bucket
            )
            os.environ.update(MOTO_CREDENTIALS)
            dynamodb = create_aws_client("dynamodb", region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
            repository = DynamoDbFileRepository(dynamodb, files_table_name(settings))
            with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.users_http}", timeout=30) as client:
                empty = median_profile_ms(client, token, args.rounds)
                started = time.perf_counter()
                asyncio.run(add_files(repository, user_id, args.files))
                written = time.perf_counter() - started
                # Re-fetch the token: the first may be near its expiry after the writes.
                token = httpx.post(
                    f"{auth_url}/api/auth/login", json={"email": email, "password": "Right pass 1"}, timeout=30
                ).json()["accessToken"]
                full = median_profile_ms(client, token, args.rounds)
                usage = asyncio.run(repository.usage(user_id))
                started = time.perf_counter()
                recounted = asyncio.run(repository.recount_usage(user_id))
                recount_ms = (time.perf_counter() - started) * 1000
        finally:
            stack.stop()
    expected = StorageUsage(sum(1000 + index for index in range(args.files)), args.files)
    assert usage == recounted == expected, (usage, recounted, expected)
    print(f"GET /api/users/me, median of {args.rounds} reads")
    print(f"0 files:      {empty:.1f} ms")
    print(f"{args.files} files: {full:.1f} ms   ({args.files} records written in {written:.0f} s)")
    print(f"ratio: {full / empty:.2f}  (target <= 1.5)")
    print(f"for comparison, reading every record to total them (repair_usage): {recount_ms:.0f} ms")


if __name__ == "__main__":
    main()
