"""Does the activity feed answer without scanning? On one moto server (in this process), with
100,000 events recorded for one user, measures through the files service's use case and its
DynamoDB adapter, and prints as ratios against the raw DynamoDB Query each page ends with (same
key condition, same page size; moto's Query walks a whole partition, so the bench compares, it
does not time):

- the user's activity feed, first page of 50 (target: at most 1.5);
- one file's history (200 of the 100,000 events are its own), first page of 50 (target: 1.5);
- one folder's activity (its files' events), first page of 50 (target: 1.5).

    .venv/bin/python bench/activity.py [--events 100000] [--rounds 15]
"""

import argparse
import asyncio
import logging
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from drive import interleaved
from moto.server import ThreadedMotoServer

from scloud_common.aws import create_aws_client
from scloud_common.provisioning import ensure_table
from scloud_files.adapters.dynamodb import BATCH_WRITE_SIZE, DynamoDbFileRepository, table_definition
from scloud_files.adapters.dynamodb.activity import DynamoDbActivityLog, event_records
from scloud_files.adapters.in_memory import InMemoryBlobStore
from scloud_files.domain import FileIdGenerator, ItemKind
from scloud_files.domain.activity import ActivityAction, ActivityEvent
from scloud_files.drive.use_cases import build_drive

TABLE = "bench-activity"
USER = "owner"
PAGE = 50
FOLDERS = 20
FILES = 2_000
TARGET_EVENTS = 200
START = datetime(2026, 6, 1, tzinfo=UTC)
EXPIRES = "2027-12-01T00:00:00+00:00"
new_id = FileIdGenerator()


def events(count: int) -> tuple[list[ActivityEvent], str, str]:
    """`count` events over FILES files in FOLDERS folders, one a second; the target file has
    TARGET_EVENTS of them, spread over the whole range."""
    folders = [new_id() for _ in range(FOLDERS)]
    files = [(new_id(), folders[index % FOLDERS]) for index in range(FILES)]
    target, target_folder = files[0]
    every = max(1, count // TARGET_EVENTS)
    made = []
    for index in range(count):
        item_id, folder_id = (target, target_folder) if index % every == 0 else files[1 + index % (FILES - 1)]
        at = (START + timedelta(seconds=index)).isoformat(timespec="seconds")
        made.append(
            ActivityEvent(
                user_id=USER,
                at=at,
                item_id=item_id,
                item_kind=ItemKind.FILE,
                action=ActivityAction.RENAME,
                actor_id=USER,
                name_before=f"file {index}.txt",
                name_after=f"file {index + 1}.txt",
                path_before="/Folder",
                path_after="/Folder",
                expires_at=EXPIRES,
                folder_ids=(folder_id,),
            )
        )
    return made, target, target_folder


def write_all(dynamodb, records: list[dict[str, Any]]) -> None:
    requests = [{"PutRequest": {"Item": record}} for record in records]
    for start in range(0, len(requests), BATCH_WRITE_SIZE):
        pending: dict[str, Any] = {TABLE: requests[start : start + BATCH_WRITE_SIZE]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="events recorded for the user")
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds per measure")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        dynamodb = create_aws_client(
            "dynamodb", region="us-east-1", endpoint_url=f"http://{host}:{port}", read_timeout=300
        )
        ensure_table(dynamodb, table_definition(TABLE))
        drive = build_drive(
            DynamoDbFileRepository(dynamodb, TABLE),
            InMemoryBlobStore(),
            max_upload_bytes=1,
            download_url_ttl_seconds=60,
            activity=DynamoDbActivityLog(dynamodb, TABLE),
            # The events are dated mid-2026: "now" must fall before they expire.
            now=lambda: START + timedelta(days=200),
        )
        assert drive.activity is not None
        started = time.perf_counter()
        made, target, target_folder = events(args.events)
        write_all(dynamodb, [record for event in made for record in event_records(event)])
        print(f"{len(made)} events written in {time.perf_counter() - started:.0f} s")

        loop = asyncio.new_event_loop()
        list_activity = drive.activity.list

        def ours(**filters: str):  # type: ignore[no-untyped-def]
            def measure() -> None:
                page = loop.run_until_complete(list_activity(USER, limit=PAGE, cursor=None, **filters))
                assert len(page.events) == PAGE

            return measure

        def raw(prefix: str):  # type: ignore[no-untyped-def]
            def measure() -> None:
                answer = dynamodb.query(
                    TableName=TABLE,
                    KeyConditionExpression="userId = :user AND begins_with(fileId, :prefix)",
                    ExpressionAttributeValues={":user": {"S": USER}, ":prefix": {"S": prefix}},
                    ScanIndexForward=False,
                    Limit=PAGE + 1,
                )
                assert len(answer["Items"]) == PAGE + 1

            return measure

        results = interleaved(
            {
                "feed": (ours(), raw("#act#")),
                "file history": (ours(item_id=target), raw(f"#acti#{target}#")),
                "folder activity": (ours(folder_id=target_folder), raw(f"#actf#{target_folder}#")),
            },
            args.rounds,
        )
        print(f"\nA page of {PAGE} at {len(made)} events for the user (median of {args.rounds}, ms):")
        for name, (service, direct) in results.items():
            print(f"  {name:16} service {service:8.1f}   raw Query {direct:8.1f}   ratio {service / direct:.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
