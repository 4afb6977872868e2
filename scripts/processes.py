"""The local stack's processes: started so that they die with the process that started them,
waited on with a bound that names what is late, and found when they hold a port."""

import ctypes
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psutil

# linux/prctl.h
_PR_SET_PDEATHSIG = 1
# Looked up here, not in the child: between fork and exec only the call itself may run.
_prctl = ctypes.CDLL(None, use_errno=True).prctl
_LOG_TAIL_LINES = 40


def die_with(parent_pid: int) -> Callable[[], None]:
    """Runs in the child between fork and exec: the kernel sends it SIGTERM when its parent
    goes, even by `kill -9`, so nothing is left holding the ports. The signal survives exec;
    a parent gone before the call is caught by comparing the parent's pid."""

    def arm() -> None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGTERM)

    return arm


def hang_up_with_parent() -> None:
    """This process gets SIGHUP when its parent (make, a shell) dies: a closed terminal kills
    make, which hands the hang-up to nobody, so the run hears of it this way too."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGHUP, 0, 0, 0)


def has_terminal() -> bool:
    """Whether this process still has a controlling terminal. A closed terminal takes it away;
    the hang-up signal itself reaches only the session's leader, which may be make, who waits
    for its children instead of passing it on."""
    try:
        os.close(os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY))
    except OSError:
        return False
    return True


class TerminalWatch:
    """Whether the terminal the run had has gone: true once a terminal was seen and is no longer
    there. Seen at any check, not only the first: a check at the start has been seen to find no
    terminal in a run that had one (the run then never noticed its terminal close)."""

    def __init__(self, has_terminal: Callable[[], bool] = has_terminal) -> None:
        self._has_terminal = has_terminal
        self._had_terminal = False

    def lost(self) -> bool:
        if self._has_terminal():
            self._had_terminal = True
            return False
        return self._had_terminal


def spawn(command: list[str], *, env: dict[str, str], log_path: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """`command` in a session of its own (a terminal's Ctrl-C or hang-up reaches only the
    stack, which stops its children in order), writing to `log_path`."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=die_with(os.getpid()),
        )


def run_checked(command: list[str], *, env: dict[str, str], cwd: Path, timeout: float = 120.0) -> None:
    """Runs a one-shot command to its end (bounded), raising with its output if it fails."""
    try:
        result = subprocess.run(
            command,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=timeout,
            preexec_fn=die_with(os.getpid()),
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{' '.join(command[:4])} did not finish within {timeout:.0f} s") from exc
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} failed:\n{result.stdout}\n{result.stderr}")


def log_tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def http_status(url: str) -> tuple[int | None, str]:
    """The status `url` answers with (None if it does not answer) and what it said."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(500).decode(errors="replace")
    except (urllib.error.URLError, OSError) as exc:
        return None, str(exc)


class ExitedWhileStarting(RuntimeError):
    """A process ended before it was ready; says how, with the end of its log."""

    def __init__(self, name: str, returncode: int, log: Path) -> None:
        self.name = name
        self.log_end = log_tail(log)
        super().__init__(f"the {name} process exited ({returncode}) while starting. End of {log}:\n{self.log_end}")

    @property
    def port_taken(self) -> bool:
        """Whether it could not listen because another program holds its port (uvicorn, gRPC
        and nginx all say "address already in use")."""
        return "address already in use" in self.log_end.lower()


def wait_until_ready(
    checks: dict[str, str], *, processes: dict[str, subprocess.Popen[bytes]], logs: Path, timeout: float
) -> None:
    """Waits until every process named in `checks` answers 200 at its URL, all within one
    bound. Fails at once when one exits; on timeout, names each one not ready, what its check
    last answered and the end of its log."""
    deadline = time.monotonic() + timeout
    waiting = dict(checks)
    last: dict[str, str] = {}
    while waiting:
        for name, url in list(waiting.items()):
            process = processes.get(name)
            if process is not None and process.poll() is not None:
                raise ExitedWhileStarting(name, process.returncode, logs / (name + ".log"))
            status, said = http_status(url)
            if status == 200:
                del waiting[name]
            else:
                last[name] = f"{status} {said}".strip() if status else said
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"not ready within {timeout:.0f} s: {', '.join(waiting)}\n"
                + "\n".join(
                    f"--- {name}: {url} last answered: {last.get(name, '')}\n"
                    f"end of {logs / (name + '.log')}:\n{log_tail(logs / (name + '.log'))}"
                    for name, url in waiting.items()
                )
            )
        time.sleep(0.3)


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def port_holders(port: int) -> list[str]:
    """Who listens on `port`: "pid N: command line" for each process this user may inspect."""
    holders: set[int] = set()
    try:
        connections = psutil.net_connections(kind="inet")
    except psutil.AccessDenied:
        connections = []
    for connection in connections:
        if connection.status == psutil.CONN_LISTEN and connection.laddr and connection.laddr.port == port:
            if connection.pid is not None:
                holders.add(connection.pid)
    return [describe_process(pid) for pid in sorted(holders)]


def describe_process(pid: int) -> str:
    try:
        command = " ".join(psutil.Process(pid).cmdline()) or psutil.Process(pid).name()
    except psutil.Error:
        command = "(gone or not visible)"
    return f"pid {pid}: {command}"


def busy_ports_message(ports: list[int]) -> str:
    lines = []
    for port in ports:
        holders = port_holders(port)
        who = "; ".join(holders) if holders else "a process this user cannot see"
        lines.append(f"  port {port} is held by {who}")
    return (
        "ports already in use:\n"
        + "\n".join(lines)
        + "\nIf that is SCloud from this clone, stop it with `make stop`; otherwise stop that program "
        "(kill <pid>) or start on other ports (make run ARGS=--ports-offset=100)."
    )
