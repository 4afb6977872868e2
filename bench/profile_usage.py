"""Does a user's profile cost the same with 10,000 files as with none? Measures, through the real
auth, users and files services (moto server behind them), the median time of `GET /api/users/me`
(which asks files for the user's storage totals over gRPC) for two users, first with no files,
then once one of them has 10,000 file records, written through the files adapter (no uploads:
only the metadata matters here), and prints the ratio (target: at most 1.5).

    .venv/bin/python bench/profile_usage.py [--rounds 200] [--files 10000]
"""

import argparse
import asyncio
import importlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import jwt

from scloud_common.aws import create_aws_client
from scloud_files.adapters.dynamodb import BATCH_WRITE_SIZE, DynamoDbFileRepository, item_record
from scloud_files.config import FilesStorageSettings
from scloud_files.domain import FileIdGenerator, Item, ItemKind, StorageUsage, object_key

ROOT = Path(__file__).resolve().parent.parent
TRANSACTIONAL_WRITES = 20
PASSWORD = "Right pass 1"
# moto accepts any credentials; real ones must never be needed here.
MOTO_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


def load_stack_module():
    """scripts.stack: a bench runs as `python bench/<name>.py`, so the repository root, which
    holds the `scripts` package, is put on the path first."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("scripts.stack")


def timed_profile(client: httpx.Client, token: str) -> float:
    started = time.perf_counter()
    response = client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed


def interleaved_medians_ms(client: httpx.Client, tokens: list[str], rounds: int) -> list[float]:
    """Reads each user's profile in turn, so load drifts on the shared machine hit them alike."""
    for token in tokens:
        timed_profile(client, token)  # warm-up
    timings: list[list[float]] = [[] for _ in tokens]
    for _ in range(rounds):
        for timing, token in zip(timings, tokens, strict=True):
            timing.append(timed_profile(client, token))
    return [statistics.median(timing) * 1000 for timing in timings]


def stored_file(user_id: str, new_file_id: FileIdGenerator, index: int) -> Item:
    file_id = new_file_id()
    return Item(
        item_id=file_id,
        user_id=user_id,
        kind=ItemKind.FILE,
        name=f"file {index}.txt",
        parent_id=None,
        created_at="2026-11-25T09:30:00+00:00",
        modified_at="2026-11-25T09:30:00+00:00",
        size=1000 + index,
        content_type="text/plain",
        object_key=object_key(user_id, file_id),
    )


def add_files(dynamodb, repository: DynamoDbFileRepository, table: str, user_id: str, count: int) -> None:
    """The records, in the adapter's own item format, by BatchWriteItem, then the totals set by
    the adapter's recount; the last few go through `add`, the transactional write every upload
    makes (with its name guard). (moto copies the whole table for each transaction, so 10,000 transactions would take
    hours there; real DynamoDB does not.)"""
    new_file_id = FileIdGenerator()
    files = [stored_file(user_id, new_file_id, index) for index in range(count)]
    batched, transactional = files[:-TRANSACTIONAL_WRITES], files[-TRANSACTIONAL_WRITES:]
    for start in range(0, len(batched), BATCH_WRITE_SIZE):
        requests = [{"PutRequest": {"Item": item_record(file)}} for file in batched[start : start + BATCH_WRITE_SIZE]]
        pending = {table: requests}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    asyncio.run(repository.recount_usage(user_id))
    for file in transactional:
        asyncio.run(repository.create(file))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="profile reads per user and phase")
    parser.add_argument("--files", type=int, default=10_000, help="file records of the second measurement")
    args = parser.parse_args()
    stack_module = load_stack_module()
    with tempfile.TemporaryDirectory() as run_dir:
        stack = stack_module.Stack(Path(run_dir), stack_module.Ports.free(), with_gateway=False)
        stack.start()
        try:
            auth_url = f"http://127.0.0.1:{stack.ports.auth_http}"

            def sign_in(email: str, *, register: bool = False) -> str:
                path = "/api/auth/register" if register else "/api/auth/login"
                body = {"email": email, "password": PASSWORD, **({"username": "Bench"} if register else {})}
                response = httpx.post(f"{auth_url}{path}", json=body, timeout=30)
                assert response.status_code in (200, 201), response.text
                return response.json()["accessToken"]

            emails = [f"bench-{kind}-{uuid.uuid4().hex[:8]}@example.com" for kind in ("empty", "full")]
            tokens = [sign_in(email, register=True) for email in emails]
            full_user_id = jwt.decode(tokens[1], options={"verify_signature": False})["sub"]
            settings = FilesStorageSettings(
                aws_endpoint_url=stack.s3_endpoint, dynamodb_table_prefix=stack.table_prefix, s3_bucket=stack.bucket
            )
            os.environ.update(MOTO_CREDENTIALS)
            dynamodb = create_aws_client("dynamodb", region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
            repository = DynamoDbFileRepository(dynamodb, settings.files_table)
            with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.users_http}", timeout=30) as client:
                before = interleaved_medians_ms(client, tokens, args.rounds)
                started = time.perf_counter()
                add_files(dynamodb, repository, settings.files_table, full_user_id, args.files)
                written = time.perf_counter() - started
                # Fresh tokens: the first ones may be near their expiry after the writes.
                tokens = [sign_in(email) for email in emails]
                empty, full = interleaved_medians_ms(client, tokens, args.rounds)
                usage = asyncio.run(repository.usage(full_user_id))
                started = time.perf_counter()
                recounted = asyncio.run(repository.recount_usage(full_user_id))
                recount_ms = (time.perf_counter() - started) * 1000
        finally:
            stack.stop()
    expected = StorageUsage(sum(1000 + index for index in range(args.files)), args.files)
    assert usage == recounted == expected, (usage, recounted, expected)
    print(f"GET /api/users/me, median of {args.rounds} reads per user, the two users' reads interleaved")
    print(f"before any file: {before[0]:.1f} ms and {before[1]:.1f} ms")
    print(f"{args.files} records written in {written:.0f} s")
    print(f"user with 0 files:          {empty:.1f} ms")
    print(f"user with {args.files} files:      {full:.1f} ms")
    print(f"ratio: {full / empty:.2f}  (target <= 1.5)")
    print(f"for comparison, reading every record to total them (repair_usage): {recount_ms:.0f} ms")


if __name__ == "__main__":
    main()
