"""A whole installation moved from SQLite + SeaweedFS to DynamoDB + S3 (moto) and back with
`python -m scloud_admin copy`, seeded and read through the services' own use cases and adapters."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scloud_admin.__main__ import MISMATCH, REFUSED, main
from scloud_auth.adapters.dynamodb import DynamoDbTwoFactorRepository
from scloud_auth.adapters.dynamodb import table_definition as sessions_table
from scloud_auth.adapters.sqlite import SqliteTwoFactorRepository
from scloud_auth.adapters.sqlite_tables import MIGRATIONS as AUTH_MIGRATIONS
from scloud_auth.domain import TwoFactor
from scloud_common.aws import create_aws_client
from scloud_common.provisioning import ensure_indexes, ensure_table
from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from scloud_files.adapters.dynamodb import table_definition as files_table
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.adapters.sqlite import MIGRATIONS as FILES_MIGRATIONS
from scloud_files.adapters.sqlite import SqliteFileRepository
from scloud_files.domain import ItemKind, SortField
from scloud_files.drive.use_cases import Drive, build_drive
from scloud_files.ports import BlobStore, FileRepository
from scloud_users.adapters.dynamodb import DynamoDbUserRepository
from scloud_users.adapters.dynamodb import table_definition as users_table
from scloud_users.adapters.sqlite import MIGRATIONS as USERS_MIGRATIONS
from scloud_users.adapters.sqlite import SqliteUserRepository
from scloud_users.domain import Account, User

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
USER_ID = "user-1"
ACCOUNT = Account(
    User(USER_ID, "ada@example.com", "Ada", "female", "1990-12-10", "2024-01-01T00:00:00+00:00"),
    "$2b$12$abcdefghijklmnopqrstuu5S1W1QpYIK1N6qKSvbu3oXUR3bW/IGm",
)
TWO_FACTOR = TwoFactor(
    USER_ID,
    secret="JBSWY3DPEHPK3PXP",
    last_used_step=123,
    recovery_code_hashes=frozenset({"hash-a", "hash-b"}),
    recovery_salt="salt",
    enabled_at=1_700_000_000,
)
# Over the copy's 8 MiB multipart threshold, so its upload goes in parts.
LARGE = bytes(range(256)) * (9 * MIB // 256)


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), MIB):
        yield data[start : start + MIB]


@dataclass
class SqliteEnd:
    folder: Path
    bucket: str

    def env(self, seaweed) -> str:
        lines = [f"{svc}_STORE=sqlite\n{svc}_SQLITE_PATH={self.folder / svc.lower()}.sqlite" for svc in SERVICES]
        lines += [
            f"FILES_S3_BUCKET={self.bucket}",
            f"FILES_AWS_REGION={seaweed.region}",
            f"AWS_ENDPOINT_URL_S3={seaweed.url}",
            f"AWS_ACCESS_KEY_ID={seaweed.access_key_id}",
            f"AWS_SECRET_ACCESS_KEY={seaweed.secret_access_key}",
        ]
        return _env_file(self.folder / "end.env", lines)

    async def open(self, seaweed) -> tuple[Drive, list[SqliteStore], SqliteUserRepository, SqliteTwoFactorRepository]:
        files = await SqliteStore.open(self.folder / "files.sqlite", migrations=FILES_MIGRATIONS)
        users = await SqliteStore.open(self.folder / "users.sqlite", migrations=USERS_MIGRATIONS)
        auth = await SqliteStore.open(self.folder / "auth.sqlite", migrations=AUTH_MIGRATIONS)
        blobs = S3BlobStore(seaweed.client(), self.bucket, part_bytes=5 * MIB)
        return (
            _drive(SqliteFileRepository(files), blobs),
            [files, users, auth],
            SqliteUserRepository(users),
            SqliteTwoFactorRepository(auth),
        )


SERVICES = ("AUTH", "USERS", "FILES")


def _env_file(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _drive(repository: FileRepository, blobs: BlobStore) -> Drive:
    return build_drive(repository, blobs, max_upload_bytes=50 * MIB, download_url_ttl_seconds=60)


async def seed(end: SqliteEnd, seaweed) -> None:
    """A user with two-factor on, folders, files with bytes, a trashed file and folder, and an
    item deleted forever (hidden, waiting for the purge)."""
    drive, stores, users, two_factor = await end.open(seaweed)
    try:
        await users.add(ACCOUNT)
        await users.mark_email_verified(USER_ID)
        await two_factor.save(TWO_FACTOR)
        photos, _ = await drive.create_folder(USER_ID, name="Photos", parent_id=None)
        year, _ = await drive.create_folder(USER_ID, name="2024", parent_id=photos.item_id)
        await drive.upload_file(USER_ID, file_name="notes.txt", content_type="text/plain", chunks=chunks(b"hello"))
        await drive.upload_file(
            USER_ID,
            file_name="big.bin",
            content_type="application/octet-stream",
            chunks=chunks(LARGE),
            parent_id=year.item_id,
        )
        old = await drive.upload_file(USER_ID, file_name="old.txt", content_type="text/plain", chunks=chunks(b"old"))
        await drive.trash_item(USER_ID, old.item_id, kind=None)
        drafts, _ = await drive.create_folder(USER_ID, name="Drafts", parent_id=None)
        await drive.upload_file(
            USER_ID,
            file_name="draft.md",
            content_type="text/markdown",
            chunks=chunks(b"# draft"),
            parent_id=drafts.item_id,
        )
        await drive.trash_item(USER_ID, drafts.item_id, kind=None)
        gone = await drive.upload_file(USER_ID, file_name="gone.txt", content_type="text/plain", chunks=chunks(b"x"))
        await drive.trash_item(USER_ID, gone.item_id, kind=None)
        await drive.delete_forever(USER_ID, [gone.item_id])
    finally:
        for store in stores:
            await store.close()


async def what_the_user_sees(drive: Drive, blobs: BlobStore) -> dict[str, object]:
    """Every folder's listing (names, kinds, sizes, types), the trash, the totals, and each file's bytes."""
    seen: dict[str, object] = {}
    folders: list[str | None] = [None]
    while folders:
        folder = folders.pop()
        page = await drive.list_children(
            USER_ID,
            folder,
            sort=SortField.NAME,
            descending=False,
            kinds=[ItemKind.FOLDER, ItemKind.FILE],
            limit=100,
            cursor=None,
        )
        seen[f"folder {folder}"] = [
            (i.item_id, i.name, i.kind, i.size, i.content_type, i.modified_at) for i in page.items
        ]
        folders += [item.item_id for item in page.items if item.is_folder]
        for item in page.items:
            if item.object_key:
                seen[f"bytes {item.item_id}"] = await asyncio.to_thread(
                    lambda key=item.object_key: b"".join(blobs.read_blocking(key))
                )
    trash = await drive.list_trash(USER_ID, limit=100, cursor=None)
    seen["trash"] = [(item.item_id, item.name, item.trashed_at) for item in trash.items]
    seen["usage"] = await drive.get_storage_usage(USER_ID)
    return seen


@pytest.fixture
def moto_end(aws_endpoint_url, tmp_path):
    prefix = f"admin-{uuid.uuid4().hex[:8]}-"
    dynamodb = create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url)
    for definition in (sessions_table, users_table, files_table):
        table = definition(
            prefix + {sessions_table: "sessions", users_table: "users", files_table: "files"}[definition]
        )
        ensure_table(dynamodb, table)
        ensure_indexes(dynamodb, table)
    s3 = create_aws_client("s3", region="us-east-1", endpoint_url=aws_endpoint_url)
    s3.create_bucket(Bucket=prefix + "bucket")
    lines = [
        f"{svc}_STORE=dynamodb\n{svc}_DYNAMODB_TABLE_PREFIX={prefix}\n{svc}_AWS_ENDPOINT_URL={aws_endpoint_url}"
        for svc in SERVICES
    ]
    lines += [f"FILES_S3_BUCKET={prefix}bucket", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test"]
    return _env_file(tmp_path / "moto.env", lines), prefix, aws_endpoint_url


async def read_moto(prefix: str, endpoint: str) -> tuple[dict[str, object], Account | None, TwoFactor | None]:
    dynamodb = create_aws_client("dynamodb", region="us-east-1", endpoint_url=endpoint)
    blobs = S3BlobStore(
        create_aws_client("s3", region="us-east-1", endpoint_url=endpoint), prefix + "bucket", part_bytes=5 * MIB
    )
    drive = _drive(DynamoDbFileRepository(dynamodb, prefix + "files"), blobs)
    return (
        await what_the_user_sees(drive, blobs),
        await DynamoDbUserRepository(dynamodb, prefix + "users").get(USER_ID),
        await DynamoDbTwoFactorRepository(dynamodb, prefix + "sessions").get(USER_ID),
    )


async def read_sqlite(end: SqliteEnd, seaweed) -> tuple[dict[str, object], Account | None, TwoFactor | None]:
    drive, stores, users, two_factor = await end.open(seaweed)
    try:
        blobs = S3BlobStore(seaweed.client(), end.bucket, part_bytes=5 * MIB)
        return await what_the_user_sees(drive, blobs), await users.get(USER_ID), await two_factor.get(USER_ID)
    finally:
        for store in stores:
            await store.close()


def sqlite_end(folder: Path, seaweed) -> SqliteEnd:
    folder.mkdir()
    bucket = f"admin-{uuid.uuid4().hex[:8]}"
    seaweed.client().create_bucket(Bucket=bucket)
    return SqliteEnd(folder, bucket)


def test_an_installation_moves_to_dynamodb_and_s3_and_back_equal(seaweed_s3, moto_end, tmp_path, capsys):
    source = sqlite_end(tmp_path / "source", seaweed_s3)
    asyncio.run(seed(source, seaweed_s3))
    seen, account, two_factor = asyncio.run(read_sqlite(source, seaweed_s3))
    assert account == Account(User(**{**vars(ACCOUNT.user), "email_verified": True}), ACCOUNT.password_hash)
    assert len(seen["trash"]) == 2 and seen["usage"].file_count == 5
    moto_env, prefix, endpoint = moto_end

    assert main(["copy", "--from", source.env(seaweed_s3), "--to", moto_env]) == 0
    report = capsys.readouterr().out
    assert "MISMATCH" not in report and "files.file, trashed" in report and "files.file, marked for purge" in report
    assert asyncio.run(read_moto(prefix, endpoint)) == (seen, account, two_factor)

    back = sqlite_end(tmp_path / "back", seaweed_s3)
    assert main(["copy", "--from", moto_env, "--to", back.env(seaweed_s3)]) == 0
    assert "MISMATCH" not in capsys.readouterr().out
    assert asyncio.run(read_sqlite(back, seaweed_s3)) == (seen, account, two_factor)
    assert main(["verify", "--from", source.env(seaweed_s3), "--to", back.env(seaweed_s3)]) == 0


def test_a_finished_target_is_refused_and_force_copies_nothing_equal(seaweed_s3, moto_end, tmp_path, capsys):
    source = sqlite_end(tmp_path / "source", seaweed_s3)
    asyncio.run(seed(source, seaweed_s3))
    moto_env, prefix, endpoint = moto_end
    assert main(["copy", "--from", source.env(seaweed_s3), "--to", moto_env]) == 0
    capsys.readouterr()

    assert main(["copy", "--from", source.env(seaweed_s3), "--to", moto_env]) == REFUSED
    assert "holds data" in capsys.readouterr().err
    assert main(["copy", "--from", source.env(seaweed_s3), "--to", moto_env, "--force"]) == 0
    out = capsys.readouterr().out
    assert "objects: 0 copied, 5 already there" in out and "files records: 0 written" in out

    # A file the target has and the source does not is a difference the check reports.
    create_aws_client("s3", region="us-east-1", endpoint_url=endpoint).put_object(
        Bucket=prefix + "bucket", Key="users/someone/01J000000000000000000000AA", Body=b"stray"
    )
    assert main(["verify", "--from", source.env(seaweed_s3), "--to", moto_env]) == MISMATCH
    assert "only in the target: users/someone/01J000000000000000000000AA" in capsys.readouterr().out
