"""`make run` and `make stop`: runs SCloud on this machine until Ctrl-C, a closed terminal
(SIGHUP) or `make stop` (SIGTERM), then stops every process. The data (SQLite databases,
SeaweedFS, the mail folder) is written as it changes, in `.run/data` unless --data-dir says
otherwise, so it survives any of those and a crash alike.

Only one run per run folder: `.run/stack.lock` is held while it runs and `.run/stack.pid`
names the process that `make stop` signals. Every process the run starts dies with it, even
when it is killed outright (scripts/processes.py).
"""

import argparse
import faulthandler
import fcntl
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TextIO

import psutil

from scripts.processes import TerminalWatch, hang_up_with_parent, log_tail
from scripts.stack import DEFAULT_READY_TIMEOUT_SECONDS, ROOT, SERVICES, Ports, Stack

STACKS_LOG = "run-stacks.log"

DEFAULT_RUN_DIR = ROOT / ".run"
# What `make stop` allows the run for stopping before it kills it.
STOP_TIMEOUT_SECONDS = 120.0


def say(message: str, stream: TextIO | None = None) -> None:
    """Prints, unless the terminal has gone (a hang-up): stopping must go on regardless."""
    try:
        print(message, file=stream or sys.stdout, flush=True)
    except OSError:
        pass


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR, help="logs, keys, data and rendered config")
    parser.add_argument(
        "--data-dir", type=Path, help="every account's records, files and mails (default: the run folder's data/)"
    )
    parser.add_argument("--port", type=int, help="port of the gateway (default 8080, plus --ports-offset)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address the gateway listens on; 0.0.0.0 opens it to the network"
    )
    parser.add_argument(
        "--ports-offset",
        type=int,
        default=0,
        help="moves every port (gateway 8080, storage 8333, services 81xx/91xx) by this much",
    )
    parser.add_argument("--free-ports", action="store_true", help="any free ports (tests); the gateway's is printed")
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=DEFAULT_READY_TIMEOUT_SECONDS,
        help="seconds the processes may take to become ready",
    )
    parser.add_argument("--stop", action="store_true", help="stop the run of this run folder (make stop)")
    return parser.parse_args(argv)


def choose_ports(args: argparse.Namespace) -> Ports:
    ports = Ports.free() if args.free_ports else Ports.offset(args.ports_offset)
    if args.port is not None:
        ports = Ports(**{**vars(ports), "gateway": args.port})
    return ports


def make_private(run_dir: Path) -> None:
    """The run folder holds keys and every account's data: owner only, including what an older
    version wrote readable by all."""
    run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder, _, files in os.walk(run_dir):
        os.chmod(folder, 0o700)
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, 0o600)


def running_pid(run_dir: Path) -> int | None:
    """The pid of the run holding this run folder's lock, if one does."""
    lock_path = run_dir / "stack.lock"
    if not lock_path.exists():
        return None
    with open(lock_path) as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass
        else:
            return None
    try:
        return int((run_dir / "stack.pid").read_text())
    except (OSError, ValueError):
        return None


def stop_running(run_dir: Path, timeout: float = STOP_TIMEOUT_SECONDS) -> int:
    """Asks the run to stop as Ctrl-C would; kills it and what it started past `timeout`."""
    pid = running_pid(run_dir)
    if pid is None:
        say(f"SCloud is not running from {run_dir}.")
        return 0
    try:
        run = psutil.Process(pid)
        started = run.children(recursive=True)
        run.terminate()
    except psutil.NoSuchProcess:
        say(f"SCloud (pid {pid}) has already stopped.")
        return 0
    say(f"Stopping SCloud (pid {pid}), up to {timeout:.0f} s ...")
    if not ended(run, timeout):
        say(f"SCloud did not stop within {timeout:.0f} s: killing it and its processes.", sys.stderr)
        run.kill()
        ended(run, 10)
    # Its processes die with it; whatever is left after a bound is killed.
    _, alive = psutil.wait_procs(started, timeout=15)
    for process in alive:
        process.kill()
    psutil.wait_procs(alive, timeout=5)
    say("SCloud stopped.")
    return 0


def ended(process: psutil.Process, timeout: float) -> bool:
    """Whether `process` ends within `timeout`. It is not our child: once it has exited, it may
    linger as a zombie until its parent (make, a shell) collects it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.2)
    return False


class StopRequests:
    """Ctrl-C, SIGTERM and a hang-up: during the start they abort it (the start cleans up
    after itself); once running, they end the wait loop so the stack stops."""

    def __init__(self) -> None:
        self.requested = False
        self.started = False
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)
        # Under nohup, a hang-up is meant to be ignored.
        if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
            signal.signal(signal.SIGHUP, self._handle)
            hang_up_with_parent()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            self.hang_up()
        self.requested = True
        if not self.started:
            raise KeyboardInterrupt

    def hang_up(self) -> None:
        """The terminal is gone: stop, and let nothing printed from now on fail the stop."""
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.dup2(devnull, sys.stderr.fileno())
        self.requested = True


def announce(stack: Stack, run_dir: Path) -> None:
    say(f"SCloud is running at {stack.url}")
    if stack.host != "127.0.0.1":
        say(f"The gateway listens on {stack.host}, open to other machines.")
    say(f"Data lives in {stack.data}; it survives a stop and a crash alike.")
    say(f"Mail is not sent: each message is a file in {stack.mail_dir} (open it with any mail program).")
    for service in SERVICES:
        say(f"Metrics of {service} (this machine only, for a Prometheus scraper): {stack.metrics_url(service)}")
    say(f"Logs in {run_dir / 'logs'}. Press Ctrl-C (or run make stop) to stop.")


def serve(args: argparse.Namespace) -> int:
    stack = Stack(
        args.run_dir, choose_ports(args), data_dir=args.data_dir, host=args.host, ready_timeout=args.ready_timeout
    )
    # `kill -USR1 <pid>` writes where each thread of this process waits, for a start or a stop
    # that hangs; to a file, as a hang-up sends stdout and stderr to /dev/null.
    stack.logs_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stacks = open(stack.logs_dir / STACKS_LOG, "a")  # noqa: SIM115 - open while the process lives
    faulthandler.register(signal.SIGUSR1, file=stacks, all_threads=True)
    stop = StopRequests()
    say("Starting SCloud: SeaweedFS, auth, users, files, gateway ...")
    try:
        stack.start()
        stop.started = True
    except KeyboardInterrupt:
        say("Stopped while starting.")
        return 130
    except RuntimeError as exc:
        say(f"Could not start SCloud: {exc}\nLogs: {stack.logs_dir}", sys.stderr)
        return 1
    announce(stack, args.run_dir)
    failed = None
    # Under nohup, losing the terminal is no reason to stop either.
    watch_terminal = signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN
    terminal = TerminalWatch()
    while not stop.requested and failed is None:
        failed = stack.failed_process()
        if watch_terminal and terminal.lost():
            stop.hang_up()
        time.sleep(0.5)
    if failed is not None:
        log = stack.log_path(failed)
        say(f"The {failed} process stopped. End of {log}:\n{log_tail(log)}", sys.stderr)
    say("Stopping SCloud ...")
    stack.stop()
    say("SCloud stopped.")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.stop:
        return stop_running(args.run_dir)
    os.umask(0o077)
    make_private(args.run_dir)
    if args.data_dir is not None:
        make_private(args.data_dir)
    lock = open(args.run_dir / "stack.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say(f"SCloud is already running from {args.run_dir}: stop it with Ctrl-C there, or make stop.", sys.stderr)
        return 1
    (args.run_dir / "stack.pid").write_text(str(os.getpid()))
    try:
        return serve(args)
    finally:
        (args.run_dir / "stack.pid").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
