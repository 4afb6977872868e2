"""The move and its check on in-memory stores: a mismatch is reported and fails the command, a
target holding data is refused, an interrupted move resumes."""

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from scloud_admin.__main__ import MISMATCH, REFUSED, main, parse_arguments, run
from scloud_admin.adapters.in_memory import InMemoryObjectStore, InMemoryRecordStore
from scloud_admin.bootstrap import Installation
from scloud_admin.marker import MARKER_KEY
from scloud_admin.move import TargetNotEmpty, move
from scloud_admin.side import Side
from scloud_common.transfer import TransferRecord, WriteOutcome

FILE = TransferRecord("files.file", "u/1", {"user_id": "u", "size": 3, "trashed_at": None})
USAGE = TransferRecord("files.usage", "u", {"user_id": "u", "bytes_used": 3, "file_count": 1, "closed": False})
ACCOUNT = TransferRecord("users.account", "u", {"email": "a@example.com"})


def installation(name: str, records: Sequence[TransferRecord] = (), objects: dict | None = None) -> Installation:
    stores = {
        service: InMemoryRecordStore(service, [r for r in records if r.kind.startswith(service)])
        for service in ("auth", "users", "files")
    }
    return Installation(dict(stores), InMemoryObjectStore(objects), name)


def source() -> Installation:
    return installation("source", [FILE, USAGE, ACCOUNT], {"users/u/1": (b"abc", "text/plain")})


async def moved(source: Installation, target: Installation, *, force: bool = False):
    with ThreadPoolExecutor(1) as pool:
        return await move(source, target, force=force, page_size=1, pool=pool, echo=lambda line: None)


async def test_a_move_copies_everything_and_checks_it_equal():
    target = installation("target")
    report = await moved(source(), target)
    assert report.comparison.ok, report.comparison.table()
    assert target.objects.objects == {"users/u/1": (b"abc", "text/plain")}
    assert report.records["files"] == WriteOutcome(written=2)
    assert "files.usage equal to its files" in report.comparison.table()


@pytest.mark.parametrize(
    "change",
    [
        lambda target: target.records["files"].records.update(
            {("files.file", "u/1"): FILE.__class__("files.file", "u/1", {**FILE.body, "size": 4})}
        ),
        lambda target: target.objects.objects.update({"users/u/1": (b"abd", "text/plain")}),
        lambda target: target.objects.objects.update({"users/u/1": (b"abc", "image/png")}),
        lambda target: target.records["users"].records.pop(("users.account", "u")),
    ],
    ids=["record changed", "bytes changed", "content type changed", "record missing"],
)
def test_a_mismatch_is_reported_and_the_exit_status_is_not_zero(change, capsys):
    ends = {"source": source(), "target": installation("target")}
    asyncio.run(moved(ends["source"], ends["target"]))
    change(ends["target"])

    async def open_end(side: Side, *, must_exist: bool) -> Installation:
        return ends[side.label]

    arguments = parse_arguments(["verify", "--from", "env", "--to", "env"])
    assert asyncio.run(run(arguments, open_end=open_end)) == MISMATCH
    out = capsys.readouterr().out
    assert "MISMATCH" in out and "NOT equal" in out


async def test_a_target_holding_data_is_refused_unless_forced():
    target = installation("target", [TransferRecord("users.account", "other", {"email": "b@example.com"})])
    with pytest.raises(TargetNotEmpty):
        await moved(source(), target)
    assert target.objects.objects == {}

    report = await moved(source(), target, force=True)
    # Forced: the source's records are all there, and the record only the target had is reported.
    assert not report.comparison.ok
    assert [row.what for row in report.comparison.rows if not row.ok] == ["users.account"]


class FailingAfter(InMemoryRecordStore):
    def __init__(self, service: str, writes: int) -> None:
        super().__init__(service)
        self.writes_left = writes

    async def write(self, records):
        if self.writes_left == 0:
            raise ConnectionError("the target went away")
        self.writes_left -= 1
        return await super().write(records)


async def test_an_interrupted_move_resumes_skipping_what_arrived():
    target = installation("target")
    target.records["files"] = FailingAfter("files", writes=1)
    with pytest.raises(ConnectionError):
        await moved(source(), target)
    assert MARKER_KEY in target.objects.objects

    target.records["files"].writes_left = 10
    report = await moved(source(), target)
    assert report.comparison.ok
    assert report.objects == WriteOutcome(unchanged=1)
    assert report.records["files"] == WriteOutcome(written=1, unchanged=1)
    assert MARKER_KEY not in target.objects.objects


def test_a_missing_env_file_is_refused(tmp_path, capsys):
    assert main(["copy", "--from", str(tmp_path / "none.env"), "--to", "env"]) == REFUSED
    assert "does not exist" in capsys.readouterr().err


def test_each_end_reads_only_its_own_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("FILES_STORE", "dynamodb")
    monkeypatch.setenv("USERS_STORE", "sqlite")
    env = tmp_path / "end.env"
    env.write_text("FILES_STORE=sqlite\nFILES_SQLITE_PATH=/data/files.sqlite\nFILES_S3_BUCKET=b\n")
    side = Side.load("source", str(env))
    assert side.files.store == "sqlite"
    assert side.users.store == "dynamodb"  # the default, not this process's environment
    assert side.endpoint(side.files, "s3") is None
