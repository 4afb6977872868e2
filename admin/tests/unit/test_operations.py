"""The everyday admin commands on in-memory fakes of the services' ports: what each prints (text
and --json), what it changes, and the security event each records under the operator's name."""

import contextlib
import json
import logging
import time

import pytest

from scloud_admin.__main__ import parse_arguments
from scloud_admin.operations import OperationPorts
from scloud_admin.operations_cli import render, run_operation
from scloud_auth.adapters.in_memory import InMemorySessionRepository
from scloud_auth.domain import Session
from scloud_files.adapters.in_memory import InMemoryFileRepository
from scloud_files.domain import Item, ItemKind, StorageUsage
from scloud_users.adapters.in_memory import InMemoryInvitationRepository, InMemoryUserRepository
from scloud_users.domain import Account, InvitationNotFound, User, UserNotFound

ADA = Account(User("u-ada", "ada@example.com", "Ada", None, None, "2024-01-01T00:00:00+00:00"), "hash")


class Installation:
    def __init__(self) -> None:
        self.users = InMemoryUserRepository()
        self.sessions = InMemorySessionRepository()
        self.files = InMemoryFileRepository()
        self.purged = self.swept = 0

    async def purge(self) -> int:
        self.purged += 1
        return 3

    async def sweep(self) -> int:
        self.swept += 1
        return 2

    @contextlib.asynccontextmanager
    async def open(self, side):
        yield OperationPorts(
            self.users, self.sessions, self.files, self.purge, self.sweep, InMemoryInvitationRepository(self.users)
        )


def session(session_id: str, *, created_at: int, revoked: bool = False, device: str = "Firefox on Linux") -> Session:
    now = int(time.time())
    return Session(
        session_id, ADA.user.user_id, "hash", now + 3600, created_at, revoked, user_agent=device, last_used_at=now
    )


@pytest.fixture
async def installation() -> Installation:
    installation = Installation()
    await installation.users.add(ADA)
    return installation


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger="scloud.security")
    return lambda: [
        (r.action, r.user_id, r.operator, r.via)
        for r in caplog.records
        if getattr(r, "security_event", "") == "admin_action"
    ]


async def run(installation: Installation, *arguments: str) -> dict:
    return await run_operation(parse_arguments([*arguments, "--operator", "olga"]), open_stores=installation.open)


async def test_find_answers_the_account_by_its_email_in_any_case(installation, events):
    output = await run(installation, "user", "find", " ADA@Example.com ")
    assert output["user"] == {
        "user_id": "u-ada",
        "email": "ada@example.com",
        "username": "Ada",
        "created_at": "2024-01-01T00:00:00+00:00",
        "email_verified": False,
        "locked": False,
    }
    assert "u-ada  ada@example.com  'Ada'" in render(output, as_json=False)
    assert events() == [("user_find", "u-ada", "olga", "scloud-admin")]


async def test_an_unknown_email_is_not_found_and_records_nothing(installation, events):
    with pytest.raises(UserNotFound):
        await run(installation, "user", "show", "nobody@example.com")
    assert events() == []


async def test_show_lists_usage_and_only_active_sessions_newest_first(installation, events):
    installation.files.totals["u-ada"] = StorageUsage(1234, 2, 34)
    for item in (
        session("old", created_at=100),
        session("new", created_at=200),
        session("ended", created_at=300, revoked=True),
    ):
        await installation.sessions.add(item)
    output = await run(installation, "user", "show", "ada@example.com", "--json")
    shown = json.loads(render(output, as_json=True))
    assert shown["usage"] == {"bytes_used": 1234, "file_count": 2, "trash_bytes": 34}
    assert [s["session_id"] for s in shown["sessions"]] == ["new", "old"]
    assert shown["sessions"][0]["created_at"] == "1970-01-01T00:03:20+00:00"
    assert shown["sessions"][0]["device"] == "Firefox on Linux"
    assert "active sessions: 2" in render(output, as_json=False)
    assert events() == [("user_show", "u-ada", "olga", "scloud-admin")]


async def test_revoke_sessions_ends_every_session_of_the_account(installation, events):
    for item in (session("a", created_at=1), session("b", created_at=2)):
        await installation.sessions.add(item)
    output = await run(installation, "user", "revoke-sessions", "ada@example.com")
    assert output["revoked_sessions"] == 2
    assert not any(s.is_active(int(time.time())) for s in await installation.sessions.list_for_user("u-ada"))
    assert events() == [("user_revoke_sessions", "u-ada", "olga", "scloud-admin")]


async def test_lock_sets_the_flag_ends_the_sessions_and_records_the_reason(installation, caplog, events):
    await installation.sessions.add(session("a", created_at=1))
    output = await run(installation, "user", "lock", "ada@example.com", "--reason", "stolen laptop")
    assert (output["locked"], output["revoked_sessions"]) == (True, 1)
    assert (await installation.users.get("u-ada")).user.locked
    assert not (await installation.sessions.get("a")).is_active(int(time.time()))
    assert events() == [("user_lock", "u-ada", "olga", "scloud-admin")]
    assert [r.reason for r in caplog.records if getattr(r, "action", "") == "user_lock"] == ["stolen laptop"]
    output = await run(installation, "user", "unlock", "ada@example.com", "--json")
    assert json.loads(render(output, as_json=True))["user"]["locked"] is False
    assert not (await installation.users.get("u-ada")).user.locked
    assert events()[-1] == ("user_unlock", "u-ada", "olga", "scloud-admin")


def test_lock_needs_a_reason(capsys):
    with pytest.raises(SystemExit):
        parse_arguments(["user", "lock", "ada@example.com"])
    assert "--reason" in capsys.readouterr().err


async def test_recount_replaces_drifted_totals_with_the_sum_of_the_files(installation, events):
    installation.files.items[("u-ada", "f1")] = Item("f1", "u-ada", ItemKind.FILE, "a.txt", None, "t", "t", size=5)
    installation.files.totals["u-ada"] = StorageUsage(999, 9)
    output = await run(installation, "usage", "recount", "ada@example.com")
    assert output["usage"] == {"bytes_used": 5, "file_count": 1, "trash_bytes": 0}
    assert await installation.files.usage("u-ada") == StorageUsage(5, 1, 0)
    installation.files.totals["u-ada"] = StorageUsage(999, 9)
    installation.files.totals["u-gone"] = StorageUsage(7, 7)
    output = await run(installation, "usage", "recount", "--all")
    assert output["usage"]["u-gone"] == {"bytes_used": 0, "file_count": 0, "trash_bytes": 0}
    assert await installation.files.usage("u-ada") == StorageUsage(5, 1, 0)
    assert [event[0] for event in events()] == ["usage_recount", "usage_recount_all"]


async def test_purge_and_sweep_run_the_files_jobs_once_each(installation, events):
    purged = await run(installation, "purge", "run", "--json")
    swept = await run(installation, "sweep", "run")
    assert json.loads(render(purged, as_json=True)) == {"purged_items": 3}
    assert render(swept, as_json=False) == "aborted 2 abandoned uploads"
    assert (installation.purged, installation.swept) == (1, 1)
    assert [(event[0], event[1]) for event in events()] == [("purge_run", None), ("sweep_run", None)]


async def test_invite_create_prints_a_single_use_link_at_the_public_address(installation, events, monkeypatch):
    monkeypatch.setenv("USERS_PUBLIC_URL", "https://cloud.example/")
    output = await run(installation, "invite", "create", "--email", "Bob@Example.com", "--days", "3")
    assert output["link"].startswith("https://cloud.example/register?invite=")
    token = output["link"].partition("?invite=")[2]
    invitation = output["invitation"]
    assert (invitation["email"], invitation["state"], invitation["created_by"]) == ("bob@example.com", "open", "olga")
    stored = installation.users.invitations[invitation["invitation_id"]]
    assert stored.expires_at - stored.created_at == 3 * 24 * 3600
    assert token not in repr(stored)
    assert render(output, as_json=False).splitlines()[0] == output["link"]
    assert events() == [("invite_create", None, "olga", "scloud-admin")]


async def test_invite_create_lasts_the_configured_days_by_default(installation, monkeypatch):
    monkeypatch.setenv("USERS_INVITATION_LIFETIME_DAYS", "2")
    output = await run(installation, "invite", "create")
    stored = installation.users.invitations[output["invitation"]["invitation_id"]]
    assert (stored.email, stored.expires_at - stored.created_at) == (None, 2 * 24 * 3600)


async def test_invite_list_and_revoke(installation, events):
    created = await run(installation, "invite", "create")
    invitation_id = created["invitation"]["invitation_id"]
    listed = json.loads(render(await run(installation, "invite", "list", "--json"), as_json=True))
    assert [(i["invitation_id"], i["email"], i["state"]) for i in listed["invitations"]] == [
        (invitation_id, None, "open")
    ]
    assert (await run(installation, "invite", "revoke", invitation_id))["revoked"] == invitation_id
    assert (await run(installation, "invite", "list"))["invitations"] == []
    with pytest.raises(InvitationNotFound):
        await run(installation, "invite", "revoke", invitation_id)
    assert [event[0] for event in events()] == ["invite_create", "invite_list", "invite_revoke", "invite_list"]


async def test_quota_set_show_and_clear_by_email_or_id_with_the_setting_as_fallback(installation, events, monkeypatch):
    monkeypatch.setenv("FILES_QUOTA_BYTES", str(5 * 2**30))
    installation.files.totals["u-ada"] = StorageUsage(3 * 2**30, 2, 2**30)
    shown = json.loads(render(await run(installation, "quota", "show", "ADA@example.com", "--json"), as_json=True))
    assert shown["quota"] == {
        "used_bytes": 3 * 2**30,
        "trash_bytes": 2**30,
        "quota_bytes": 5 * 2**30,
        "overridden": False,
    }
    output = await run(installation, "quota", "set", "u-ada", "10GiB")
    assert output["quota"]["quota_bytes"] == 10 * 2**30 and output["quota"]["overridden"]
    assert "quota: 10 GiB (10737418240 bytes, set for this user)" in render(output, as_json=False)
    assert (await installation.files.usage("u-ada")).quota_bytes == 10 * 2**30
    output = await run(installation, "quota", "set", "ada@example.com", "500MB")
    assert output["quota"]["quota_bytes"] == 500_000_000
    assert "over quota" in render(output, as_json=False)
    output = await run(installation, "quota", "clear", "ada@example.com")
    assert output["quota"] == {
        "used_bytes": 3 * 2**30,
        "trash_bytes": 2**30,
        "quota_bytes": 5 * 2**30,
        "overridden": False,
    }
    assert (await installation.files.usage("u-ada")).quota_bytes is None
    assert events() == [
        ("quota_show", "u-ada", "olga", "scloud-admin"),
        ("quota_set", "u-ada", "olga", "scloud-admin"),
        ("quota_set", "u-ada", "olga", "scloud-admin"),
        ("quota_clear", "u-ada", "olga", "scloud-admin"),
    ]


async def test_quota_of_an_unknown_user_is_not_found_and_records_nothing(installation, events):
    for user in ("nobody@example.com", "u-nobody"):
        with pytest.raises(UserNotFound):
            await run(installation, "quota", "set", user, "1GB")
    assert installation.files.quotas == {}
    assert events() == []


@pytest.mark.parametrize(
    ("text", "size"),
    [("1234", 1234), ("500MB", 500_000_000), ("10GiB", 10 * 2**30), ("1.5 tib", 3 * 2**39), ("0", 0), ("7b", 7)],
)
def test_quota_sizes_are_bytes_or_a_number_with_a_unit(text, size):
    assert parse_arguments(["quota", "set", "u-ada", text]).size == size


@pytest.mark.parametrize("text", ["-1", "ten GB", "10 GB GB", "1e9", "5PB", ""])
def test_quota_sizes_that_are_not_sizes_are_refused_by_the_parser(text, capsys):
    with pytest.raises(SystemExit):
        parse_arguments(["quota", "set", "u-ada", text])
    assert "is not a size" in capsys.readouterr().err
