"""make run on this machine: its data (SQLite databases, SeaweedFS, the mail folder, all in one
private folder) survives a closed terminal and `kill -9` of every process with nothing committed
lost; it stops on Ctrl-C, a closed terminal or `make stop`, never leaves a process behind, and
names whoever holds a port it needs."""

import contextlib
import os
import queue
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import psutil
import pytest

from scripts import stack as stack_module
from scripts.processes import ExitedWhileStarting, describe_process
from scripts.run import STACKS_LOG
from scripts.stack import ROOT, Ports, Stack, remove_gateway_folder_left
from tests.e2e.conftest import register_account

pytestmark = pytest.mark.e2e

# Starting the whole product on a busy 2-core machine, and stopping it.
START_BOUND_SECONDS = 300.0
STOP_BOUND_SECONDS = 150.0
AS_MAKE = [
    sys.executable,
    "-c",
    "import signal, subprocess, sys; signal.signal(signal.SIGHUP, lambda *_: None); "
    "sys.exit(subprocess.call(sys.argv[1:]))",
]
# Starts a command with the hang-up's default action, as a terminal's shell does: under nohup (a
# test run started with it) the run would inherit SIGHUP ignored, and rightly ignore hang-ups.
AS_IN_A_TERMINAL = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGHUP, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])",
]
HOLD_A_PORT = (
    "import socket, sys, time\n"
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
    "print(s.getsockname()[1], flush=True); time.sleep(120)"
)


def kill_outright(processes: list[subprocess.Popen]) -> None:
    """SIGKILL to every process and everything they started (nginx's workers), all at once."""
    tree = []
    for process in processes:
        try:
            root = psutil.Process(process.pid)
            tree += [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
    for member in tree:
        try:
            member.kill()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(tree, timeout=30)
    assert alive == [], f"still running after SIGKILL: {[describe_process(member.pid) for member in alive]}"
    for process in processes:
        process.wait(timeout=10)


def test_every_process_killed_outright_loses_nothing_committed(tmp_path):
    ports = Ports.free()
    first = Stack(run_dir=tmp_path / "run", ports=ports)
    second = Stack(run_dir=tmp_path / "run", ports=ports)
    content = os.urandom(300 * 1024)
    try:
        first.start()
        account = register_account(first.url)
        uploaded = httpx.post(
            f"{first.url}/api/files/upload",
            files={"file": ("kept.bin", content, "application/octet-stream")},
            headers=account.headers,
            timeout=60,
        )
        assert uploaded.status_code == 201, uploaded.text
        assert set(first.processes) == {"s3", "auth", "users", "files", "gateway"}

        kill_outright(list(first.processes.values()))
        left_behind = first.public_dir

        second.start()
        # As root, nginx's workers got a folder outside the run folder; the new start removed
        # the one the killed stack could not.
        assert left_behind is None or not left_behind.exists(), left_behind
        signed_in = httpx.post(
            f"{second.url}/api/auth/login", json={"email": account.email, "password": account.password}, timeout=30
        )
        assert signed_in.status_code == 200, signed_in.text
        headers = {"Authorization": f"Bearer {signed_in.json()['accessToken']}"}
        listed = httpx.get(f"{second.url}/api/files", headers=headers, timeout=30)
        assert listed.status_code == 200, listed.text
        assert [(item["id"], item["name"], item["size"]) for item in listed.json()["items"]] == [
            (uploaded.json()["id"], "kept.bin", len(content))
        ]
        link = httpx.get(f"{second.url}/api/files/{uploaded.json()['id']}/download", headers=headers, timeout=30)
        assert link.status_code == 200, link.text
        downloaded = httpx.get(link.json()["url"], timeout=60)
        assert downloaded.status_code == 200
        assert downloaded.content == content
    finally:
        second.stop()
        # Its processes are dead already; this only removes the gateway's temporary folder.
        first.stop()


class LocalRun:
    """`make run` (python -m scripts.run) on free ports in its own run folder, as a newcomer
    starts it in a terminal; its output is read in a thread so every wait has a bound."""

    def __init__(self, run_dir: Path, *options: str, in_terminal: bool = False) -> None:
        self.run_dir = run_dir
        command = [
            *AS_IN_A_TERMINAL,
            sys.executable,
            "-m",
            "scripts.run",
            "--run-dir",
            str(run_dir),
            "--free-ports",
            *options,
        ]
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

    def ended(self, within: float = STOP_BOUND_SECONDS) -> int:
        """The run's exit code once it ended; past the bound, fails saying where its threads wait
        (SIGUSR1: scripts.run's faulthandler) and which of its processes are still there."""
        try:
            return self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            stacks = self.run_dir / "logs" / STACKS_LOG
            self.process.send_signal(signal.SIGUSR1)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not (stacks.exists() and stacks.stat().st_size):
                time.sleep(0.2)
            alive = [describe_process(child.pid) for child in self.children()]
            said = stacks.read_text() if stacks.exists() else "(no stack dump)"
            raise AssertionError(f"the run did not end within {within} s; its processes: {alive}\n{said}") from None

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
        # A run killed outright leaves nginx's workers' folder (as root, outside the run folder).
        remove_gateway_folder_left(run.run_dir)


def assert_all_gone(processes: list[psutil.Process], within: float = 30) -> None:
    _, alive = psutil.wait_procs(processes, timeout=within)
    assert alive == [], f"still running: {[describe_process(process.pid) for process in alive]}"


def assert_private(run_dir: Path) -> None:
    for path in [run_dir, *run_dir.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o777
        if path.is_socket() or path.suffix == ".vif":
            # SeaweedFS sets the modes of its Unix sockets (0700) and volume info files (0644)
            # itself; the 0700 folders around them keep everyone else out.
            continue
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path}: {oct(mode)}"


def test_closing_the_terminal_stops_every_process_and_keeps_the_data_private(runs, tmp_path):
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
    email = register_account(f"http://127.0.0.1:{gateway_port}").email
    assert_private(run_dir)

    run.process.send_signal(signal.SIGHUP)
    assert run.ended() == 0
    assert_all_gone(children)
    assert_private(run_dir)
    with closing(sqlite3.connect(run_dir / "data" / "users.db")) as users:
        assert users.execute("SELECT count(*) FROM users WHERE email = ?", (email,)).fetchone() == (1,)


def test_a_closed_terminal_stops_the_run_even_when_nobody_passes_the_hang_up_on(runs, tmp_path):
    # Under `make run`, make leads the terminal's session: the kernel's hang-up reaches only
    # make, which waits for its children instead of passing it on.
    runs.append(run := LocalRun(tmp_path / "run", in_terminal=True).started())
    children = run.children()
    assert len(children) >= 6, [describe_process(child.pid) for child in children]
    run.process.kill()
    assert_all_gone(children, within=STOP_BOUND_SECONDS)


def test_the_processes_die_with_a_run_killed_outright(runs, tmp_path):
    runs.append(run := LocalRun(tmp_path / "run").started())
    children = run.children()
    run.process.kill()
    assert_all_gone(children)


def test_make_stop_stops_the_run_of_its_folder(runs, tmp_path):
    runs.append(run := LocalRun(tmp_path / "run").started())
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
        runs.append(run := LocalRun(tmp_path / "run", "--port", str(port)))
        assert run.process.wait(timeout=60) == 1
        run.wait_for("Could not start SCloud")
        said = "".join(run.output) + "".join(run.lines.queue)
        assert f"port {port} is held by pid {holder.pid}: {sys.executable} -c" in said, said
    finally:
        holder.kill()
        holder.wait(timeout=10)


@contextlib.contextmanager
def auth_grpc_port_taken_after_the_check(
    run_dir: Path, ports: Ports, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Stack]:
    """A stack (no gateway) on `ports` whose auth gRPC port another program holds, though the
    start's own check of the ports passes: the race between the check and auth's bind."""
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", ports.auth_grpc))
    squatter.listen()
    checked = stack_module.port_in_use
    monkeypatch.setattr(stack_module, "port_in_use", lambda port: port != ports.auth_grpc and checked(port))
    stack = Stack(run_dir=run_dir, ports=ports, with_gateway=False)
    try:
        yield stack
    finally:
        stack.stop()
        squatter.close()


def test_a_free_port_taken_before_the_stack_binds_it_is_chosen_again(tmp_path, monkeypatch):
    """Regression (stress run, load 19): another program took auth's gRPC port between the
    choice of free ports and auth's bind, auth exited, and the whole start failed."""
    ports = Ports.free()
    with auth_grpc_port_taken_after_the_check(tmp_path / "run", ports, monkeypatch) as stack:
        stack.start()
        assert stack.ports.auth_grpc != ports.auth_grpc
        ready = httpx.get(f"http://127.0.0.1:{stack.ports.http('auth')}/readyz", timeout=30)
        assert ready.status_code == 200, ready.text


def test_a_free_port_taken_before_the_start_checks_it_is_chosen_again(tmp_path):
    """Regression: the same race a moment earlier (another program took a chosen port before the
    start's own check of the ports) failed the start instead of choosing again."""
    ports = Ports.free()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", ports.users_grpc))
        squatter.listen()
        stack = Stack(run_dir=tmp_path / "run", ports=ports, with_gateway=False)
        try:
            stack.start()
            assert stack.ports.users_grpc != ports.users_grpc
            ready = httpx.get(f"http://127.0.0.1:{stack.ports.http('users')}/readyz", timeout=30)
            assert ready.status_code == 200, ready.text
        finally:
            stack.stop()


def test_a_taken_port_someone_expects_fails_the_start_and_says_so(tmp_path, monkeypatch):
    ports = Ports.offset(31000 - Ports().gateway)
    with auth_grpc_port_taken_after_the_check(tmp_path / "run", ports, monkeypatch) as stack:
        with pytest.raises(ExitedWhileStarting) as exited:
            stack.start()
        assert exited.value.name == "auth" and exited.value.port_taken
        assert stack.ports == ports
