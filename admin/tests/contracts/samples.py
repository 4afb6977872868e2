"""Records of every kind each service's store holds, for the RecordStore contract."""

from dataclasses import replace

from admin.tests.contracts.record_store import Samples
from scloud_auth.domain import TwoFactor
from scloud_auth.transfer_record import two_factor_record
from scloud_files.domain import Item, ItemKind, UnfiledFile
from scloud_files.transfer_record import item_transfer_record, unfiled_record, usage_record
from scloud_users.domain import Account, User
from scloud_users.transfer_record import account_record

FOLDER_ID = "01J0000000000000000000000F"
FILE_ID = "01J0000000000000000000000A"
TRASHED_ID = "01J0000000000000000000000B"
UNFILED_ID = "01J0000000000000000000000C"


def auth_samples() -> Samples:
    two_factor = TwoFactor(
        "u1", secret="S", last_used_step=3, recovery_code_hashes=frozenset({"a", "b"}), recovery_salt="s"
    )
    return Samples(
        [two_factor_record(two_factor), two_factor_record(TwoFactor("u2", pending_secret="P"))],
        two_factor_record(replace(two_factor, last_used_step=4, recovery_code_hashes=frozenset({"b"}))),
    )


def users_samples() -> Samples:
    user = User("u1", "a@example.com", "Ada", None, "1990-01-01", "2024-01-01T00:00:00+00:00", email_verified=True)
    other = User("u2", "b@example.com", "Bob", "male", None, "2024-01-02T00:00:00+00:00")
    return Samples(
        [account_record(Account(user, "hash-1")), account_record(Account(other, "hash-2"))],
        account_record(Account(replace(user, username="Ada L", email="ada@example.com"), "hash-3")),
    )


def files_samples() -> Samples:
    at = "2024-01-01T00:00:00+00:00"
    folder = Item(FOLDER_ID, "u1", ItemKind.FOLDER, "Photos", None, at, at)
    file = Item(
        FILE_ID,
        "u1",
        ItemKind.FILE,
        "a.txt",
        FOLDER_ID,
        at,
        at,
        size=3,
        content_type="text/plain",
        object_key=f"users/u1/{FILE_ID}",
        media_type="text/plain",
    )
    trashed = Item(
        TRASHED_ID,
        "u1",
        ItemKind.FILE,
        "b.txt",
        None,
        at,
        at,
        size=4,
        content_type="text/plain",
        object_key=f"users/u1/{TRASHED_ID}",
        trashed_at=at,
        purge_at="2024-02-01T00:00:00+00:00",
        deleting=True,
    )
    unfiled = UnfiledFile(UNFILED_ID, "u1", "old.txt", 5, "text/plain", at, f"users/u1/{UNFILED_ID}")
    usage = usage_record("u1", bytes_used=12, file_count=3, closed=False, quota_bytes=5 * 2**30)
    assert usage is not None
    return Samples(
        [
            item_transfer_record(folder, purging=True),
            item_transfer_record(file, purging=False),
            item_transfer_record(trashed, purging=False),
            unfiled_record(unfiled),
            usage,
        ],
        item_transfer_record(replace(file, name="renamed.txt", parent_id=None), purging=False),
    )
