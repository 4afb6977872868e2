"""The files records a move between stores carries keep what step 11 added: the trash's share of
the totals and a file's checksum (`python -m scloud_admin`; the DynamoDB side is held to the same
records by admin's RecordStore contract)."""

from dataclasses import replace

from scloud_files.adapters.sqlite.transfer import SqliteFilesTransfer
from scloud_files.transfer_record import item_transfer_record, usage_record
from services.files.tests.contracts.file_ports import a_file


async def test_trash_bytes_and_checksums_move_with_the_records(tmp_path):
    transfer = await SqliteFilesTransfer.open(str(tmp_path / "files.db"))
    try:
        file = replace(a_file(user_id="u1", size=4), sha256="n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=-2")
        usage = usage_record("u1", bytes_used=4, file_count=1, closed=False, trash_bytes=4)
        records = [usage, item_transfer_record(file, purging=False)]
        assert (await transfer.write(records)).written == 2
        read = [record async for page in transfer.pages(10) for record in page]
        assert read == records
        assert (await transfer.write(records)).unchanged == 2
    finally:
        await transfer.close()


def test_totals_without_trash_bytes_read_as_before():
    assert "trash_bytes" not in usage_record("u1", bytes_used=3, file_count=1, closed=False).body
