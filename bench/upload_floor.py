"""How far the one-request upload is from the least its framework can do (step 10's 4 KiB figure).

One stack as `make run` starts it (SeaweedFS, the three services on SQLite, Nginx) and, beside
it, a bare app: FastAPI on uvicorn with two routes, each storing the bytes with boto3
`put_object` on a worker thread, into the same SeaweedFS bucket, with the content type and the
server-side encryption the files service asks for. Neither has middleware, a gateway, a folder
or quota check, an activity row, a log line or telemetry. They are floors of the service's shape
(FastAPI, uvicorn, boto3, SQLite), not something to ship:
- `/upload` reads the raw body and stores it: the framework and the S3 call alone;
- `/upload-form` does, besides, the least any one-request upload must: it checks an EdDSA bearer
  token with pyjwt, as the services check access tokens, reads the file from a multipart form,
  and records it with one SQLite transaction (WAL, `synchronous=NORMAL`, a unique name per
  folder) on a single writer thread, then answers with the record as JSON.

Each round sends `--uploads` files of 4 KiB on each path, UPLOAD_CONCURRENCY at once, and prints
each path's rate over boto3 `put_object`'s straight to SeaweedFS, with the CPU per upload of the
process that served it:
- the files service's `POST /api/v1/files/upload` through the gateway (bench/embedded.py's client);
- the bare app's `/upload-form` and `/upload`, called directly;
- `put_object` from this process.

    .venv/bin/python bench/upload_floor.py [--rounds 6] [--uploads 300]
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import jwt
import psutil
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from embedded import FOUR_KIB, UPLOAD_CONCURRENCY, load, register, run_parallel, running_stack, upload
from files_throughput import access_token, free_port, public_key_pem, stop_process, wait_for_http

ROOT = Path(__file__).resolve().parent.parent
# A bench runs as `python bench/<name>.py`: the repository root holds the `scripts` package.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from scripts.stack import Stack  # noqa: E402

BARE_BUCKET_ENV = "UPLOAD_FLOOR_BUCKET"
BARE_PUBLIC_KEY_ENV = "UPLOAD_FLOOR_PUBLIC_KEY"
BARE_DATABASE_ENV = "UPLOAD_FLOOR_DATABASE"
TOKEN_ALGORITHM = "EdDSA"
# The audience files_throughput.access_token signs for, as auth does.
TOKEN_AUDIENCE = "scloud"
CONTENT_TYPE = "application/octet-stream"
SERVER_SIDE_ENCRYPTION = "AES256"
WARM_UP_INDEX = 9_000_000


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=6, help="rounds (each path once per round)")
    parser.add_argument("--uploads", type=int, default=300, help="4 KiB uploads per path and round")
    parser.add_argument("--serve-bare-app", type=int, metavar="PORT", help=argparse.SUPPRESS)
    return parser.parse_args()


def serve_bare_app(port: int) -> None:
    """The bare app's process: S3 is reached as the stack's files service reaches it, through
    the AWS_* variables the bench passes on (SeaweedFS's endpoint and identity)."""
    import json
    import sqlite3
    from concurrent.futures import ThreadPoolExecutor

    import boto3
    import uvicorn
    from botocore.config import Config
    from fastapi import FastAPI, HTTPException, Request, Response
    from starlette.datastructures import UploadFile

    bucket = os.environ[BARE_BUCKET_ENV]
    public_key = os.environ[BARE_PUBLIC_KEY_ENV]
    s3 = boto3.session.Session().client(
        "s3", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, max_pool_connections=16)
    )
    # One connection, used only on the one writer thread, as the services' SQLite stores write.
    database = sqlite3.connect(os.environ[BARE_DATABASE_ENV], isolation_level=None, check_same_thread=False)
    database.execute("PRAGMA journal_mode = WAL")
    database.execute("PRAGMA synchronous = NORMAL")
    database.execute(
        "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, owner TEXT NOT NULL, parent TEXT NOT NULL,"
        " name TEXT NOT NULL, size INTEGER NOT NULL, created_at REAL NOT NULL, UNIQUE (owner, parent, name))"
    )
    writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-write")

    def record(row: tuple[str, str, str, str, int, float]) -> None:
        database.execute("BEGIN IMMEDIATE")
        try:
            database.execute("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?)", row)
        except BaseException:
            database.execute("ROLLBACK")
            raise
        database.execute("COMMIT")

    async def put(key: str, body: bytes) -> None:
        await asyncio.get_running_loop().run_in_executor(
            None,
            lambda: s3.put_object(
                Bucket=bucket, Key=key, Body=body, ContentType=CONTENT_TYPE, ServerSideEncryption=SERVER_SIDE_ENCRYPTION
            ),
        )

    app = FastAPI()

    @app.post("/upload", status_code=201)
    async def store(request: Request) -> Response:
        await put(f"bare/{uuid.uuid4().hex}", await request.body())
        return Response(status_code=201)

    @app.post("/upload-form", status_code=201)
    async def store_form(request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            owner = jwt.decode(token, public_key, algorithms=[TOKEN_ALGORITHM], audience=TOKEN_AUDIENCE)["sub"]
        except jwt.InvalidTokenError:
            raise HTTPException(401) from None
        form = await request.form()
        file = form.get("file")
        if scheme != "Bearer" or not isinstance(file, UploadFile) or not file.filename:
            raise HTTPException(422)
        body = await file.read()
        file_id = uuid.uuid4().hex
        await put(f"bare/{owner}/{file_id}", body)
        row = (file_id, owner, "root", file.filename, len(body), time.time())
        await asyncio.get_running_loop().run_in_executor(writer, record, row)
        answer = {"id": file_id, "name": file.filename, "size": len(body), "createdAt": row[5]}
        return Response(json.dumps(answer), status_code=201, media_type="application/json")

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start_bare_app(stack: Stack, public_key: str, database: Path) -> tuple[subprocess.Popen[bytes], httpx.Client]:
    port = free_port()
    env = {
        **os.environ,
        **stack.storage_endpoint.client_env(),
        BARE_BUCKET_ENV: stack.bucket,
        BARE_PUBLIC_KEY_ENV: public_key,
        BARE_DATABASE_ENV: str(database),
    }
    process = subprocess.Popen([sys.executable, __file__, "--serve-bare-app", str(port)], env=env)
    wait_for_http(f"http://127.0.0.1:{port}/docs", process, "the bare app")
    return process, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def bearer_token_and_public_key() -> tuple[str, str]:
    """An access token for the bare app's `/upload-form`, signed as auth signs the real ones, and
    the PEM public key that checks it."""
    key = Ed25519PrivateKey.generate()
    return access_token(key, uuid.uuid4().hex), public_key_pem(key)


def measure(stack: Stack, args: argparse.Namespace, database: Path) -> None:
    token, public_key = bearer_token_and_public_key()
    bare_process, bare = start_bare_app(stack, public_key, database)
    s3 = stack.storage_endpoint.client()
    files = psutil.Process(stack.processes["files"].pid)
    bare_cpu = psutil.Process(bare_process.pid)
    run = uuid.uuid4().hex[:8]
    try:
        with httpx.Client(base_url=stack.url, timeout=60) as client:
            account = register(client, "floor")

            def service(index: int) -> None:
                upload(client, account, f"floor-{run}-{index:07d}.bin")

            def bare_app(index: int) -> None:
                bare.post("/upload", content=FOUR_KIB).raise_for_status()

            def bare_form(index: int) -> None:
                files = {"file": (f"floor-{run}-{index:07d}.bin", FOUR_KIB, CONTENT_TYPE)}
                response = bare.post("/upload-form", files=files, headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 201, response.text

            def put_object(index: int) -> None:
                s3.put_object(
                    Bucket=stack.bucket,
                    Key=f"floor/{run}/{index:07d}-{time.monotonic_ns()}",
                    Body=FOUR_KIB,
                    ContentType=CONTENT_TYPE,
                    ServerSideEncryption=SERVER_SIDE_ENCRYPTION,
                )

            paths = {
                "service": (service, files),
                "bare form": (bare_form, bare_cpu),
                "bare app": (bare_app, bare_cpu),
                "put_object": (put_object, None),
            }
            for work, _ in paths.values():
                # Warm-up (connections, pools), on indexes no round uses.
                run_parallel(lambda index, work=work: work(WARM_UP_INDEX + index), 20, UPLOAD_CONCURRENCY)
            measured = [name for name, (_, process) in paths.items() if process is not None]
            ratios: dict[str, list[float]] = {name: [] for name in measured}
            cpu_ms: dict[str, list[float]] = {name: [] for name in measured}
            for round_ in range(args.rounds):
                rates: dict[str, float] = {}
                names = list(paths) if round_ % 2 == 0 else list(reversed(paths))
                for name in names:
                    work, process = paths[name]
                    before = cpu_seconds(process) if process else 0.0
                    rates[name] = run_parallel(
                        lambda index, work=work, round_=round_: work(round_ * args.uploads + index),
                        args.uploads,
                        UPLOAD_CONCURRENCY,
                    )
                    if process is not None:
                        cpu_ms[name].append((cpu_seconds(process) - before) * 1000 / args.uploads)
                for name in ratios:
                    ratios[name].append(rates[name] / rates["put_object"])
                shown = ", ".join(f"{name} {rate:.0f}/s" for name, rate in rates.items())
                print(f"  round {round_ + 1}: {shown}  [load {load()}]")
            for name, each in ratios.items():
                print(
                    f"{name} / put_object: median {statistics.median(each):.2f}"
                    f" ({', '.join(f'{ratio:.2f}' for ratio in each)}),"
                    f" its process's CPU {statistics.median(cpu_ms[name]):.1f} ms per upload"
                )
    finally:
        bare.close()
        stop_process(bare_process)


def main() -> None:
    args = parse_arguments()
    if args.serve_bare_app is not None:
        serve_bare_app(args.serve_bare_app)
        return
    print(f"load average at start: {load()} on {os.cpu_count()} cores")
    print(f"4 KiB uploads, {UPLOAD_CONCURRENCY} at once, {args.rounds} rounds of {args.uploads} per path:")
    with running_stack("scloud-bench-floor-") as stack, tempfile.TemporaryDirectory(prefix="scloud-floor-") as folder:
        measure(stack, args, Path(folder) / "bare.sqlite3")
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
