"""A compose project as the container tests drive it, and what they ask of its containers: their
states, their health, and whether the compose network's names resolve in them (podman's DNS needs
watching here)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tests.containers.conftest import COMPOSE
from tests.containers.engine import CommandFailed, Podman, run
from tests.containers.standins import REPO


@dataclasses.dataclass
class ComposeProject:
    """`docker compose` on one of the repository's compose files (`file`, relative to it) as
    project `project`, with the test's environment; `report` collects the run's figures and
    `services` the project's services once listed."""

    file: str
    project: str
    env: dict[str, str]
    report: dict = dataclasses.field(default_factory=dict)
    services: list[str] = dataclasses.field(default_factory=list)
    # The network namespace the podman API at DOCKER_HOST runs in, where the project's network is.
    netns: Path | None = None

    @property
    def command(self) -> list[str]:
        return [str(COMPOSE), "--project-directory", str(REPO), "-f", str(REPO / self.file), "-p", self.project]

    def __call__(self, *args: str, timeout: float, check: bool = True):
        return run([*self.command, *args], env=self.env, timeout=timeout, check=check)

    def at(self, docker_host: str, netns: Path | None = None) -> ComposeProject:
        """The same project through the podman API at `docker_host`, running in `netns` (its report
        and services shared)."""
        return dataclasses.replace(self, env={**self.env, "DOCKER_HOST": docker_host}, netns=netns)


# Inside one container: resolves every name given (`name=address,...`, the addresses its container
# has now), round after round, until three rounds in a row answered each name within a second with
# exactly those addresses, or the bound (seconds, first argument) is up; prints the names slow,
# failing or answered wrongly in the last round, each with what it got (nothing when settled).
# The bound is checked before each lookup, not each round: where nothing answers, one lookup takes
# 20 s, and a round of them outlasted the exec's own timeout (a container on the broadcast address).
NAMES_RESOLVING = """
import socket, sys, time
deadline = time.monotonic() + float(sys.argv[1])
expected = dict(
    (name, set(addresses.split(",")) - {""}) for name, _, addresses in (arg.partition("=") for arg in sys.argv[2:])
)
streak, unsettled = 0, [name + ":unasked" for name in expected]
while streak < 3 and time.monotonic() < deadline:
    unsettled = []
    for name, addresses in expected.items():
        if time.monotonic() >= deadline:
            unsettled.append(name + ":unasked")
            continue
        started = time.monotonic()
        try:
            answered = {entry[4][0] for entry in socket.getaddrinfo(name, 443, proto=socket.IPPROTO_TCP)}
        except OSError as exc:
            unsettled.append(name + ":unresolved(" + type(exc).__name__ + ")")
            continue
        if time.monotonic() - started > 1:
            unsettled.append(name + ":slow")
        elif addresses and answered != addresses:
            unsettled.append(name + ":" + ",".join(sorted(answered)))
    streak = 0 if unsettled else streak + 1
    if unsettled:
        time.sleep(0.5)
print(" ".join(unsettled) if streak < 3 else "")
"""
NAME_RESOLUTION_BOUND_SECONDS = 90
# Where netavark keeps aardvark-dns's records and process id for rootful podman (not under the
# test's --runroot: podman 4.3 does not move it).
AARDVARK_DIR = Path("/run/containers/networks/aardvark-dns")


def containers(podman: Podman, project: str) -> list[dict]:
    """The project's containers, inspected. A container can go between the listing and the
    inspection (one did while compose settled after `up`): then both are done again."""
    for _ in range(5):
        ids = podman("ps", "--all", "--quiet", "--filter", f"label=com.docker.compose.project={project}").stdout.split()
        if not ids:
            return []
        inspected = podman("inspect", *ids, check=False)
        if inspected.returncode == 0:
            return json.loads(inspected.stdout)
        time.sleep(1)
    raise CommandFailed(f"the project's containers kept changing: {inspected.stderr}")


def service_name(container: dict) -> str:
    return container["Config"]["Labels"]["com.docker.compose.service"]


# A container's status, exit code and health (None without a health check).
ServiceState = tuple[str, int, str | None]


def service_states(podman: Podman, project: str) -> dict[str, ServiceState]:
    states = {}
    for container in containers(podman, project):
        state = container["State"]
        health = state.get("Health") or state.get("Healthcheck") or {}
        states[service_name(container)] = (state["Status"], state["ExitCode"], health.get("Status") or None)
    return states


def addresses_now(podman: Podman, project: str, names: Sequence[str]) -> dict[str, list[str]]:
    """Each running service among `names` (compose's name for it on the project network is the
    service's), with the addresses its container has now."""
    found = {}
    for container in containers(podman, project):
        name = service_name(container)
        if name in names and container["State"]["Status"] == "running":
            networks = (container.get("NetworkSettings") or {}).get("Networks") or {}
            found[name] = sorted(network["IPAddress"] for network in networks.values() if network.get("IPAddress"))
    return found


def unresolved_names(
    podman: Podman, project: str, services: Sequence[str], names: Sequence[str]
) -> dict[str, list[str]]:
    """Per service, the compose names (the store's and the peers') it cannot resolve promptly,
    steadily and to the addresses their containers have now, within the bound; each with what it
    got."""
    addresses = addresses_now(podman, project, names)
    expectations = [f"{name}={','.join(addresses.get(name, []))}" for name in names]
    missing = {}
    for service in services:
        result = podman(
            "exec",
            f"{project}-{service}-1",
            "python",
            "-c",
            NAMES_RESOLVING,
            str(NAME_RESOLUTION_BOUND_SECONDS),
            *expectations,
            check=False,
            timeout=NAME_RESOLUTION_BOUND_SECONDS + 60,
        )
        unresolved = result.stdout.split() if result.returncode == 0 else [f"(exec failed: {result.stderr[-200:]})"]
        if unresolved:
            missing[service] = unresolved
    return missing


def repair_names(
    podman: Podman, compose: ComposeProject, services: Sequence[str], names: Sequence[str]
) -> dict[str, list[str]]:
    """Checks the names in every one of `services` and, where one does not settle, repairs the DNS
    as an operator would, each repair recorded in the report (`dns_repairs`): first aardvark-dns is
    told to read its records again (SIGHUP), then podman sets the containers' networks up again
    (`network reload`, in the project's network namespace: run outside it, it left every name
    unresolved here). Returns what is still wrong after both."""
    missing = unresolved_names(podman, compose.project, services, names)
    repairs = []
    for repair in ("aardvark-dns SIGHUP", "podman network reload --all"):
        if not missing:
            break
        repairs.append({"repair": repair, "unresolved": missing})
        if repair.startswith("aardvark"):
            pid_file = AARDVARK_DIR / "aardvark.pid"
            with contextlib.suppress(OSError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGHUP)
        else:
            podman("network", "reload", "--all", check=False, timeout=120, netns=compose.netns)
        missing = unresolved_names(podman, compose.project, services, names)
    if repairs:
        compose.report.setdefault("dns_repairs", []).extend(repairs)
    return missing


def names_resolve_everywhere(
    podman: Podman, compose: ComposeProject, services: Sequence[str], names: Sequence[str]
) -> None:
    """Every service resolves the store's and its peers' names, promptly, steadily and to the
    containers they name now, as compose promises, before anything is asked of the product.

    Podman 4.3's aardvark-dns (the compose network's DNS server) is restarted and reloaded as
    containers start and stop, and meanwhile leaves queries unanswered: after `down` and `up`,
    auth could not resolve `aws` for 35 s (every other lookup answered at once), and a loop of
    lookups beside containers starting and stopping here saw 20-40 s without an answer, once in
    a few hundred lookups (glibc's resolver options do not help: nothing answers). After a
    restore had every container recreated, files could not reach `s3` for minutes (CI,
    2026-12-07), so a name that answers is also checked against the address its container has
    now. That is the engine here, not the product, and Docker's DNS does not do it. So the test
    waits, bounded, for the DNS to settle once the containers are up, and repairs it if it does
    not (repair_names). A name still wrong fails the test with aardvark's records."""
    missing = repair_names(podman, compose, services, names)
    if missing:
        records = "\n".join(
            f"{path.name}:\n{path.read_text(errors='replace')}"
            for path in sorted(AARDVARK_DIR.glob("*"))
            if path.is_file()
        )
        raise CommandFailed(f"names wrong after {compose.report.get('dns_repairs', [])[-2:]}: {missing}\n{records}")


def up_and_settled(
    podman: Podman,
    compose: ComposeProject,
    *,
    expected: Sequence[str],
    ready: Callable[[str, ServiceState], bool],
    services: Sequence[str],
    names: Sequence[str],
    wait_seconds: int,
) -> None:
    """`up --wait`, then each service's own state (the exit code alone has been seen to lie), then
    the names in every service (names_resolve_everywhere).

    `up --wait` gives up on the first container marked unhealthy, though a service recovers by
    itself once what it waits on answers (auth, users and files wait on each other and on the
    store, through podman's DNS, which can stall or keep a recreated container's old address,
    above). So, as the operator's scripts do (scripts/self_host/common.sh), a first failure is
    given the bound to become healthy and `up --wait` is run once more. Before that wait, the
    names are checked in the services running and the DNS repaired where they are wrong
    (repair_names): a service cannot become healthy while its store's name leads nowhere. The
    first attempt's states and the unready services' own logs are kept in the report
    (`up_retried`). A second failure fails the test with the latest states and logs.

    `--no-recreate`, as the operator's scripts: compose on podman here recreates every running
    container on `up` (a dry run lists them all, with their labels, image and config hash
    unchanged), and that churn of addresses is when the names have gone wrong. So an `up` after
    scripts/self_host/restore.sh (which starts SCloud itself) checks what runs, and the second
    attempt waits on the containers that are recovering instead of replacing them."""
    for attempt in (1, 2):
        result = compose(
            "up",
            "--detach",
            "--wait",
            "--wait-timeout",
            str(wait_seconds),
            "--no-recreate",
            timeout=wait_seconds + 60,
            check=False,
        )
        failure = f"up --wait (exit {result.returncode})\n{result.stderr[-3000:]}"
        states = service_states(podman, compose.project)
        unready = unready_services(states, expected, ready)
        if not unready:
            names_resolve_everywhere(podman, compose, services, names)
            return
        own_logs = _own_logs(podman, compose.project, states, unready)
        if attempt == 2:
            break
        compose.report.setdefault("up_retried", []).append({"states": states, "logs": own_logs})
        running = [name for name in services if states.get(name, ("",))[0] == "running"]
        repair_names(podman, compose, running, names)
        # up --wait fails at once on a container still marked unhealthy: each one's own check is
        # run until it passes first.
        checked = [name for name, (status, _, health) in states.items() if status == "running" and health]
        try:
            wait_until_healthy(podman, compose.project, checked, within=wait_seconds)
        except CommandFailed as exc:
            failure = str(exc)
            states = service_states(podman, compose.project)
            own_logs = _own_logs(podman, compose.project, states, unready_services(states, expected, ready))
            break
    interleaved = compose("logs", "--no-color", "--tail", "40", timeout=60, check=False).stdout
    raise CommandFailed(
        f"{failure}\n{states}\n{interleaved[-6000:]}"
        + (f"\nDNS repairs: {compose.report['dns_repairs']}" if compose.report.get("dns_repairs") else "")
        + "".join(f"\n--- {name}'s own log ---\n{log}" for name, log in own_logs.items())
    )


def unready_services(
    states: dict[str, ServiceState], expected: Sequence[str], ready: Callable[[str, ServiceState], bool]
) -> list[str]:
    """The expected services not ready, then any container compose made that nobody expected (it
    fails the start as one not ready does)."""
    unready = [name for name in expected if name not in states or not ready(name, states[name])]
    return unready + sorted(set(states) - set(expected))


def _own_logs(podman: Podman, project: str, states: dict[str, ServiceState], unready: Sequence[str]) -> dict[str, str]:
    """Each unready service's own log (those with a container), which the project's interleaved
    tail can miss."""
    logs = {}
    for service in unready:
        if service in states:
            shown = podman("logs", "--tail", "150", f"{project}-{service}-1", check=False, timeout=60)
            logs[service] = (shown.stdout + shown.stderr)[-8000:]
    return logs


def wait_until_healthy(podman: Podman, project: str, services: Sequence[str], *, within: float) -> None:
    """`compose restart` does not wait for health, and the health a container reported before its
    restart can still show: each service's own check is run until it passes, within the bound."""
    deadline = time.monotonic() + within
    waiting = set(services)
    while waiting:
        for container in containers(podman, project):
            name = service_name(container)
            if (
                name in waiting
                and podman("healthcheck", "run", container["Id"], check=False, timeout=30).returncode == 0
            ):
                waiting.discard(name)
        if waiting and time.monotonic() > deadline:
            raise CommandFailed(
                f"not healthy {within} s after the restart: {sorted(waiting)}: {service_states(podman, project)}"
            )
        if waiting:
            time.sleep(2)
