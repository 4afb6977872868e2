"""`scloud-admin user ...` end to end on SQLite files (embedded, so in the unit tier), configured
by the environment as the services are: the exit status and the one line on stderr an expected
failure gives, never a traceback."""

import json

import pytest

from scloud_admin.__main__ import DONE, NOT_FOUND, REFUSED, main
from scloud_common.sqlite_store import SqliteStore
from scloud_users.adapters.sqlite import MIGRATIONS, SqliteUserRepository
from scloud_users.domain import Account, User

ADA = Account(User("u-ada", "ada@example.com", "Ada", None, None, "2024-01-01T00:00:00+00:00"), "hash")


@pytest.fixture
async def environment(tmp_path, monkeypatch):
    for service in ("AUTH", "USERS", "FILES"):
        monkeypatch.setenv(f"{service}_STORE", "sqlite")
        monkeypatch.setenv(f"{service}_SQLITE_PATH", str(tmp_path / f"{service.lower()}.db"))
    monkeypatch.setenv("FILES_S3_BUCKET", "unused")
    store = await SqliteStore.open(tmp_path / "users.db", migrations=MIGRATIONS)
    await SqliteUserRepository(store).add(ADA)
    await store.close()
    for service in ("auth", "files"):
        (tmp_path / f"{service}.db").touch()
    return tmp_path


def test_lock_then_find_shows_the_account_locked(environment, capsys):
    assert main(["user", "lock", "ada@example.com", "--reason", "abuse", "--operator", "olga"]) == DONE
    assert capsys.readouterr().out.strip() == "locked; ended 0 sessions"
    assert main(["user", "find", "ada@example.com", "--json"]) == DONE
    captured = capsys.readouterr()
    assert json.loads(captured.out)["user"]["locked"] is True
    event = json.loads(captured.err.splitlines()[-1])
    assert (event["security_event"], event["action"], event["user_id"]) == ("admin_action", "user_find", "u-ada")


def test_an_unknown_account_exits_1_with_one_line(environment, capsys):
    assert main(["user", "unlock", "nobody@example.com"]) == NOT_FOUND
    err = capsys.readouterr().err
    assert err == "error: user_not_found: No account has the email nobody@example.com.\n"


def test_a_malformed_email_is_refused_with_one_line(environment, capsys):
    assert main(["user", "show", "not an address"]) == REFUSED
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_a_missing_database_is_refused_not_created(environment, capsys, monkeypatch):
    monkeypatch.setenv("USERS_SQLITE_PATH", str(environment / "missing" / "users.db"))
    assert main(["user", "find", "ada@example.com"]) == REFUSED
    assert capsys.readouterr().err.startswith("refused: the SQLite database ")
    assert not (environment / "missing").exists()
