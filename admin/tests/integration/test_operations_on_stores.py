"""The everyday admin commands, run as an operator runs them (`main([...])` with the services'
settings in the environment), against real stores: DynamoDB and S3 on the local endpoint, or the
SQLite databases of one server, read and seeded through the services' own adapters."""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from scloud_admin.__main__ import DONE, NOT_FOUND, main
from scloud_auth.adapters.dynamodb import DynamoDbSessionRepository
from scloud_auth.adapters.dynamodb import table_definition as sessions_table
from scloud_auth.adapters.sqlite_tables import MIGRATIONS as AUTH_MIGRATIONS
from scloud_auth.domain import Session
from scloud_common.aws import create_aws_client
from scloud_common.provisioning import ensure_indexes, ensure_table
from scloud_common.sqlite_store import SqliteStore
from scloud_files.adapters.dynamodb import DynamoDbFileRepository
from scloud_files.adapters.dynamodb import table_definition as files_table
from scloud_files.adapters.s3 import S3BlobStore
from scloud_files.adapters.sqlite import MIGRATIONS as FILES_MIGRATIONS
from scloud_files.adapters.sqlite import SqliteFileRepository
from scloud_files.domain import QuotaExceeded, StorageUsage
from scloud_files.drive.use_cases import build_drive
from scloud_users.adapters.dynamodb import DynamoDbUserRepository
from scloud_users.adapters.dynamodb import table_definition as users_table
from scloud_users.adapters.sqlite import MIGRATIONS as USERS_MIGRATIONS
from scloud_users.adapters.sqlite import SqliteUserRepository
from scloud_users.domain import Account, InvitationClaim, User

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
ADA = Account(User("u-ada", "ada@example.com", "Ada", None, None, "2024-01-01T00:00:00+00:00"), "hash")


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


@pytest.fixture
def installation(aws_endpoint_url, monkeypatch):
    """Tables and bucket of a fresh installation on the local endpoint, named in the environment
    as the services' tasks name them."""
    prefix = f"ops-{uuid.uuid4().hex[:8]}-"
    dynamodb = create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url)
    for definition, name in ((sessions_table, "sessions"), (users_table, "users"), (files_table, "files")):
        ensure_table(dynamodb, definition(prefix + name))
        ensure_indexes(dynamodb, definition(prefix + name))
    s3 = create_aws_client("s3", region="us-east-1", endpoint_url=aws_endpoint_url)
    s3.create_bucket(Bucket=prefix + "bucket")
    for service in ("AUTH", "USERS", "FILES"):
        monkeypatch.setenv(f"{service}_STORE", "dynamodb")
        monkeypatch.setenv(f"{service}_DYNAMODB_TABLE_PREFIX", prefix)
        monkeypatch.setenv(f"{service}_AWS_ENDPOINT_URL", aws_endpoint_url)
        monkeypatch.setenv(f"{service}_AWS_REGION", "us-east-1")
    monkeypatch.setenv("FILES_S3_BUCKET", prefix + "bucket")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    files = DynamoDbFileRepository(dynamodb, prefix + "files")
    blobs = S3BlobStore(s3, prefix + "bucket", part_bytes=5 * MIB)
    return {
        "users": DynamoDbUserRepository(dynamodb, prefix + "users"),
        "sessions": DynamoDbSessionRepository(dynamodb, prefix + "sessions"),
        "files": files,
        "blobs": blobs,
        "drive": build_drive(files, blobs, max_upload_bytes=MIB, download_url_ttl_seconds=60),
    }


async def run(capsys, *arguments: str) -> tuple[int, dict]:
    # On a thread of its own, as from a shell: the command runs its own event loop.
    status = await asyncio.to_thread(main, [*arguments, "--json", "--operator", "olga"])
    out = capsys.readouterr().out
    return status, json.loads(out) if out else {}


async def test_lock_show_unlock_and_revoke_on_dynamodb(installation, capsys):
    users, sessions = installation["users"], installation["sessions"]
    await users.add(ADA)
    now = int(time.time())
    await sessions.add(
        Session("s1", "u-ada", "h", now + 3600, now - 60, user_agent="Safari on iPhone", last_used_at=now)
    )
    await sessions.add(Session("s2", "u-ada", "h", now + 3600, now, user_agent="Firefox on Linux", last_used_at=now))

    status, shown = await run(capsys, "user", "show", "ada@example.com")
    assert status == DONE
    assert [(s["session_id"], s["device"]) for s in shown["sessions"]] == [
        ("s2", "Firefox on Linux"),
        ("s1", "Safari on iPhone"),
    ]

    status, locked = await run(capsys, "user", "lock", "ada@example.com", "--reason", "stolen laptop")
    assert (status, locked["revoked_sessions"]) == (DONE, 2)
    assert (await users.get("u-ada")).user.locked
    assert [s.revoked for s in await sessions.list_for_user("u-ada")] == [True, True]
    assert (await run(capsys, "user", "show", "ada@example.com"))[1]["sessions"] == []

    status, unlocked = await run(capsys, "user", "unlock", "ada@example.com")
    assert (status, unlocked["user"]["locked"]) == (DONE, False)
    assert not (await users.get("u-ada")).user.locked

    await sessions.add(Session("s3", "u-ada", "h", now + 3600, now, last_used_at=now))
    status, revoked = await run(capsys, "user", "revoke-sessions", "ada@example.com")
    assert status == DONE and not (await sessions.get("s3")).is_active(now)

    assert await asyncio.to_thread(main, ["user", "find", "nobody@example.com"]) == NOT_FOUND
    assert (
        capsys.readouterr().err.splitlines()[-1]
        == "error: user_not_found: No account has the email nobody@example.com."
    )


async def test_recount_purge_and_sweep_on_dynamodb_and_s3(installation, capsys):
    users, files, drive = installation["users"], installation["files"], installation["drive"]
    await users.add(ADA)
    await drive.upload_file("u-ada", file_name="keep.txt", content_type="text/plain", chunks=chunks(b"hello"))
    gone = await drive.upload_file("u-ada", file_name="gone.txt", content_type="text/plain", chunks=chunks(b"bye"))
    await drive.trash_item("u-ada", gone.item_id, kind=None)
    await drive.delete_forever("u-ada", [gone.item_id])

    status, purged = await run(capsys, "purge", "run")
    assert (status, purged["purged_items"]) == (DONE, 1)
    assert await files.usage("u-ada") == StorageUsage(5, 1)

    await files.recount_usage("u-ada")
    status, recounted = await run(capsys, "usage", "recount", "ada@example.com")
    assert (status, recounted["usage"]) == (DONE, {"bytes_used": 5, "file_count": 1, "trash_bytes": 0})
    status, everyone = await run(capsys, "usage", "recount", "--all")
    assert (status, list(everyone["usage"])) == (DONE, ["u-ada"])

    status, swept = await run(capsys, "sweep", "run")
    assert (status, swept["aborted_uploads"]) == (DONE, 0)


async def test_an_invitation_made_listed_and_revoked_on_dynamodb_admits_one_account(installation, capsys, monkeypatch):
    monkeypatch.setenv("USERS_PUBLIC_URL", "https://cloud.example")
    users = installation["users"]
    status, created = await run(capsys, "invite", "create", "--email", "bob@example.com")
    assert status == DONE and created["link"].startswith("https://cloud.example/register?invite=")
    invitation_id = created["invitation"]["invitation_id"]

    bob = Account(User("u-bob", "bob@example.com", "Bob", None, None, "2024-01-01T00:00:00+00:00"), "hash")
    await users.add(bob, invitation=InvitationClaim(invitation_id, used_at=int(time.time())))
    status, listed = await run(capsys, "invite", "list")
    assert [(i["invitation_id"], i["state"]) for i in listed["invitations"]] == [(invitation_id, "used")]

    status, revoked = await run(capsys, "invite", "revoke", invitation_id)
    assert (status, revoked["revoked"]) == (DONE, invitation_id)
    assert (await run(capsys, "invite", "list"))[1]["invitations"] == []
    assert await asyncio.to_thread(main, ["invite", "revoke", invitation_id]) == NOT_FOUND


async def test_a_quota_set_from_the_cli_holds_the_users_uploads_on_dynamodb(installation, capsys, monkeypatch):
    monkeypatch.setenv("FILES_QUOTA_BYTES", "8")
    users, files = installation["users"], installation["files"]
    await users.add(ADA)
    drive = build_drive(files, installation["blobs"], max_upload_bytes=MIB, download_url_ttl_seconds=60, quota_bytes=8)
    await drive.upload_file("u-ada", file_name="a.txt", content_type="text/plain", chunks=chunks(b"hello"))
    with pytest.raises(QuotaExceeded):
        await drive.upload_file("u-ada", file_name="b.txt", content_type="text/plain", chunks=chunks(b"world"))

    status, raised = await run(capsys, "quota", "set", "ada@example.com", "1KB")
    assert (status, raised["quota"]) == (
        DONE,
        {"used_bytes": 5, "trash_bytes": 0, "quota_bytes": 1000, "overridden": True},
    )
    await drive.upload_file("u-ada", file_name="b.txt", content_type="text/plain", chunks=chunks(b"world"))
    assert (await drive.read_limits("u-ada")).usage.quota == 1000

    status, cleared = await run(capsys, "quota", "clear", "u-ada")
    assert (status, cleared["quota"]["quota_bytes"], cleared["quota"]["overridden"]) == (DONE, 8, False)
    assert await files.usage("u-ada") == StorageUsage(10, 2)
    status, shown = await run(capsys, "quota", "show", "u-ada")
    assert shown["quota"] == {"used_bytes": 10, "trash_bytes": 0, "quota_bytes": 8, "overridden": False}
    assert await asyncio.to_thread(main, ["quota", "show", "u-nobody"]) == NOT_FOUND


async def test_a_quota_set_from_the_cli_is_kept_in_the_sqlite_files_database(tmp_path, capsys, monkeypatch):
    """The one-server stores: the quota lands in the files database the service reads."""
    for service, migrations in (("AUTH", AUTH_MIGRATIONS), ("USERS", USERS_MIGRATIONS), ("FILES", FILES_MIGRATIONS)):
        path = tmp_path / f"{service.lower()}.db"
        store = await SqliteStore.open(path, migrations=migrations)
        if service == "USERS":
            await SqliteUserRepository(store).add(ADA)
        await store.close()
        monkeypatch.setenv(f"{service}_STORE", "sqlite")
        monkeypatch.setenv(f"{service}_SQLITE_PATH", str(path))
    monkeypatch.setenv("FILES_S3_BUCKET", "unused")

    status, shown = await run(capsys, "quota", "set", "ada@example.com", "2GiB")
    assert (status, shown["quota"]["quota_bytes"], shown["quota"]["overridden"]) == (DONE, 2 * 2**30, True)
    store = await SqliteStore.open(tmp_path / "files.db", migrations=FILES_MIGRATIONS)
    try:
        assert await SqliteFileRepository(store).usage("u-ada") == StorageUsage(0, 0, quota_bytes=2 * 2**30)
    finally:
        await store.close()
    status, cleared = await run(capsys, "quota", "clear", "ada@example.com")
    assert (status, cleared["quota"]["quota_bytes"], cleared["quota"]["overridden"]) == (DONE, 10 * 2**30, False)
