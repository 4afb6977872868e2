"""`python -m scloud_files.reconcile` on moto: built through the bootstrap from the settings, it
reports a file row whose object is missing and leaves a young object without a row alone."""

import asyncio

import pytest

from scloud_files import reconcile
from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from services.files.tests.contracts.file_ports import a_file

pytestmark = pytest.mark.integration


async def test_the_command_reports_rows_without_objects_and_spares_young_objects(
    settings, dynamodb, s3, monkeypatch, capsys
):
    for name, value in {
        "FILES_AWS_ENDPOINT_URL": settings.aws_endpoint_url,
        "FILES_DYNAMODB_TABLE_PREFIX": settings.dynamodb_table_prefix,
        "FILES_S3_BUCKET": settings.s3_bucket,
        "FILES_ENVIRONMENT": "test",
        "FILES_OBJECT_KEY_SECRET": settings.object_key_secret.get_secret_value(),
    }.items():
        monkeypatch.setenv(name, value)
    row_only = a_file("row-only.txt")
    await DynamoDbFileRepository(dynamodb, settings.files_table).create(row_only)
    young = "users/alice/01JAAAAAAAAAAAAAAAAAAAAAAA"
    s3.put_object(Bucket=settings.s3_bucket, Key=young, Body=b"in flight")

    await asyncio.to_thread(reconcile.main)

    out = capsys.readouterr().out
    assert "objects checked 1, deleted without a row 0" in out
    assert f"row without object\talice\t{row_only.item_id}" in out
    assert s3.get_object(Bucket=settings.s3_bucket, Key=young)["Body"].read() == b"in flight"
