"""`backup create|verify|restore` on SQLite files (embedded, so in the unit tier) and the in-memory
object store: a round trip restores every row and object, a damaged or cut archive is refused
with nothing restored, a target holding data is refused unless forced, DynamoDB is refused."""

import tarfile
from pathlib import Path

import pytest

from scloud_admin.__main__ import CORRUPT, DONE, REFUSED, main
from scloud_admin.adapters.in_memory import InMemoryObjectStore
from scloud_admin.adapters.sqlite_database import SqliteDatabaseFile
from scloud_admin.archive import MANIFEST_NAME, ArchiveCorrupt, read_manifest
from scloud_admin.backup import BackupRefused, BackupStores, create_backup, restore_backup, verify_backup
from scloud_auth.adapters.sqlite_tables import MIGRATIONS as AUTH_MIGRATIONS
from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.sqlite import MIGRATIONS as FILES_MIGRATIONS
from scloud_users.adapters.sqlite import MIGRATIONS as USERS_MIGRATIONS
from scloud_users.adapters.sqlite import SqliteUserRepository
from scloud_users.domain import Account, User

MIGRATIONS = {"auth": AUTH_MIGRATIONS, "users": USERS_MIGRATIONS, "files": FILES_MIGRATIONS}
ADA = Account(User("u-ada", "ada@example.com", "Ada", None, None, "2024-01-01T00:00:00+00:00"), "hash")
BOB = Account(User("u-bob", "bob@example.com", "Bob", None, None, "2024-01-02T00:00:00+00:00"), "hash")
# Over the archive's 1 MiB chunk, so it is streamed in several reads.
LARGE = bytes(range(256)) * (3 * 1024 * 1024 // 256 + 7)
OBJECTS = {
    "users/u-ada/01J0000000000000000000000A": (b"hello", "text/plain"),
    "users/u-ada/01J0000000000000000000000B": (LARGE, "application/octet-stream"),
}


def stores_in(folder: Path, objects: dict[str, tuple[bytes, str]] | None = None, **versions: int) -> BackupStores:
    databases = {
        service: SqliteDatabaseFile(
            service, folder / f"{service}.db", code_schema_version=versions.get(service, len(migrations))
        )
        for service, migrations in MIGRATIONS.items()
    }
    return BackupStores(dict(databases), InMemoryObjectStore(objects))


async def add_accounts(folder: Path, *accounts: Account) -> None:
    for service, migrations in MIGRATIONS.items():
        store = await SqliteStore.open(folder / f"{service}.db", migrations=migrations)
        if service == "users":
            for account in accounts:
                await SqliteUserRepository(store).add(account)
        await store.close()


async def accounts_in(folder: Path) -> list[Account | None]:
    store = await SqliteStore.open(folder / "users.db", migrations=USERS_MIGRATIONS)
    try:
        users = SqliteUserRepository(store)
        return [await users.get(ADA.user.user_id), await users.get(BOB.user.user_id)]
    finally:
        await store.close()


@pytest.fixture
async def archive(tmp_path) -> Path:
    await add_accounts(tmp_path / "source", ADA)
    path = tmp_path / "backups" / "scloud.tar"
    path.parent.mkdir()
    create_backup(stores_in(tmp_path / "source", OBJECTS), path, echo=lambda line: None)
    return path


def member_offset(archive: Path, name: str) -> int:
    with tarfile.open(archive) as tar:
        return tar.getmember(name).offset_data


async def test_a_backup_restores_every_row_and_object_into_empty_stores(archive, tmp_path):
    assert archive.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in archive.parent.iterdir()) == ["scloud.tar"]
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names == [
        "metadata/auth.sqlite3",
        "metadata/users.sqlite3",
        "metadata/files.sqlite3",
        *(f"objects/{key}" for key in sorted(OBJECTS)),
        MANIFEST_NAME,
    ]
    manifest = verify_backup(archive)
    assert manifest.schema_versions == {service: len(migrations) for service, migrations in MIGRATIONS.items()}
    assert manifest.counts()["objects"] == 2 and manifest.counts()["object_bytes"] == len(LARGE) + 5

    target = stores_in(tmp_path / "target" / "data")
    restore_backup(target, archive, force=False, echo=lambda line: None)

    assert target.objects.objects == OBJECTS
    assert await accounts_in(tmp_path / "target" / "data") == [ADA, None]
    for service in MIGRATIONS:
        assert (tmp_path / "target" / "data" / f"{service}.db").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "target" / "data").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "target").stat().st_mode & 0o777 == 0o700
    assert [p.name for p in (tmp_path / "target" / "data").iterdir() if "restoring" in p.name] == []


@pytest.mark.parametrize(
    "damaged_member", ["metadata/users.sqlite3", f"objects/{sorted(OBJECTS)[1]}"], ids=["database", "object"]
)
async def test_a_damaged_member_is_named_and_nothing_is_restored(archive, tmp_path, damaged_member, capsys):
    offset = member_offset(archive, damaged_member) + 100
    with archive.open("r+b") as file:
        file.seek(offset)
        byte = file.read(1)
        file.seek(offset)
        file.write(bytes([byte[0] ^ 0xFF]))

    with pytest.raises(ArchiveCorrupt, match=damaged_member):
        verify_backup(archive)
    target = stores_in(tmp_path / "target")
    with pytest.raises(ArchiveCorrupt, match=damaged_member):
        restore_backup(target, archive, force=False, echo=lambda line: None)
    assert target.objects.objects == {}
    assert not (tmp_path / "target").exists() or list((tmp_path / "target").iterdir()) == []
    assert main(["backup", "verify", str(archive)]) == CORRUPT
    assert damaged_member in capsys.readouterr().err


@pytest.mark.parametrize(
    ("member", "past_its_start"),
    [(f"objects/{sorted(OBJECTS)[1]}", 1000), (MANIFEST_NAME, -512), (MANIFEST_NAME, 10)],
    ids=["in an object", "before the manifest", "in the manifest"],
)
async def test_a_truncated_archive_is_refused_and_nothing_is_restored(
    archive, tmp_path, member, past_its_start, capsys
):
    cut = member_offset(archive, member) + past_its_start
    archive.write_bytes(archive.read_bytes()[:cut])

    with pytest.raises(ArchiveCorrupt):
        verify_backup(archive)
    target = stores_in(tmp_path / "target")
    with pytest.raises(ArchiveCorrupt):
        restore_backup(target, archive, force=False, echo=lambda line: None)
    assert target.objects.objects == {}
    assert not (tmp_path / "target").exists() or list((tmp_path / "target").iterdir()) == []
    assert main(["backup", "verify", str(archive)]) == CORRUPT
    assert "failed:" in capsys.readouterr().err


async def test_a_target_holding_data_is_refused_unless_forced(archive, tmp_path):
    await add_accounts(tmp_path / "target", BOB)
    stray = {"users/u-bob/01J0000000000000000000000C": (b"bob's", "text/plain")}
    overwritten = {sorted(OBJECTS)[0]: (b"other bytes", "text/plain")}
    target = stores_in(tmp_path / "target", {**stray, **overwritten})

    with pytest.raises(BackupRefused, match="the users database holds data; the bucket holds objects"):
        restore_backup(target, archive, force=False, echo=lambda line: None)
    assert await accounts_in(tmp_path / "target") == [None, BOB]
    assert target.objects.objects == {**stray, **overwritten}

    restore_backup(target, archive, force=True, echo=lambda line: None)
    assert await accounts_in(tmp_path / "target") == [ADA, None]
    assert target.objects.objects == {**OBJECTS, **stray}
    with pytest.raises(BackupRefused):
        restore_backup(target, archive, force=False, echo=lambda line: None)


async def test_an_empty_database_the_services_migrated_is_no_obstacle(archive, tmp_path):
    await add_accounts(tmp_path / "target")
    target = stores_in(tmp_path / "target")
    restore_backup(target, archive, force=False, echo=lambda line: None)
    assert await accounts_in(tmp_path / "target") == [ADA, None]


async def test_an_archive_from_a_newer_schema_is_refused(archive, tmp_path):
    target = stores_in(tmp_path / "target", files=len(FILES_MIGRATIONS) - 1)
    with pytest.raises(BackupRefused, match="newer than this SCloud"):
        restore_backup(target, archive, force=False, echo=lambda line: None)


async def test_an_existing_archive_is_never_overwritten(archive, tmp_path):
    before = archive.read_bytes()
    with pytest.raises(BackupRefused, match="exists already"):
        create_backup(stores_in(tmp_path / "source", OBJECTS), archive, echo=lambda line: None)
    assert archive.read_bytes() == before
    assert read_manifest(archive).counts()["objects"] == 2


@pytest.mark.parametrize("command", [["create", "x.tar"], ["restore", "x.tar"]])
def test_a_dynamodb_store_is_refused_pointing_at_point_in_time_recovery(
    command, tmp_path, monkeypatch, capsys, no_outside_clients
):
    monkeypatch.chdir(tmp_path)
    for service in ("AUTH", "FILES"):
        monkeypatch.setenv(f"{service}_STORE", "sqlite")
        monkeypatch.setenv(f"{service}_SQLITE_PATH", str(tmp_path / f"{service.lower()}.db"))
    monkeypatch.setenv("USERS_STORE", "dynamodb")
    monkeypatch.setenv("FILES_S3_BUCKET", "unused")
    (tmp_path / "x.tar").touch()
    if command[0] == "create":
        (tmp_path / "x.tar").unlink()

    assert main(["backup", *command]) == REFUSED
    err = capsys.readouterr().err
    assert "USERS_STORE is dynamodb" in err and "point-in-time recovery" in err
    assert not (tmp_path / "x.tar.partial").exists()


def test_verify_of_a_sound_archive_prints_its_counts(archive, capsys):
    assert main(["backup", "verify", str(archive)]) == DONE
    out = capsys.readouterr().out
    assert "every member matches the manifest" in out and "3 databases" in out and "2 objects" in out


async def test_a_database_a_running_service_holds_open_is_copied_with_its_latest_commit(tmp_path):
    await add_accounts(tmp_path / "source", ADA)
    running = await SqliteStore.open(tmp_path / "source" / "users.db", migrations=USERS_MIGRATIONS)
    try:
        await SqliteUserRepository(running).add(BOB)
        # Still in the write-ahead log: the open store has not checkpointed it into the file.
        assert (tmp_path / "source" / "users.db-wal").stat().st_size > 0
        archive = tmp_path / "scloud.tar"
        create_backup(stores_in(tmp_path / "source", OBJECTS), archive, echo=lambda line: None)
    finally:
        await running.close()

    restore_backup(stores_in(tmp_path / "target"), archive, force=False, echo=lambda line: None)
    assert await accounts_in(tmp_path / "target") == [ADA, BOB]
