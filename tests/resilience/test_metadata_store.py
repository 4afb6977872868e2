"""The records' store unavailable: another process holds a service's SQLite database in an
exclusive transaction past the busy timeout, or the database file is deleted or replaced under
the running service. Writes answer a JSON 503 `service_unavailable` within the bound and leave
nothing behind (no row, no object); reads go on (WAL readers never wait for a writer); an
upload in flight when the lock is taken fails the same way and its bytes go; everything works
again by itself once the lock goes. A file deleted or replaced makes readiness fail, so an
orchestrator replaces the task, until the file the service opened is back."""

import os
import shutil
import sqlite3
import time
from contextlib import closing

import httpx


def assert_unavailable_within(faults, response: httpx.Response, elapsed: float) -> None:
    assert elapsed < faults.answer_bound, f"answered after {elapsed:.1f} s"
    assert response.status_code == 503, f"{response.status_code}: {response.text}"
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "service_unavailable", response.text


def listed_names(faults, account) -> list[str]:
    listed = httpx.get(f"{faults.url('files')}/api/files", headers=account.headers, timeout=faults.answer_bound)
    assert listed.status_code == 200, listed.text
    return sorted(item["name"] for item in listed.json()["items"])


def new_folder(faults, account, name: str) -> httpx.Response:
    return httpx.post(
        f"{faults.url('files')}/api/folders",
        json={"name": name, "parentId": "root"},
        headers=account.headers,
        timeout=faults.answer_bound + 5,
    )


def count_rows(faults, service: str, table: str) -> int:
    with closing(sqlite3.connect(faults.stack.database(service), timeout=faults.answer_bound)) as database:
        (count,) = database.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 - our own names
    return int(count)


def test_the_files_database_locked_by_another_process(faults):
    account = faults.register()
    assert faults.upload_small(account, b"stored before the lock").status_code == 201
    body, upload = faults.start_upload(account, 2 * faults.part_bytes)
    try:
        assert body.halfway.wait(timeout=faults.answer_bound * 3), "the upload never got half way"
        with faults.database_locked("files"):
            locked_at = time.monotonic()
            body.resume.set()
            upload["thread"].join(timeout=faults.upload_bound + 30)
            assert "response" in upload, f"the upload got no answer: {upload.get('error')!r}"
            assert_unavailable_within(faults, upload["response"], upload["finished"] - locked_at)
            # One write at a time: the service's writes queue on one connection, each waiting
            # out the busy timeout, and the test holds each to the bound alone.
            for write in (
                lambda: faults.upload_small(account, b"sent while locked"),
                lambda: new_folder(faults, account, "made while locked"),
            ):
                assert_unavailable_within(faults, *faults.timed(write))
            profile, elapsed = faults.timed(
                lambda: httpx.get(f"{faults.url('users')}/api/users/me", headers=account.headers, timeout=30)
            )
            assert profile.status_code == 200 and elapsed < faults.answer_bound, (profile.text, elapsed)
            assert profile.json()["fileCount"] == 1
            assert listed_names(faults, account) == ["small.txt"]
    finally:
        body.resume.set()
    # Nothing the refused writes began is left: no row, and their bytes were removed at once.
    faults.assert_no_orphans()
    assert new_folder(faults, account, "made after the lock").status_code == 201
    assert faults.upload_small(account, b"after the lock").status_code == 201
    assert listed_names(faults, account) == ["small (1).txt", "small.txt"]
    faults.assert_no_orphans()


def test_sign_in_with_the_auth_database_locked_by_another_process(faults):
    account = faults.register()
    sessions = count_rows(faults, "auth", "sessions")
    with faults.database_locked("auth"):
        assert_unavailable_within(faults, *faults.timed(lambda: faults.login(account)))
    assert count_rows(faults, "auth", "sessions") == sessions
    signed_in = faults.login(account)
    assert signed_in.status_code == 200, signed_in.text
    assert count_rows(faults, "auth", "sessions") == sessions + 1


def assert_not_ready_for_its_database(faults) -> None:
    """files' readiness answers 503 within the bound, naming its database, and only it."""
    response, elapsed = faults.timed(lambda: httpx.get(f"{faults.url('files')}/readyz", timeout=30))
    assert elapsed < faults.answer_bound, f"readiness answered after {elapsed:.1f} s"
    assert response.status_code == 503, response.text
    checks = response.json()["checks"]
    assert checks.pop("sqlite") == "unavailable" and set(checks.values()) == {"ok"}, response.text


def test_a_database_file_deleted_or_replaced_fails_readiness_until_it_is_back(faults):
    account = faults.register()
    assert faults.upload_small(account, b"in the database").status_code == 201
    database = faults.stack.database("files")
    kept = database.with_name(f"{database.name}.kept")
    os.link(database, kept)
    try:
        database.unlink()
        assert_not_ready_for_its_database(faults)
        # A copy put in its place (a restore under the running service): not the file it opened.
        shutil.copyfile(kept, database)
        assert_not_ready_for_its_database(faults)
    finally:
        os.replace(kept, database)
    faults.wait_until_ok(f"{faults.url('files')}/readyz", within=faults.recovery_bound)
    assert listed_names(faults, account) == ["small.txt"]
    faults.assert_no_orphans()
