"""Does the drive's metadata model answer without scanning? On one moto server (in this process),
through the files service and its DynamoDB adapter, measures and prints as ratios (moto's Query is
slow in absolute terms, so the bench compares, it does not time):

- listing one page of 100 in a folder of 10,000 items (folders and files), in each sort order,
  against the same-sized raw Query of the same index (target: at most 1.5);
- the DynamoDB writes of renaming and of moving a folder holding 1,000 descendants against an
  empty one (target: equal);
- one page of a search over 10,000 names against one raw Query of the slice of names a search
  request reads at most (1,000, newest first, same index; target: at most 1.5), and against the
  same page over a drive of 1,000 names (target: at most 1.5, the cost does not follow the
  drive's size).

    .venv/bin/python bench/drive.py [--items 10000] [--descendants 1000] [--rounds 15]
"""

import argparse
import asyncio
import logging
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from moto.server import ThreadedMotoServer

from scloud_common.aws import create_aws_client
from scloud_common.provisioning import ensure_table
from scloud_files.adapters.dynamodb import (
    BATCH_WRITE_SIZE,
    SORT_INDEXES,
    DynamoDbFileRepository,
    guard_key,
    item_record,
    table_definition,
)
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.domain import (
    FILE_RANK,
    KEY_SEPARATOR,
    FileIdGenerator,
    Item,
    ItemKind,
    ObjectKeys,
    SortField,
    decode_page_cursor,
    sort_key_item_id,
)
from scloud_files.drive.use_cases import Drive, build_drive

KEYS = ObjectKeys.for_development()

# One table per scenario: moto runs a transaction by copying the whole table, which real
# DynamoDB does not, so the moves get a table of their own.
LISTED, SEARCHED, MOVED, SMALL = "bench-listed", "bench-searched", "bench-moved", "bench-small"
# The names one search request reads at most (FILES_SEARCH_EXAMINED_PER_REQUEST's default).
SEARCH_SLICE = 1000
BUCKET = "bench-files"
PAGE = 100
NOW = "2026-11-25T09:30:00+00:00"
WRITE_OPERATIONS = {"PutItem", "UpdateItem", "DeleteItem"}
new_id = FileIdGenerator()


def folder(user_id: str, name: str, parent_id: str | None) -> Item:
    return Item(new_id(), user_id, ItemKind.FOLDER, name, parent_id, NOW, NOW)


def file(user_id: str, name: str, parent_id: str | None, index: int) -> Item:
    item_id = new_id()
    modified = f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}T{index % 24:02d}:00:00+00:00"
    return Item(
        item_id,
        user_id,
        ItemKind.FILE,
        name,
        parent_id,
        NOW,
        modified,
        (index * 7919) % 1_000_000,
        "text/plain",
        KEYS.file(user_id, item_id),
    )


def write_all(dynamodb, table: str, items: list[Item]) -> None:
    """Records and their name guards by BatchWriteItem: the bench measures reads and the writes
    of a move, not 20,000 transactions (which moto runs by copying the whole table each time)."""
    requests = []
    for item in items:
        requests.append({"PutRequest": {"Item": item_record(item)}})
        guard = {**guard_key(item.user_id, item.parent_id, item.name), "itemId": {"S": item.item_id}}
        requests.append({"PutRequest": {"Item": guard}})
    for start in range(0, len(requests), BATCH_WRITE_SIZE):
        pending: dict[str, Any] = {table: requests[start : start + BATCH_WRITE_SIZE]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


class WriteCounter:
    """Counts the item writes the DynamoDB client sends: each item of a transaction, each batch
    request, each single write. ConditionChecks write nothing and are not counted."""

    def __init__(self, client) -> None:
        self.writes = 0
        client.meta.events.register("before-parameter-build.dynamodb", self._count)

    def _count(self, model, params, **_: Any) -> None:
        if model.name == "TransactWriteItems":
            self.writes += sum(1 for entry in params["TransactItems"] if "ConditionCheck" not in entry)
        elif model.name == "BatchWriteItem":
            self.writes += sum(len(requests) for requests in params["RequestItems"].values())
        elif model.name in WRITE_OPERATIONS:
            self.writes += 1


def median_ms(measure: Callable[[], Any], rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        measure()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def interleaved(
    pairs: dict[str, tuple[Callable[[], Any], Callable[[], Any]]], rounds: int
) -> dict[str, tuple[float, float]]:
    """Each pair's two measures taken in turn, round after round, so load drifts on the shared
    machine hit both alike."""
    for ours, raw in pairs.values():
        ours()
        raw()
    timings: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in pairs}
    for _ in range(rounds):
        for name, (ours, raw) in pairs.items():
            for measure, into in ((ours, timings[name][0]), (raw, timings[name][1])):
                started = time.perf_counter()
                measure()
                into.append(time.perf_counter() - started)
    return {name: (statistics.median(a) * 1000, statistics.median(b) * 1000) for name, (a, b) in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000, help="items in the listed folder and names searched")
    parser.add_argument("--descendants", type=int, default=1_000, help="items under the moved folder")
    parser.add_argument(
        "--rounds", type=int, default=5, help="timed rounds per measure (moto reads a whole table per index Query)"
    )
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        dynamodb = create_aws_client("dynamodb", region="us-east-1", endpoint_url=endpoint, read_timeout=300)
        s3 = create_aws_client("s3", region="us-east-1", endpoint_url=endpoint)
        s3.create_bucket(Bucket=BUCKET)
        counter = WriteCounter(dynamodb)

        def service_on(table: str) -> Drive:
            ensure_table(dynamodb, table_definition(table))
            return build_drive(
                repository=DynamoDbFileRepository(dynamodb, table),
                blob_store=S3BlobStore(s3, BUCKET, part_bytes=5 * 1024 * 1024),
                max_upload_bytes=1,
                download_url_ttl_seconds=60,
            )

        lister, searcher, mover = service_on(LISTED), service_on(SEARCHED), service_on(MOVED)
        loop = asyncio.new_event_loop()
        run = loop.run_until_complete

        started = time.perf_counter()
        # The listed folder: a twentieth folders, the rest files; names with numbers and accents.
        big = folder("lister", "Big", None)
        folders = args.items // 20
        children = [folder("lister", f"Dossier {index}", big.item_id) for index in range(folders)]
        children += [
            file("lister", f"Fichier é{index}.txt", big.item_id, index) for index in range(args.items - folders)
        ]
        write_all(dynamodb, LISTED, [big, *children])
        # The searched user: the same number of names, a hundred folders of files.
        searched = [folder("searcher", f"Folder {index}", None) for index in range(100)]
        searched += [
            file(
                "searcher",
                f"Note {index} résumé.txt" if index % 100 == 0 else f"note {index}.txt",
                searched[index % 100].item_id,
                index,
            )
            for index in range(args.items - 100)
        ]
        write_all(dynamodb, SEARCHED, searched)
        # The moved folders: one empty, one holding `descendants` items ten folders deep.
        empty = folder("mover", "Empty", None)
        full = folder("mover", "Full", None)
        target = folder("mover", "Target", None)
        chain, parent = [], full.item_id
        for depth in range(10):
            chain.append(folder("mover", f"Level {depth}", parent))
            parent = chain[-1].item_id
        inside = [
            *chain,
            *(file("mover", f"f{index}", chain[index % 10].item_id, index) for index in range(args.descendants - 10)),
        ]
        write_all(dynamodb, MOVED, [empty, full, target, *inside])
        print(
            f"{len(children) + len(searched) + len(inside) + 4} items written in {time.perf_counter() - started:.0f} s"
        )

        # Listing: a page of files, from a cursor past the folders (the page that costs most),
        # against the very request it ends with (same index, key condition, start key), raw.
        def listing(sort: SortField, descending: bool, cursor: str | None):  # type: ignore[no-untyped-def]
            kinds = [ItemKind.FOLDER, ItemKind.FILE]
            return run(
                lister.list_children(
                    "lister", big.item_id, sort=sort, descending=descending, kinds=kinds, limit=PAGE, cursor=cursor
                )
            )

        pairs = {}
        for sort, descending in (
            (SortField.NAME, False),
            (SortField.NAME, True),
            (SortField.SIZE, False),
            (SortField.MODIFIED, False),
        ):
            index, attribute = SORT_INDEXES[sort]
            cursor = listing(sort, descending, None).next_cursor
            for _ in range(folders // PAGE):
                cursor = listing(sort, descending, cursor).next_cursor
            page = listing(sort, descending, cursor)
            assert len(page.items) == PAGE and all(item.kind is ItemKind.FILE for item in page.items)
            after = decode_page_cursor(cursor, ["children", big.item_id, sort.value, descending, ["folder", "file"]])
            start = {
                "folderKey": {"S": f"lister#{big.item_id}"},
                attribute: {"S": after},
                "userId": {"S": "lister"},
                "fileId": {"S": sort_key_item_id(after)},
            }

            def ours(sort=sort, descending=descending, cursor=cursor) -> None:
                listing(sort, descending, cursor)

            def raw(index=index, attribute=attribute, descending=descending, start=start) -> None:
                dynamodb.query(
                    TableName=LISTED,
                    IndexName=index,
                    KeyConditionExpression="folderKey = :folder AND begins_with(#sort, :files)",
                    ExpressionAttributeNames={"#sort": attribute},
                    ExpressionAttributeValues={
                        ":folder": {"S": f"lister#{big.item_id}"},
                        ":files": {"S": FILE_RANK + KEY_SEPARATOR},
                    },
                    ScanIndexForward=not descending,
                    ExclusiveStartKey=start,
                    Limit=PAGE,
                )

            pairs[f"{sort.value} {'desc' if descending else 'asc'}"] = (ours, raw)
        listing = interleaved(pairs, args.rounds)

        # Moves and renames: the writes they cost.
        costs = {}
        for moved in (empty, full):
            before = counter.writes
            run(mover.update_item("mover", moved.item_id, kind=ItemKind.FOLDER, name=moved.name + " renamed"))
            renamed = counter.writes - before
            before = counter.writes
            run(mover.update_item("mover", moved.item_id, kind=ItemKind.FOLDER, parent_id=target.item_id))
            costs[moved.name] = (renamed, counter.writes - before)
        deep = run(mover.get_folder("mover", chain[-1].item_id))
        assert [entry.name for entry in deep[1]][:2] == ["Target", "Full renamed"]

        # Search: one page of ours (a bounded slice of the names, the filter, the paths) against
        # one raw Query of the same slice of the same index; and that page on this drive against
        # the same page on a drive a tenth the size (its cost must not follow the drive's size).
        small = service_on(SMALL)

        def search_on(drive: Drive, user: str) -> Callable[[], None]:
            def search() -> None:
                run(drive.search(user, "RESUME", limit=50, cursor=None))

            return search

        def read_slice() -> None:
            dynamodb.query(
                TableName=SEARCHED,
                IndexName="byNewest",
                KeyConditionExpression="ownerId = :user",
                ExpressionAttributeValues={":user": {"S": "searcher"}},
                ScanIndexForward=False,
                Limit=SEARCH_SLICE + 1,
            )

        smaller = [folder("small", f"Folder {index}", None) for index in range(10)]
        smaller += [
            file("small", f"Note {index} résumé.txt" if index % 100 == 0 else f"note {index}.txt", None, index)
            for index in range(args.items // 10 - 10)
        ]
        write_all(dynamodb, SMALL, smaller)
        searching = interleaved(
            {
                "search": (search_on(searcher, "searcher"), read_slice),
                "size": (search_on(searcher, "searcher"), search_on(small, "small")),
            },
            args.rounds,
        )
        loop.close()
    finally:
        server.stop()

    print(
        f"\nListing one page of {PAGE} in a folder of {args.items} items (median of {args.rounds}; page of files after the folders, ms):"
    )
    print(f"{'order':<16}{'ours':>10}{'raw Query':>12}{'ratio':>8}   (target <= 1.5)")
    for name, (ours_ms, raw_ms) in listing.items():
        print(f"{name:<16}{ours_ms:>10.1f}{raw_ms:>12.1f}{ours_ms / raw_ms:>8.2f}")
    print(f"worst listing ratio: {max(a / b for a, b in listing.values()):.2f}")
    print(
        f"\nDynamoDB item writes (rename, move): empty folder {costs['Empty']}, folder with {args.descendants} descendants {costs['Full']}  (target: equal)"
    )
    ours_ms, raw_ms = searching["search"]
    print(
        f"\nSearch, one page over {args.items} names (each request reads at most {SEARCH_SLICE}): {ours_ms:.0f} ms;"
        f" one raw Query of that slice: {raw_ms:.0f} ms; ratio {ours_ms / raw_ms:.2f}  (target <= 1.5)"
    )
    big_ms, small_ms = searching["size"]
    print(
        f"Search, one page over {args.items} names against over {args.items // 10}: {big_ms:.0f} ms / {small_ms:.0f} ms;"
        f" ratio {big_ms / small_ms:.2f}  (target <= 1.5: the cost does not follow the drive's size)"
    )


if __name__ == "__main__":
    main()
