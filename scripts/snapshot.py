"""Copies a local run's tables and bucket (moto server's memory) to a folder and back."""

import base64
import json
import os
import shutil
from pathlib import Path
from typing import BinaryIO

import boto3


class Snapshot:
    """Copies every table item and bucket object of a local run to a folder and back.

    moto server holds everything in memory; this is how a local run keeps its data across a
    clean stop. Uploads still in progress are not kept, and a crash loses what changed since
    the last clean stop.
    """

    def __init__(self, endpoint: str, table_prefix: str, bucket: str) -> None:
        options = {"endpoint_url": endpoint, "region_name": "us-east-1"}
        options |= {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
        self.dynamodb = boto3.client("dynamodb", **options)
        self.s3 = boto3.client("s3", **options)
        self.table_prefix = table_prefix
        self.bucket = bucket

    def save(self, data_dir: Path) -> None:
        """Writes beside the folder, then swaps, so a failed save leaves the last snapshot whole."""
        staging = data_dir.with_name(data_dir.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        # Private: the data is every account's files and password hashes.
        staging.mkdir(mode=0o700)
        (staging / "objects").mkdir(mode=0o700)
        tables = {}
        for page in self.dynamodb.get_paginator("list_tables").paginate():
            for table in page["TableNames"]:
                if table.startswith(self.table_prefix):
                    items = self.dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
                    tables[table.removeprefix(self.table_prefix)] = [item for p in items for item in p["Items"]]
        objects = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for entry in page.get("Contents", []):
                response = self.s3.get_object(Bucket=self.bucket, Key=entry["Key"])
                name = f"{len(objects)}.bin"
                with _open_private(staging / "objects" / name) as out:
                    shutil.copyfileobj(response["Body"], out)
                objects[entry["Key"]] = {
                    "file": name,
                    "ContentType": response.get("ContentType", "application/octet-stream"),
                    "Metadata": response.get("Metadata", {}),
                    "ServerSideEncryption": response.get("ServerSideEncryption"),
                }
        with _open_private(staging / "tables.json") as out:
            out.write(json.dumps(tables, default=_encode_bytes).encode())
        with _open_private(staging / "objects.json") as out:
            out.write(json.dumps(objects).encode())
        old = data_dir.with_name(data_dir.name + ".old")
        if data_dir.exists():
            data_dir.rename(old)
        staging.rename(data_dir)
        shutil.rmtree(old, ignore_errors=True)

    def restore(self, data_dir: Path) -> None:
        if not (data_dir / "tables.json").exists():
            return
        tables = json.loads((data_dir / "tables.json").read_text(), object_hook=_decode_bytes)
        for table, items in tables.items():
            for item in items:
                self.dynamodb.put_item(TableName=self.table_prefix + table, Item=item)
        for key, entry in json.loads((data_dir / "objects.json").read_text()).items():
            extra = {"ServerSideEncryption": entry["ServerSideEncryption"]} if entry["ServerSideEncryption"] else {}
            with open(data_dir / "objects" / entry["file"], "rb") as body:
                self.s3.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=body,
                    ContentType=entry["ContentType"],
                    Metadata=entry["Metadata"],
                    **extra,
                )


def _open_private(path: Path) -> BinaryIO:
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


# DynamoDB's binary attributes arrive as bytes, which JSON cannot hold as they are.
def _encode_bytes(value: object) -> dict:
    if isinstance(value, bytes):
        return {"$base64": base64.b64encode(value).decode()}
    raise TypeError(f"cannot save {type(value).__name__}")


def _decode_bytes(value: dict) -> object:
    return base64.b64decode(value["$base64"]) if value.keys() == {"$base64"} else value
