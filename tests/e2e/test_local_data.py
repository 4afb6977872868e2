"""make run keeps its data across a clean stop: moto server's tables and bucket are saved to
the run folder and restored on the next start."""

import boto3
import pytest

pytestmark = pytest.mark.e2e

ITEM = {"pk": {"S": "snapshot-check"}, "name": {"S": "Ada"}, "raw": {"B": b"\x00\xffbytes"}}
KEY = "users/snapshot-check/file"


def clients(stack):
    options = {"endpoint_url": stack.s3_endpoint, "region_name": "us-east-1"}
    options |= {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    return boto3.client("dynamodb", **options), boto3.client("s3", **options)


def local_run(stack_module, run_dir, data_dir):
    return stack_module.Stack(run_dir=run_dir, ports=stack_module.Ports.free(), with_gateway=False, data_dir=data_dir)


def test_items_and_objects_survive_a_clean_stop_and_start(stack_module, tmp_path):
    data_dir = tmp_path / "data"
    first = local_run(stack_module, tmp_path / "run", data_dir)
    first.start()
    try:
        dynamodb, s3 = clients(first)
        dynamodb.put_item(TableName=f"{first.table_prefix}users", Item=ITEM)
        s3.put_object(Bucket=first.bucket, Key=KEY, Body=b"kept", ContentType="text/plain", Metadata={"a": "b"})
    finally:
        first.stop()
    assert (data_dir / "tables.json").exists()

    second = local_run(stack_module, tmp_path / "run", data_dir)
    second.start()
    try:
        dynamodb, s3 = clients(second)
        item = dynamodb.get_item(TableName=f"{second.table_prefix}users", Key={"pk": ITEM["pk"]})["Item"]
        assert item == ITEM
        stored = s3.get_object(Bucket=second.bucket, Key=KEY)
        assert stored["Body"].read() == b"kept"
        assert stored["ContentType"] == "text/plain" and stored["Metadata"] == {"a": "b"}
    finally:
        second.stop()


def test_a_snapshot_that_cannot_be_read_stops_the_start_and_is_left_as_it_was(stack_module, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "tables.json").write_text("{not json")
    stack = local_run(stack_module, tmp_path / "run", data_dir)
    with pytest.raises(RuntimeError, match="--in-memory"):
        stack.start()
    assert (data_dir / "tables.json").read_text() == "{not json"
    assert not stack.processes
