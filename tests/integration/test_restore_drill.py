"""The restore drill (scripts/restore_drill.py, docs/operations.md) against the stand-ins: moto
server for DynamoDB (its on-demand backups keep the table as it was when they were taken) and
SeaweedFS with versioning on for S3. Besides the drill passing, these show that it fails when a
restore does not give back what was there, so its comparisons are real."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scloud_common.aws import create_aws_client
from scripts import restore_drill, table_export

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DRILL_TIMEOUT_SECONDS = 120
CHECKS = (
    "export by Scan",
    "damage",
    "table restored from backup",
    "table restored from export",
    "object damage",
    "deleted object, delete marker removed",
    "overwritten object, previous version copied",
)


def drill_arguments(aws_endpoint_url: str, seaweed_s3, bucket: str, export_dir: Path) -> list[str]:
    return [
        "--dynamodb-endpoint",
        aws_endpoint_url,
        "--s3-endpoint",
        seaweed_s3.url,
        "--bucket",
        bucket,
        "--export-dir",
        str(export_dir),
        "--wait-timeout",
        "30",
    ]


def run_drill(arguments: list[str], seaweed_s3) -> subprocess.CompletedProcess[str]:
    # SeaweedFS checks its identity's signature; moto takes any credentials, so one identity does.
    environment = {**os.environ, **seaweed_s3.client_env()}
    return subprocess.run(
        [sys.executable, "-m", "scripts.restore_drill", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=DRILL_TIMEOUT_SECONDS,
    )


def results(report: str) -> dict[str, str]:
    """Each check's OK or FAIL, by what it checks."""
    lines = [line.strip() for line in report.splitlines()[1:-1]]
    return {line[4:].strip().split(":")[0]: line[:4].strip() for line in lines}


def test_the_drill_restores_a_table_and_objects_equal_to_the_backup_and_leaves_nothing(
    aws_endpoint_url, seaweed_s3, tmp_path
):
    drill = run_drill(drill_arguments(aws_endpoint_url, seaweed_s3, seaweed_s3.bucket, tmp_path), seaweed_s3)

    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert results(drill.stdout) == dict.fromkeys(CHECKS, "OK")
    assert drill.stdout.splitlines()[-1] == "PASSED"
    run = drill.stdout.splitlines()[0].removeprefix("restore drill ")
    [export] = tmp_path.glob("*.json")
    assert json.loads(export.read_text())["Count"] == 40
    assert sorted(path.name for path in tmp_path.glob("*.bin")) == [
        f"restore-drill_{run}_deleted.bin",
        f"restore-drill_{run}_overwritten.bin",
    ]
    s3 = seaweed_s3.client()
    listing = s3.list_object_versions(Bucket=seaweed_s3.bucket, Prefix=f"restore-drill/{run}/")
    assert not listing.get("Versions") and not listing.get("DeleteMarkers")
    dynamodb = create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url)
    assert not [name for name in dynamodb.list_tables(Limit=100)["TableNames"] if run in name]


def test_the_drill_fails_when_the_bucket_keeps_no_versions(aws_endpoint_url, seaweed_s3, tmp_path, unique_name):
    seaweed_s3.client().create_bucket(Bucket=unique_name)

    drill = run_drill(drill_arguments(aws_endpoint_url, seaweed_s3, unique_name, tmp_path), seaweed_s3)

    assert drill.returncode == 1, drill.stdout + drill.stderr
    checks = results(drill.stdout)
    assert checks["deleted object, delete marker removed"] == "FAIL"
    assert checks["overwritten object, previous version copied"] == "FAIL"
    assert f"is versioning on for {unique_name}?" in drill.stdout
    assert drill.stdout.splitlines()[-1] == "FAILED"


def alter_an_item_after_the_restore(original):
    def restore(drill, backup_arn, target):
        original(drill, backup_arn, target)
        item = drill.dynamodb.scan(TableName=target, Limit=1)["Items"][0]
        drill.dynamodb.put_item(TableName=target, Item={**item, "size": {"N": "7"}})

    return restore


def flip_a_byte_after_the_restore(original):
    def restore(drill, key):
        original(drill, key)
        body = bytearray(restore_drill.read_object(drill, key))
        body[-1] ^= 1
        drill.s3.put_object(Bucket=drill.bucket, Key=key, Body=bytes(body))

    return restore


@pytest.mark.parametrize(
    ("step", "sabotage", "failed_check"),
    [
        ("restore_table_from_backup", alter_an_item_after_the_restore, "table restored from backup"),
        ("restore_overwritten_object", flip_a_byte_after_the_restore, "overwritten object, previous version copied"),
    ],
)
def test_the_drill_fails_when_a_restore_differs_from_the_backup(
    aws_endpoint_url, seaweed_s3, tmp_path, monkeypatch, capsys, step, sabotage, failed_check
):
    for name, value in seaweed_s3.client_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(restore_drill, step, sabotage(getattr(restore_drill, step)))

    exit_code = restore_drill.main(drill_arguments(aws_endpoint_url, seaweed_s3, seaweed_s3.bucket, tmp_path))

    report = capsys.readouterr().out
    assert exit_code == 1, report
    assert results(report) == {**dict.fromkeys(CHECKS, "OK"), failed_check: "FAIL"}
    assert report.splitlines()[-1] == "FAILED"


def test_the_export_comparison_names_the_items_that_differ(tmp_path, capsys):
    item = {"userId": {"S": "u1"}, "fileId": {"S": "f1"}, "size": {"N": "1.50"}, "body": {"B": "AP8="}}
    other = {**item, "fileId": {"S": "f2"}}
    expected, actual = tmp_path / "expected.json", tmp_path / "actual.json"
    expected.write_text(json.dumps({"Items": [item, other]}))
    # The same number written another way is equal; one changed byte is not.
    actual.write_text(json.dumps({"Items": [{**item, "size": {"N": "1.5"}}, {**other, "body": {"B": "AP4="}}]}))
    keys = ["--key", "userId", "--key", "fileId"]

    assert table_export.main([str(expected), str(expected), *keys]) == 0
    assert capsys.readouterr().out == "equal\n"
    assert table_export.main([str(expected), str(actual), *keys]) == 1
    assert capsys.readouterr().out == "differs ('u1', 'f2')\n"
