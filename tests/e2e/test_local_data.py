"""make run on this machine: it keeps its data across a stop (moto server's tables and bucket
are saved to the run folder and restored on the next start), keeps that folder private, stops
on Ctrl-C, a closed terminal or `make stop`, never leaves a process behind, and names whoever
holds a port it needs."""

import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import psutil
import pytest

from scripts.processes import describe_process
from scripts.stack import ROOT, Ports, Stack

pytestmark = pytest.mark.e2e

ITEM = {"pk": {"S": "snapshot-check"}, "name": {"S": "Ada"}, "raw": {"B": b"\x00\xffbytes"}}
KEY = "users/snapshot-check/file"
# Starting the whole product on a busy 2-core machine, and stopping it with its data saved.
START_BOUND_SECONDS = 300.0
STOP_BOUND_SECONDS = 150.0
AS_MAKE = [
    sys.executable,
    "-c",
    "import signal, subprocess, sys; signal.signal(signal.SIGHUP, lambda *_: None); "
    "sys.exit(subprocess.call(sys.argv[1:]))",
]
HOLD_A_PORT = (
    "import socket, sys, time\n"
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
    "print(s.getsockname()[1], flush=True); time.sleep(120)"
)


def clients(stack):
    options = {"endpoint_url": stack.s3_endpoint, "region_name": "us-east-1"}
    options |= {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    return boto3.client("dynamodb", **options), boto3.client("s3", **options)


def local_run(run_dir, data_dir) -> Stack:
    return Stack(run_dir=run_dir, ports=Ports.free(), with_gateway=False, data_dir=data_dir)


def test_items_and_objects_survive_a_clean_stop_and_start(tmp_path):
    data_dir = tmp_path / "data"
    first = local_run(tmp_path / "run", data_dir)
    first.start()
    try:
        dynamodb, s3 = clients(first)
        dynamodb.put_item(TableName=f"{first.table_prefix}users", Item=ITEM)
        s3.put_object(Bucket=first.bucket, Key=KEY, Body=b"kept", ContentType="text/plain", Metadata={"a": "b"})
    finally:
        first.stop()
    assert (data_dir / "tables.json").exists()

    second = local_run(tmp_path / "run", data_dir)
    second.start()
    try:
        dynamodb, s3 = clients(second)
        item = dynamodb.get_item(TableName=f"{second.table_prefix}users", Key={"pk": ITEM["pk"]})["Item"]
        assert item == ITEM
        stored = s3.get_object(Bucket=second.bucket, Key=KEY)
        assert stored["Body"].read() == b"kept"
        assert stored["ContentType"] == "text/plain" and stored["Metadata"] == {"a": "b"}
    finally:
        second.stop()


def test_a_snapshot_that_cannot_be_read_stops_the_start_and_is_left_as_it_was(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "tables.json").write_text("{not json")
    stack = local_run(tmp_path / "run", data_dir)
    with pytest.raises(RuntimeError, match="--in-memory"):
        stack.start()
    assert (data_dir / "tables.json").read_text() == "{not json"
    assert not stack.processes


class LocalRun:
    """`make run` (python -m scripts.run) on free ports in its own run folder, as a newcomer
    starts it in a terminal; its output is read in a thread so every wait has a bound."""

    def __init__(self, run_dir: Path, *options: str, in_terminal: bool = False) -> None:
        self.run_dir = run_dir
        command = [sys.executable, "-m", "scripts.run", "--run-dir", str(run_dir), "--free-ports", *options]
        if in_terminal:
            # util-linux's script gives the run a terminal of its own, which goes when script does;
            # in it, a session leader that, as make does, catches the hang-up and only waits.
            command = [
                "script",
                "--quiet",
                "--flush",
                "--return",
                "--command",
                shlex.join([*AS_MAKE, *command]),
                "/dev/null",
            ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put("")

    def wait_for(self, fragment: str, within: float = START_BOUND_SECONDS) -> str:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.output.append(line)
            if fragment in line:
                return line
            if line == "":
                break
        raise AssertionError(f"no {fragment!r} within {within} s; it said:\n{''.join(self.output)}")

    def started(self) -> "LocalRun":
        self.wait_for("SCloud is running at")
        return self

    def children(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture
def runs() -> Iterator[list[LocalRun]]:
    started: list[LocalRun] = []
    yield started
    for run in started:
        run.stop()


def assert_all_gone(processes: list[psutil.Process], within: float = 30) -> None:
    _, alive = psutil.wait_procs(processes, timeout=within)
    assert alive == [], f"still running: {[describe_process(process.pid) for process in alive]}"


def assert_private(run_dir: Path) -> None:
    for path in [run_dir, *run_dir.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"


def test_closing_the_terminal_stops_every_process_and_saves_the_data_kept_private(runs, tmp_path):
    run_dir = tmp_path / "run"
    # What an older version left readable by all is made private too.
    (run_dir / "logs").mkdir(parents=True)
    (run_dir / "logs" / "old.log").write_text("old")
    (run_dir / "logs" / "old.log").chmod(0o644)
    run_dir.chmod(0o755)
    runs.append(run := LocalRun(run_dir).started())
    children = run.children()
    assert len(children) >= 5, [describe_process(child.pid) for child in children]
    gateway_port = int(run.output[-1].rsplit(":", 1)[1])
    listening = {
        connection.laddr.ip
        for connection in psutil.net_connections(kind="inet")
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port == gateway_port
    }
    assert listening == {"127.0.0.1"}
    assert_private(run_dir)

    run.process.send_signal(signal.SIGHUP)
    assert run.process.wait(timeout=STOP_BOUND_SECONDS) == 0
    assert_all_gone(children)
    assert (run_dir / "data" / "tables.json").exists()
    assert_private(run_dir)


def test_a_closed_terminal_stops_the_run_even_when_nobody_passes_the_hang_up_on(runs, tmp_path):
    # Under `make run`, make leads the terminal's session: the kernel's hang-up reaches only
    # make, which waits for its children instead of passing it on.
    runs.append(run := LocalRun(tmp_path / "run", "--in-memory", in_terminal=True).started())
    children = run.children()
    assert len(children) >= 6, [describe_process(child.pid) for child in children]
    run.process.kill()
    assert_all_gone(children, within=STOP_BOUND_SECONDS)


def test_the_processes_die_with_a_run_killed_outright(runs, tmp_path):
    runs.append(run := LocalRun(tmp_path / "run", "--in-memory").started())
    children = run.children()
    run.process.kill()
    assert_all_gone(children)


def test_make_stop_stops_the_run_of_its_folder(runs, tmp_path):
    runs.append(run := LocalRun(tmp_path / "run", "--in-memory").started())
    children = run.children()
    stop = [sys.executable, "-m", "scripts.run", "--stop", "--run-dir", str(tmp_path / "run")]
    stopped = subprocess.run(stop, cwd=ROOT, capture_output=True, text=True, timeout=STOP_BOUND_SECONDS + 30)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert run.process.wait(timeout=10) == 0
    assert_all_gone(children)
    again = subprocess.run(stop, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "not running" in again.stdout


def test_a_busy_port_is_named_with_the_process_holding_it(runs, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_PORT], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        port = int(holder.stdout.readline())
        runs.append(run := LocalRun(tmp_path / "run", "--in-memory", "--port", str(port)))
        assert run.process.wait(timeout=60) == 1
        run.wait_for("Could not start SCloud")
        said = "".join(run.output) + "".join(run.lines.queue)
        assert f"port {port} is held by pid {holder.pid}: {sys.executable} -c" in said, said
    finally:
        holder.kill()
        holder.wait(timeout=10)
