"""A restore drill: proves that the backups docs/operations.md relies on restore what was there.

On a throwaway table and two throwaway objects (nothing of the service's is read or touched):

1. seed: a table (hash + range key, a global index) with items of every attribute type, and two
   objects under `restore-drill/<run>/` in the given bucket;
2. back up: an on-demand DynamoDB backup, a JSON export by Scan (the `aws dynamodb scan` format,
   the portable form) and a copy of each object's bytes, all in the export folder;
3. damage: delete and change items and add one; delete one object, overwrite the other;
4. restore: the table from the backup into a new table, and from the JSON export into another;
   the deleted object by removing its delete marker, the overwritten one by copying its previous
   version over it;
5. compare: each restored table item for item with the export, each object byte for byte with
   its copy; the damage itself is checked too, so a drill whose damage did nothing fails.

It prints a short report and exits 0 only when every check passed, 1 when one failed, 2 when the
drill could not run (an endpoint or permission error). Then it deletes what it made (--keep
leaves it). Credentials and region come from the environment as boto3 finds them; endpoints
from --dynamodb-endpoint/--s3-endpoint, else boto3's own resolution (AWS_ENDPOINT_URL_DYNAMODB,
AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS).

    python -m scripts.restore_drill --dynamodb-endpoint http://127.0.0.1:5000 \\
        --s3-endpoint http://127.0.0.1:8333 --bucket scloud-files
"""

import argparse
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from scloud_common.aws import create_aws_client
from scripts.table_export import Item, compare_items, export_table, load_export

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

# Each AWS call: a dead endpoint fails in seconds, a throttle or dropped connection is retried.
CONNECT_TIMEOUT_SECONDS = 2.0
READ_TIMEOUT_SECONDS = 20.0
MAX_ATTEMPTS = 5
# A restore on AWS takes minutes to hours with the table's size; the stand-ins answer at once.
DEFAULT_WAIT_SECONDS = 1800.0
POLL_MAX_SECONDS = 10.0
BATCH_WRITE_ITEMS = 25
BATCH_WRITE_ROUNDS = 8
OBJECT_PREFIX = "restore-drill"
KEY_NAMES = ("pk", "sk")
INDEX_NAME = "by-owner"
EXIT_PASSED, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


class RestoreFailed(Exception):
    """A restore step found nothing to restore from (a missing version or delete marker)."""


@dataclass
class Check:
    what: str
    ok: bool
    detail: str


@dataclass
class Report:
    run: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, what: str, differences: list[str], passed: str) -> None:
        detail = passed if not differences else "; ".join(differences[:5]) + (" ..." if len(differences) > 5 else "")
        self.checks.append(Check(what, not differences, detail))

    def text(self) -> str:
        lines = [f"restore drill {self.run}"]
        lines += [f"  {'OK  ' if check.ok else 'FAIL'} {check.what}: {check.detail}" for check in self.checks]
        lines.append("PASSED" if self.ok else "FAILED")
        return "\n".join(lines)


@dataclass
class Drill:
    dynamodb: "DynamoDBClient"
    s3: "S3Client"
    bucket: str
    export_dir: Path
    run: str
    item_count: int = 40
    wait_seconds: float = DEFAULT_WAIT_SECONDS
    backup_arn: str | None = None
    tables_made: list[str] = field(default_factory=list)

    @property
    def table(self) -> str:
        return f"restore-drill-{self.run}"

    @property
    def prefix(self) -> str:
        return f"{OBJECT_PREFIX}/{self.run}/"


def wait_until(ready: Callable[[], bool], what: str, timeout: float) -> None:
    """Polls `ready` with growing pauses until it holds; TimeoutError past `timeout`."""
    deadline, pause = time.monotonic() + timeout, 0.1
    while not ready():
        if time.monotonic() + pause > deadline:
            raise TimeoutError(f"{what} not done within {timeout:.0f} s")
        time.sleep(pause)
        pause = min(pause * 2, POLL_MAX_SECONDS)


def wait_for_table(drill: Drill, table: str) -> None:
    def active() -> bool:
        return drill.dynamodb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"

    wait_until(active, f"table {table}", drill.wait_seconds)


def seed_items(count: int) -> list[Item]:
    """Items of every attribute type, some without the optional ones, as DynamoDB JSON."""
    items = []
    for number in range(count):
        item: Item = {
            "pk": {"S": f"user#{number % 7}"},
            "sk": {"N": str(number)},
            "owner": {"S": f"owner-{number % 3}"},
            "name": {"S": f"Fichier {number} — ü.txt"},
            "size": {"N": f"{number * 1024}.50"},
            "body": {"B": secrets.token_bytes(16 + number)},
            "trashed": {"BOOL": number % 2 == 0},
        }
        if number % 4 == 0:
            item["tags"] = {"SS": ["a", f"t{number}"]}
            item["scores"] = {"NS": ["1", str(number + 2)]}
            item["meta"] = {"M": {"parts": {"L": [{"N": "1"}, {"S": "x"}, {"B": b"\x00\xff"}]}, "gone": {"NULL": True}}}
        items.append(item)
    return items


def create_table(drill: Drill, table: str) -> None:
    drill.tables_made.append(table)
    drill.dynamodb.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "owner", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": INDEX_NAME,
                "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    wait_for_table(drill, table)


def write_items(drill: Drill, table: str, items: list[Item]) -> None:
    """BatchWriteItem 25 at a time; what DynamoDB leaves unprocessed is sent again, a bounded
    number of rounds."""
    for start in range(0, len(items), BATCH_WRITE_ITEMS):
        requests: Any = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH_WRITE_ITEMS]]}
        for round_number in range(BATCH_WRITE_ROUNDS):
            requests = drill.dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems")
            if not requests:
                break
            time.sleep(min(0.1 * 2**round_number, POLL_MAX_SECONDS))
        else:
            raise TimeoutError(f"{table}: items still unprocessed after {BATCH_WRITE_ROUNDS} rounds")


def scan_items(drill: Drill, table: str) -> list[Item]:
    items: list[Item] = []
    for page in drill.dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items += page["Items"]
    return items


def compare_schema(drill: Drill, table: str) -> list[str]:
    def schema(name: str) -> tuple[Any, ...]:
        description = drill.dynamodb.describe_table(TableName=name)["Table"]
        indexes = sorted(index["IndexName"] for index in description.get("GlobalSecondaryIndexes", []))
        return (description["KeySchema"], indexes)

    source, restored = schema(drill.table), schema(table)
    return [] if source == restored else [f"key schema or indexes {restored} instead of {source}"]


def damage_table(drill: Drill, items: list[Item]) -> None:
    """Deletes every third item, changes every fifth of the others, adds one never backed up."""
    for number, item in enumerate(items):
        key = {name: item[name] for name in KEY_NAMES}
        if number % 3 == 0:
            drill.dynamodb.delete_item(TableName=drill.table, Key=key)
        elif number % 5 == 0:
            drill.dynamodb.update_item(
                TableName=drill.table,
                Key=key,
                UpdateExpression="SET #name = :name",
                ExpressionAttributeNames={"#name": "name"},
                ExpressionAttributeValues={":name": {"S": "changed after the backup"}},
            )
    drill.dynamodb.put_item(TableName=drill.table, Item={**items[0], "sk": {"N": "-1"}})


def back_up_table(drill: Drill) -> str:
    backup = drill.dynamodb.create_backup(TableName=drill.table, BackupName=drill.table)["BackupDetails"]
    arn = drill.backup_arn = backup["BackupArn"]

    def available() -> bool:
        details = drill.dynamodb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
        return details["BackupStatus"] == "AVAILABLE"

    wait_until(available, f"backup of {drill.table}", drill.wait_seconds)
    return arn


def restore_table_from_backup(drill: Drill, backup_arn: str, target: str) -> None:
    drill.tables_made.append(target)
    drill.dynamodb.restore_table_from_backup(TargetTableName=target, BackupArn=backup_arn)
    wait_for_table(drill, target)


def restore_table_from_export(drill: Drill, export: Path, target: str) -> None:
    create_table(drill, target)
    write_items(drill, target, load_export(export))


def object_versions(drill: Drill, key: str) -> Iterator[dict[str, Any]]:
    """The key's versions and delete markers, newest first (S3 lists each key's that way)."""
    for page in drill.s3.get_paginator("list_object_versions").paginate(Bucket=drill.bucket, Prefix=key):
        entries: list[Any] = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        # Versions and markers come in two lists; IsLatest and the listing order place them.
        entries.sort(key=lambda entry: not entry["IsLatest"])
        yield from (entry for entry in entries if entry["Key"] == key)


def restore_deleted_object(drill: Drill, key: str) -> None:
    """Removes the delete marker that hides the object, as an operator would."""
    latest = next(object_versions(drill, key), None)
    if latest is None or "Size" in latest:
        raise RestoreFailed(f"no delete marker on {key}: is versioning on for {drill.bucket}?")
    drill.s3.delete_object(Bucket=drill.bucket, Key=key, VersionId=latest["VersionId"])


def restore_overwritten_object(drill: Drill, key: str) -> None:
    """Copies the version before the current one over it (the history keeps both)."""
    versions = [entry for entry in object_versions(drill, key) if "Size" in entry]
    if len(versions) < 2:
        raise RestoreFailed(f"no earlier version of {key}: is versioning on for {drill.bucket}?")
    source: Any = {"Bucket": drill.bucket, "Key": key, "VersionId": versions[1]["VersionId"]}
    drill.s3.copy_object(Bucket=drill.bucket, Key=key, CopySource=source)


def read_object(drill: Drill, key: str) -> bytes:
    body: bytes = drill.s3.get_object(Bucket=drill.bucket, Key=key)["Body"].read()
    return body


def compare_object(drill: Drill, key: str, expected: bytes) -> list[str]:
    try:
        actual = read_object(drill, key)
    except ClientError as exc:
        return [f"{key}: {exc.response['Error']['Code']}"]
    if actual != expected:
        return [f"{key}: {len(actual)} bytes differ from the {len(expected)} backed up"]
    return []


def drill_table(drill: Drill, report: Report) -> None:
    seeded = seed_items(drill.item_count)
    create_table(drill, drill.table)
    write_items(drill, drill.table, seeded)
    backup_arn = back_up_table(drill)
    export = drill.export_dir / f"{drill.table}.json"
    export_table(scan_items(drill, drill.table), export)
    exported = load_export(export)
    report.add("export by Scan", compare_items(seeded, exported, KEY_NAMES), f"{len(exported)} items in {export.name}")
    damage_table(drill, seeded)
    damaged = bool(compare_items(exported, scan_items(drill, drill.table), KEY_NAMES))
    report.add("damage", [] if damaged else ["the table still equals its export"], "items deleted, changed, added")
    from_backup, from_export = f"{drill.table}-from-backup", f"{drill.table}-from-export"
    restore_table_from_backup(drill, backup_arn, from_backup)
    restore_table_from_export(drill, export, from_export)
    for how, target in (("backup", from_backup), ("export", from_export)):
        differences = compare_schema(drill, target) + compare_items(exported, scan_items(drill, target), KEY_NAMES)
        report.add(f"table restored from {how}", differences, f"{len(exported)} items equal in {target}")


def drill_objects(drill: Drill, report: Report) -> None:
    deleted, overwritten = f"{drill.prefix}deleted.bin", f"{drill.prefix}overwritten.bin"
    originals: dict[str, bytes] = {}
    for key, size in ((deleted, 300 * 1024), (overwritten, 64 * 1024 + 1)):
        drill.s3.put_object(Bucket=drill.bucket, Key=key, Body=secrets.token_bytes(size))
        # The copy in the export folder, read back from disk, is what a restore must equal.
        copy = drill.export_dir / key.replace("/", "_")
        copy.write_bytes(read_object(drill, key))
        originals[key] = copy.read_bytes()
    drill.s3.delete_object(Bucket=drill.bucket, Key=deleted)
    drill.s3.put_object(Bucket=drill.bucket, Key=overwritten, Body=b"overwritten by mistake")
    damaged = compare_object(drill, deleted, originals[deleted]) and compare_object(
        drill, overwritten, originals[overwritten]
    )
    report.add("object damage", [] if damaged else ["the objects are unchanged"], "one deleted, one overwritten")
    for what, key, restore in (
        ("deleted object, delete marker removed", deleted, restore_deleted_object),
        ("overwritten object, previous version copied", overwritten, restore_overwritten_object),
    ):
        try:
            restore(drill, key)
            differences = compare_object(drill, key, originals[key])
        except RestoreFailed as exc:
            differences = [str(exc)]
        report.add(what, differences, f"{len(originals[key])} bytes equal")


def clean_up(drill: Drill) -> list[str]:
    """Deletes what the drill made; returns what it could not delete."""
    left: list[str] = []
    for table in drill.tables_made:
        try:
            drill.dynamodb.delete_table(TableName=table)
        except (BotoCoreError, ClientError) as exc:
            left.append(f"table {table} ({exc})")
    if drill.backup_arn:
        try:
            drill.dynamodb.delete_backup(BackupArn=drill.backup_arn)
        except (BotoCoreError, ClientError) as exc:
            left.append(f"backup {drill.backup_arn} ({exc})")
    try:
        for page in drill.s3.get_paginator("list_object_versions").paginate(Bucket=drill.bucket, Prefix=drill.prefix):
            for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                drill.s3.delete_object(Bucket=drill.bucket, Key=entry["Key"], VersionId=entry["VersionId"])
    except (BotoCoreError, ClientError) as exc:
        left.append(f"objects under s3://{drill.bucket}/{drill.prefix} ({exc})")
    return left


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bucket", required=True, help="bucket the drill's objects go in (versioning must be on)")
    parser.add_argument("--dynamodb-endpoint", help="DynamoDB endpoint URL (default: boto3's resolution)")
    parser.add_argument("--s3-endpoint", help="S3 endpoint URL (default: boto3's resolution)")
    parser.add_argument("--region", default=boto3.session.Session().region_name or "us-east-1")
    parser.add_argument("--items", type=int, default=40, help="items in the throwaway table")
    parser.add_argument("--export-dir", type=Path, help="where the JSON export and object copies go (kept)")
    parser.add_argument("--wait-timeout", type=float, default=DEFAULT_WAIT_SECONDS, help="bound of each wait (s)")
    parser.add_argument("--keep", action="store_true", help="leave the tables, backup and objects in place")
    return parser.parse_args(argv)


def run_drill(drill: Drill) -> Report:
    report = Report(drill.run)
    drill_table(drill, report)
    drill_objects(drill, report)
    return report


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    timeouts: Any = dict(
        region=arguments.region,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        max_attempts=MAX_ATTEMPTS,
    )
    run = f"{time.strftime('%Y%m%d%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"
    with tempfile.TemporaryDirectory(prefix="restore-drill-") as scratch:
        export_dir = arguments.export_dir or Path(scratch)
        export_dir.mkdir(parents=True, exist_ok=True)
        drill = Drill(
            dynamodb=create_aws_client("dynamodb", endpoint_url=arguments.dynamodb_endpoint, **timeouts),
            s3=create_aws_client("s3", endpoint_url=arguments.s3_endpoint, **timeouts),
            bucket=arguments.bucket,
            export_dir=export_dir,
            run=run,
            item_count=arguments.items,
            wait_seconds=arguments.wait_timeout,
        )
        try:
            report = run_drill(drill)
        except (BotoCoreError, ClientError, TimeoutError) as exc:
            print(f"restore drill {run} could not run: {exc}", file=sys.stderr)
            return EXIT_ERROR
        finally:
            left = [] if arguments.keep else clean_up(drill)
            for what in left:
                print(f"not deleted, delete it by hand: {what}", file=sys.stderr)
    print(report.text())
    return EXIT_PASSED if report.ok else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
