"""Podman as the container test runs it: private storage, a private Docker API socket, a private
network namespace, and the health-check loop that systemd would otherwise drive.

Everything here is private to the test: podman's storage and network definitions live under the
cache folder, its run state under /run/scloud-containers-test, the API socket in a temporary folder
handed only to the subprocesses that need it (never to os.environ: a visible Docker socket would
make the rest of `make test` try LocalStack).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RUN_ROOT = Path("/run/scloud-containers-test")
CLONE_NEWNET = 0x40000000


class CommandFailed(AssertionError):
    pass


def run(args: list[str], *, timeout: float, env: dict[str, str] | None = None, check: bool = True, **kwargs: Any):
    """Runs a command with a bounded wait; its output is kept for the failure message."""
    try:
        result = subprocess.run(
            args, env=env, timeout=timeout, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kwargs
        )
    except subprocess.TimeoutExpired as exc:
        raise CommandFailed(
            f"timed out after {timeout}s: {' '.join(args)}\n{_tail(exc.stdout)}\n{_tail(exc.stderr)}"
        ) from None
    if check and result.returncode != 0:
        raise CommandFailed(
            f"exit {result.returncode}: {' '.join(args)}\n{_tail(result.stdout)}\n{_tail(result.stderr)}"
        )
    return result


def _tail(text: str | bytes | None, lines: int = 60) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join((text or "").splitlines()[-lines:])


class Podman:
    """The podman command line bound to the test's own storage and configuration."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.storage = cache / "storage"
        self.networks = cache / "networks"
        for folder in (self.storage, self.networks, RUN_ROOT):
            folder.mkdir(parents=True, exist_ok=True)
        self.global_args = [
            "--root",
            str(self.storage),
            "--runroot",
            str(RUN_ROOT / "run"),
            "--tmpdir",
            str(RUN_ROOT / "libpod"),
            "--storage-driver",
            "overlay",
            "--network-config-dir",
            str(self.networks),
            "--events-backend",
            "file",
        ]
        self.env = {
            **os.environ,
            "CONTAINERS_CONF": str(HERE / "containers.conf"),
            "CONTAINERS_REGISTRIES_CONF": str(HERE / "registries.conf"),
            # Keeps HEALTHCHECK (an instruction OCI images lack) in images buildah builds.
            "BUILDAH_FORMAT": "docker",
        }
        for leaked in ("DOCKER_HOST", "CONTAINER_HOST"):
            self.env.pop(leaked, None)

    def command(self, *args: str, netns: Path | None = None) -> list[str]:
        enter = ["nsenter", f"--net={netns}"] if netns else []
        return [*enter, "podman", *self.global_args, *args]

    def __call__(
        self, *args: str, timeout: float = 60, check: bool = True, netns: Path | None = None
    ) -> subprocess.CompletedProcess:
        return run(self.command(*args, netns=netns), timeout=timeout, env=self.env, check=check)

    def json(self, *args: str, timeout: float = 60) -> Any:
        return json.loads(self(*args, timeout=timeout).stdout or "null")

    @contextlib.contextmanager
    def service(
        self, socket: Path, log: Path, *, netns: Path | None = None, conf: str = "containers.conf"
    ) -> Iterator[str]:
        """`podman system service` on a private unix socket, in `netns` if given, its requests
        logged to `log`; stopped on exit."""
        command = self.command("system", "service", "--time", "0", f"unix://{socket}", netns=netns)
        env = {**self.env, "CONTAINERS_CONF": str(HERE / conf)}
        log.parent.mkdir(parents=True, exist_ok=True)
        output = open(log, "w")  # noqa: SIM115 - closed below, after the process
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while not socket.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise CommandFailed(f"podman service did not start:\n{log.read_text()}")
                time.sleep(0.1)
            yield f"unix://{socket}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            output.close()

    @contextlib.contextmanager
    def health_checks(self, *, starting_every: float = 2, healthy_every: float = 15) -> Iterator[HealthCheckLoop]:
        """Runs each running container's HEALTHCHECK, as systemd timers would: often until healthy,
        from a thread, until the block ends."""
        loop = HealthCheckLoop(self, starting_every=starting_every, healthy_every=healthy_every)
        thread = threading.Thread(target=loop.run, name="podman-health-checks", daemon=True)
        thread.start()
        try:
            yield loop
        finally:
            loop.stop.set()
            thread.join(timeout=60)

    def stop_stale_services(self) -> None:
        """API services a killed run left behind: podman processes serving this storage."""
        for process in Path("/proc").glob("[0-9]*"):
            try:
                args = (process / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"podman" in args[0] and str(RUN_ROOT / "run").encode() in args and b"service" in args:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(process.name), 15)

    def remove_everything_but_images(self, netns: Path | None = None) -> None:
        """Containers, pods, networks and volumes of the test's private storage (images are the
        cache), from the namespace their networks were made in."""
        self("pod", "rm", "--all", "--force", check=False, timeout=120, netns=netns)
        self("rm", "--all", "--force", "--volumes", check=False, timeout=120, netns=netns)
        self("network", "prune", "--force", check=False, timeout=60, netns=netns)
        self("volume", "prune", "--force", check=False, timeout=60, netns=netns)


class HealthCheckLoop:
    """The loop `Podman.health_checks` runs. `paused()` holds it off while `down` runs: a check
    exec'd into a container that is being removed has been seen to leave its address allocated in
    podman's IPAM (and the next `up` then fails), so pausing also waits for a check in flight."""

    def __init__(self, podman: Podman, *, starting_every: float, healthy_every: float) -> None:
        self._podman = podman
        self._starting_every = starting_every
        self._healthy_every = healthy_every
        self.stop = threading.Event()
        self._paused = threading.Event()
        self._checking = threading.Lock()
        self._last_run: dict[str, float] = {}

    @contextlib.contextmanager
    def paused(self, within: float = 60) -> Iterator[None]:
        self._paused.set()
        try:
            # Each check is bounded (30 s), so the one in flight ends within the bound.
            if not self._checking.acquire(timeout=within):
                raise CommandFailed(f"a health check was still running after {within} s")
            self._checking.release()
            yield
        finally:
            self._paused.clear()

    def run(self) -> None:
        while not self.stop.is_set():
            if not self._paused.is_set():
                self._check_those_due()
            self.stop.wait(1)

    def _check_those_due(self) -> None:
        listed = self._podman("ps", "--format", "{{.ID}}|{{.Status}}", check=False, timeout=30).stdout
        for line in listed.splitlines():
            container, _, status = line.partition("|")
            if "(" not in status:
                continue  # no health check defined
            every = self._healthy_every if "(healthy)" in status else self._starting_every
            if time.monotonic() - self._last_run.get(container, 0) < every:
                continue
            with self._checking:
                if self.stop.is_set() or self._paused.is_set():
                    return
                self._last_run[container] = time.monotonic()
                self._podman("healthcheck", "run", container, check=False, timeout=30)


@contextlib.contextmanager
def private_netns(prefix: str, owner: int) -> Iterator[Path]:
    """A network namespace with only a loopback interface, named after its owner's process id and
    removed on exit (with those of owners that are gone: a killed run cannot remove its own)."""
    for stale in Path("/run/netns").glob(f"{prefix}*"):
        pid = stale.name.removeprefix(prefix)
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            run(["ip", "netns", "delete", stale.name], timeout=10, check=False)
    name = f"{prefix}{owner}"
    run(["ip", "netns", "add", name], timeout=10)
    try:
        run(["ip", "-n", name, "link", "set", "lo", "up"], timeout=10)
        yield Path("/run/netns") / name
    finally:
        run(["ip", "netns", "delete", name], timeout=10, check=False)


class NetnsWorker:
    """One thread that has entered a network namespace: whatever it runs opens its sockets there,
    so the test reaches what the containers publish in that namespace, from outside them."""

    def __init__(self, netns: Path) -> None:
        self._netns = netns
        self._pool = ThreadPoolExecutor(max_workers=1, initializer=self._enter)

    def _enter(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        with open(self._netns) as handle:
            if libc.setns(handle.fileno(), CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), f"setns {self._netns}")

    def __call__(self, function: Callable[..., Any], *args: Any, timeout: float = 120) -> Any:
        return self._pool.submit(function, *args).result(timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
