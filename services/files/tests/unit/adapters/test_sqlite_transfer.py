"""The files records a move between stores carries keep what steps 11 and 16 added: the trash's share of
the totals, the admin's quota and a file's checksum (`python -m scloud_admin`; the DynamoDB side is held to the same
records by admin's RecordStore contract)."""

from dataclasses import replace

from scloud_files.adapters.sqlite.transfer import SqliteFilesTransfer
from scloud_files.transfer_record import item_transfer_record, usage_record
from services.files.tests.contracts.file_ports import a_file


async def test_trash_bytes_quotas_and_checksums_move_with_the_records(tmp_path):
    transfer = await SqliteFilesTransfer.open(str(tmp_path / "files.db"))
    try:
        file = replace(a_file(user_id="u1", size=4), sha256="n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=-2")
        usage = usage_record("u1", bytes_used=4, file_count=1, closed=False, trash_bytes=4, quota_bytes=2**40)
        quota_only = usage_record("u2", bytes_used=0, file_count=0, closed=False, quota_bytes=0)
        records = [usage, item_transfer_record(file, purging=False), quota_only]
        assert (await transfer.write(records)).written == 3
        read = [record async for page in transfer.pages(10) for record in page]
        assert sorted(read, key=lambda record: record.key) == sorted(records, key=lambda record: record.key)
        assert (await transfer.write(records)).unchanged == 3
    finally:
        await transfer.close()


def test_totals_without_trash_bytes_or_a_quota_read_as_before():
    body = usage_record("u1", bytes_used=3, file_count=1, closed=False).body
    assert "trash_bytes" not in body and "quota_bytes" not in body
