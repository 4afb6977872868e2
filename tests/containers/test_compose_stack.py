"""The product as `docker compose up` runs it: every image built from the project's own
Dockerfiles, compose.yaml brought up with `up --wait`, and the real flow driven from outside the
containers through the gateway. Run by `make test-containers` (times in docs/containers.md).

What it proves:
- gateway/Dockerfile, services/*/Dockerfile and docker/provision.Dockerfile build unchanged with
  the classic builder (Docker's API, served by podman), and compose.yaml starts them in order:
  the one-shot init (certificates) exits 0, then auth, users, files (each provisioning the store
  first) and the gateway report healthy through compose.yaml's health checks (ready: /readyz);
- from outside, through the gateway's published port, the moment `up --wait` returns (healthy
  means ready: no retry papers over a cold start): register, log in, walk the drive (a folder, an
  upload into it, its listing, a move to the root and back, the folder as a ZIP whose member's
  bytes are compared, trash and restore), download through the presigned link on the published S3
  endpoint (bytes compared), delete, delete the account (whose sign-in then fails);
- each service's process, sent SIGUSR1, logs where its threads and asyncio tasks wait and serves
  on (a failed flow prints that for every service);
- only the gateway and the S3 endpoint publish ports (the S3 endpoint on loopback only); every
  process runs as a non-root user; `docker compose down` then `up` again works (certificates kept
  in their volume, resources provisioned again);
- as after a reboot: the store restarted (so empty: an account made before is gone) with every
  service, and init not run again, the services provision the store themselves and the whole flow
  works again.

What it cannot prove:
- the real upstream base images: python, node and nginxinc/nginx-unprivileged are stand-ins built
  from Debian bookworm under the same names (docker/standin/). Node is the tagged version; Python
  is bookworm's 3.11 (not the tagged patch release); nginx is bookworm's 1.22 (not the tagged one),
  behind an entrypoint that follows the unprivileged image's template and envsh contract;
- LocalStack itself: AWS_STANDIN_IMAGE swaps in a moto server image, as compose.yaml allows;
- Docker Engine and BuildKit: podman 4.3 serves Docker's API, with the classic builder.

The containers run in a private network namespace (host ports in use do not matter, and nothing
outside is reachable from them); the builds run in the host's, so pip and npm reach their
registries. The podman socket is handed only to the commands that need it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.containers.conftest import CACHE, COMPOSE
from tests.containers.engine import CommandFailed, HealthCheckLoop, NetnsWorker, Podman, private_netns
from tests.containers.project import (
    ComposeProject,
    containers,
    names_resolve_everywhere,
    service_name,
    service_states,
    up_and_settled,
    wait_until_healthy,
)
from tests.containers.standins import REPO, StandIns, base_images

pytestmark = pytest.mark.skipif(
    os.environ.get("SCLOUD_CONTAINER_TESTS") != "1",
    reason="builds and runs every image (minutes, root, podman): run it with `make test-containers`",
)

PROJECT = "scloud-containers-test"
ONE_SHOT = "init"  # compose.yaml's certificates job; every other service runs and reports healthy
GATEWAY = "http://127.0.0.1:8080"
PASSWORD = "container-test-passphrase"
LONG_RUNNING_SERVICES = ("aws", "auth", "users", "files", "gateway")
SERVICES = ("auth", "users", "files")
# The names each service must resolve: the store's and its peers'.
RESOLVED_NAMES = ("aws", "auth", "users", "files")
# What scloud_common.stack_dumps logs after the threads' dump; a busy process may take a while.
TASKS_DUMPED = "asyncio tasks on request"
STACK_DUMP_BOUND_SECONDS = 20.0
STACK_DUMP_CHARS = 30000
NAME_LOOKUP_TIMES = """
import socket, time
for name in ("aws", "auth", "users", "files"):
    started = time.monotonic()
    try:
        socket.getaddrinfo(name, 443)
        outcome = "ok"
    except OSError as exc:
        outcome = repr(exc)
    print(name, outcome, round(time.monotonic() - started, 2), end="; ")
"""
REPORT = REPO / "artifacts" / "containers" / "last-run.json"


@dataclass
class Stack:
    podman: Podman
    compose: ComposeProject
    netns: Path
    worker: NetnsWorker
    health_checks: HealthCheckLoop

    def down(self, *args: str, check: bool = True) -> None:
        """`docker compose down`, with no health check racing the containers' removal."""
        with self.health_checks.paused():
            self.compose("down", "--timeout", "10", *args, timeout=180, check=check)

    def drive(self, flow: Callable[..., object], *args: object, timeout: float = 180) -> object:
        """Runs `flow` from inside the namespace; if it fails, the services' logs and where each
        service's process waits say why."""
        try:
            return self.worker(flow, *args, timeout=timeout)
        except Exception as exc:
            dumps = "".join(
                f"\n--- {name}: threads and tasks on SIGUSR1 ---\n{text}" for name, text in self.stack_dumps().items()
            )
            logs = self.compose("logs", "--no-color", "--tail", "60", timeout=60, check=False).stdout
            raise CommandFailed(
                f"{exc!r}\n--- name lookups ---\n{self.name_lookups()}\n--- the services' logs ---\n{logs[-12000:]}"
                f"{dumps}"
            ) from exc

    def stack_dumps(self) -> dict[str, str]:
        """Every thread's stack and every asyncio task of each service's process, which dumps
        them to its log on SIGUSR1 (scloud_common.stack_dumps) and serves on: taken while a
        stall still lasts, they show where a request waits."""
        dumps = {}
        for service in SERVICES:
            container = f"{PROJECT}-{service}-1"
            since = str(int(time.time()) - 1)
            asked = self.podman("kill", "--signal", "USR1", container, check=False, timeout=30)
            if asked.returncode != 0:
                dumps[service] = f"(not asked: {asked.stderr.strip()[-300:]})"
                continue
            dumps[service] = self.logged_since(container, since)
        return dumps

    def logged_since(self, container: str, since: str) -> str:
        """The container's log since `since` (Unix seconds), once the tasks' dump (logged after
        the threads') is in it or the bound is up."""
        deadline = time.monotonic() + STACK_DUMP_BOUND_SECONDS
        while True:
            logs = self.podman("logs", "--since", since, container, check=False, timeout=60)
            text = logs.stdout + logs.stderr
            if TASKS_DUMPED in text or time.monotonic() > deadline:
                return text[-STACK_DUMP_CHARS:]
            time.sleep(0.5)

    def name_lookups(self) -> str:
        """How long each service takes to resolve the store's and its peers' names: a request that
        never reached the store (a stalled CreateUser, step 9) could be a DNS stall."""
        lines = []
        for service in SERVICES:
            result = self.podman(
                "exec", f"{PROJECT}-{service}-1", "python", "-c", NAME_LOOKUP_TIMES, check=False, timeout=60
            )
            lines.append(f"{service}: {result.stdout.strip() or result.stderr.strip()[-300:]}")
        return "\n".join(lines)


@pytest.fixture(scope="module")
def compose(podman: Podman, private_dir: Path) -> ComposeProject:
    if not COMPOSE.exists():
        pytest.fail(f"{COMPOSE} is missing: `make test-containers` installs it")
    env = {
        **podman.env,
        "DOCKER_CONFIG": str(private_dir / "docker-config"),
        # Podman serves the classic build API only.
        "DOCKER_BUILDKIT": "0",
        "COMPOSE_BAKE": "false",
        "COMPOSE_PROJECT_NAME": PROJECT,
    }
    for variable in ("AUTH_JWT_PRIVATE_KEY", "COMPOSE_FILE", "COMPOSE_PROFILES"):
        env.pop(variable, None)
    return ComposeProject("compose.yaml", PROJECT, env)


@pytest.fixture(scope="module")
def built(podman: Podman, compose: ComposeProject, private_dir: Path) -> ComposeProject:
    """Base stand-ins (once, cached), then every project image through compose's own build."""
    started = time.monotonic()
    standins = StandIns(podman, CACHE)
    images = base_images()
    compose.report["standins_built"] = standins.ensure(images)
    compose.report["standins_seconds"] = round(time.monotonic() - started, 1)
    python = next(image for image in images if image.repository == "python")
    compose.env["AWS_STANDIN_IMAGE"] = standins.moto_image(python)
    compose.env["AWS_STANDIN_HEALTHCHECK"] = "moto-health"

    started = time.monotonic()
    with podman.service(
        private_dir / "build.sock", REPORT.parent / "build-service.log", conf="containers-build.conf"
    ) as docker_host:
        builder = compose.at(docker_host)
        # The gateway (npm) beside one service (pip) first; then the other services find that
        # service's dependency layer in the cache instead of installing the same pins at once.
        first = ("gateway", "auth")
        with ThreadPoolExecutor(max_workers=2) as pool:
            for done in [pool.submit(builder, "build", name, timeout=1200) for name in first]:
                done.result()
        compose.services[:] = builder("config", "--services", timeout=60).stdout.split()
        builder("build", *(name for name in compose.services if name not in first), timeout=1200)
    compose.report["build_seconds"] = round(time.monotonic() - started, 1)
    compose.report["images"] = image_sizes(podman)
    return compose


@pytest.fixture(scope="module")
def stack(podman: Podman, built: ComposeProject, private_dir: Path) -> Iterator[Stack]:
    with private_netns("scloud-ct-", os.getpid()) as netns:
        worker = NetnsWorker(netns)
        try:
            with (
                podman.service(private_dir / "up.sock", REPORT.parent / "up-service.log", netns=netns) as docker_host,
                podman.health_checks() as health_checks,
            ):
                stack = Stack(podman, built.at(docker_host, netns), netns, worker, health_checks)
                try:
                    started = time.monotonic()
                    up(podman, stack.compose)
                    stack.compose.report["first_up_seconds"] = round(time.monotonic() - started, 1)
                    yield stack
                finally:
                    stack.down("--volumes", "--remove-orphans", check=False)
                    podman.remove_everything_but_images(netns=netns)
        finally:
            worker.close()
            REPORT.parent.mkdir(parents=True, exist_ok=True)
            REPORT.write_text(json.dumps(built.report, indent=2) + "\n")


def up(podman: Podman, compose: ComposeProject) -> None:
    up_and_settled(
        podman,
        compose,
        expected=compose.services,
        ready=ready,
        services=SERVICES,
        names=RESOLVED_NAMES,
        wait_seconds=240,
    )


def ready(service: str, state: tuple[str, int, str | None]) -> bool:
    status, exit_code, health = state
    if service == ONE_SHOT:
        return status == "exited" and exit_code == 0
    return status == "running" and health == "healthy"


def image_sizes(podman: Podman) -> dict[str, float]:
    listed = podman.json("images", "--format", "json", "--filter", f"reference=*{PROJECT}*")
    sizes = {}
    for image in listed:
        for name in image.get("Names") or []:
            sizes[name.rpartition("/")[2]] = round(image["Size"] / 1e6, 1)
    return sizes


def test_only_the_gateway_and_the_s3_endpoint_publish_ports(stack: Stack) -> None:
    published = {}
    for container in containers(stack.podman, PROJECT):
        bindings = container["HostConfig"].get("PortBindings") or {}
        published[service_name(container)] = sorted(
            (port, binding.get("HostIp") or "", binding["HostPort"])
            for port, host in bindings.items()
            for binding in host or []
        )

    assert {name for name, ports in published.items() if ports} == {"gateway", "aws"}
    assert published["gateway"] == [("8080/tcp", "", "8080")]
    assert published["aws"] == [("4566/tcp", "127.0.0.1", "4566")]


def test_every_service_runs_as_a_non_root_user_and_reports_healthy(stack: Stack) -> None:
    states = service_states(stack.podman, PROJECT)
    uids = {}
    for container in containers(stack.podman, PROJECT):
        name = service_name(container)
        if name == ONE_SHOT:
            uids[name] = {container["Config"]["User"]}  # exited: its image's user is all there is
            continue
        status = Path(f"/proc/{container['State']['Pid']}/status").read_text()
        # Real, effective, saved and filesystem user ids of the container's main process.
        uids[name] = set(next(line.split()[1:] for line in status.splitlines() if line.startswith("Uid:")))

    assert states[ONE_SHOT] == ("exited", 0, None)
    long_running = set(stack.compose.services) - {ONE_SHOT}
    assert {name: states[name][::2] for name in long_running} == dict.fromkeys(long_running, ("running", "healthy"))
    assert set(uids) == set(stack.compose.services)
    assert not any(ids & {"", "0", "root"} for ids in uids.values()), uids


def test_each_service_shows_where_it_waits_on_sigusr1_and_serves_on(stack: Stack) -> None:
    """What a failed flow prints (Stack.drive) works in the images as they ship: python is the
    container's main process (compose's command execs it), so the signal reaches it."""
    dumps = stack.stack_dumps()
    assert set(dumps) == set(SERVICES)
    for service, dump in dumps.items():
        assert "(most recent call first)" in dump and TASKS_DUMPED in dump, f"{service}: {dump[-3000:]}"
    states = service_states(stack.podman, PROJECT)
    assert set(states) == set(stack.compose.services)
    assert all(ready(name, state) for name, state in states.items()), states


def test_the_product_flow_through_the_gateway(stack: Stack) -> None:
    timed(stack, "first_flow_seconds", lambda: stack.drive(product_flow))


def test_down_then_up_again_serves_the_product(stack: Stack) -> None:
    stack.down()
    assert service_states(stack.podman, PROJECT) == {}

    timed(stack, "second_up_seconds", lambda: up(stack.podman, stack.compose))
    timed(stack, "second_flow_seconds", lambda: stack.drive(product_flow))


def test_after_the_store_and_the_services_restart_they_provision_it_again(stack: Stack) -> None:
    """As after a reboot: the store comes back empty and init, a one-shot that has exited, is not
    run again; the services, restarted, create the tables and bucket themselves."""
    email = stack.drive(sign_up)
    init_started = started_at(stack.podman, ONE_SHOT)

    stack.compose("restart", *LONG_RUNNING_SERVICES, timeout=240)
    timed(
        stack,
        "restart_ready_seconds",
        lambda: wait_until_healthy(stack.podman, PROJECT, LONG_RUNNING_SERVICES, within=240),
    )
    names_resolve_everywhere(stack.podman, stack.compose, SERVICES, RESOLVED_NAMES)

    assert started_at(stack.podman, ONE_SHOT) == init_started, "init ran again"
    stack.drive(sign_in_fails, email)  # the store did restart, empty
    timed(stack, "restart_flow_seconds", lambda: stack.drive(product_flow))


def timed(stack: Stack, name: str, step: Callable[[], object]) -> None:
    started = time.monotonic()
    step()
    stack.compose.report[name] = round(time.monotonic() - started, 1)


def started_at(podman: Podman, service: str) -> str:
    [container] = [container for container in containers(podman, PROJECT) if service_name(container) == service]
    return str(container["State"]["StartedAt"])


def sign_up(api: httpx.Client | None = None) -> str:
    """Registers a new user and signs in (the client then carries its access token); returns the
    email address."""
    email = f"containers-{uuid.uuid4().hex[:10]}@example.com"
    with httpx.Client(base_url=GATEWAY, timeout=30) if api is None else contextlib.nullcontext(api) as client:
        registered = client.post("/api/auth/register", json={"email": email, "username": "Crate", "password": PASSWORD})
        assert registered.status_code == 201, registered.text
        signed_in = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        client.headers["Authorization"] = f"Bearer {signed_in.json()['accessToken']}"
    return email


def sign_in_fails(email: str) -> None:
    with httpx.Client(base_url=GATEWAY, timeout=30) as api:
        assert api.post("/api/auth/login", json={"email": email, "password": PASSWORD}).status_code == 401


def product_flow() -> None:
    """One user's whole life through the gateway, as the browser drives it (runs in the netns)."""
    content = os.urandom(300_000) + b"end"
    with httpx.Client(base_url=GATEWAY, timeout=30) as api, httpx.Client(timeout=30) as storage:
        assert api.get("/healthz").status_code == 200
        assert b"<html" in api.get("/").content.lower()
        email = sign_up(api)

        folder_id, file_id = walk_the_drive(api, content)

        link = api.get(f"/api/files/{file_id}/download")
        assert link.status_code == 200, link.text
        url = link.json()["url"]
        assert url.startswith("http://localhost:4566/"), url
        downloaded = storage.get(url)
        assert downloaded.status_code == 200
        assert hashlib.sha256(downloaded.content).digest() == hashlib.sha256(content).digest()

        assert api.delete(f"/api/files/{file_id}").status_code == 204
        assert children(api, folder_id) == []

        deleted = api.request("DELETE", "/api/users/me", json={"password": PASSWORD})
        assert deleted.status_code == 204, deleted.text
        api.headers.pop("Authorization")
    sign_in_fails(email)


def children(api: httpx.Client, folder_id: str) -> list[tuple[str, str]]:
    listed = api.get(f"/api/folders/{folder_id}/children")
    assert listed.status_code == 200, listed.text
    return [(item["name"], item["id"]) for item in listed.json()["items"]]


def moved(api: httpx.Client, ids: list[str], parent_id: str) -> None:
    result = api.post("/api/items/move", json={"ids": ids, "parentId": parent_id})
    assert result.status_code == 200, result.text
    assert result.json()["failed"] == []
    assert [item["parentId"] for item in result.json()["items"]] == [parent_id] * len(ids)


def walk_the_drive(api: httpx.Client, content: bytes) -> tuple[str, str]:
    """A folder, an upload into it, a move out and back, the folder as a ZIP, trash and restore;
    returns the folder's id and the file's, back in it."""
    created = api.post("/api/folders", json={"name": "Reports", "parentId": "root"})
    assert created.status_code == 201, created.text
    folder_id = created.json()["id"]

    uploaded = api.post(
        "/api/files/upload",
        params={"parentId": folder_id},
        files={"file": ("notes.bin", content, "application/octet-stream")},
    )
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]
    assert uploaded.json()["parentId"] == folder_id
    assert children(api, folder_id) == [("notes.bin", file_id)]

    moved(api, [file_id], "root")
    assert children(api, "root") == [("Reports", folder_id), ("notes.bin", file_id)]
    assert children(api, folder_id) == []
    moved(api, [file_id], folder_id)
    assert children(api, "root") == [("Reports", folder_id)]

    archive = api.post("/api/files/archive", json={"ids": [folder_id]})
    assert archive.status_code == 200, archive.text
    zipped = api.get(archive.json()["url"])
    assert zipped.status_code == 200, zipped.text
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as opened:
        members = [name for name in opened.namelist() if not name.endswith("/")]
        assert members == ["Reports/notes.bin"], opened.namelist()
        assert opened.read("Reports/notes.bin") == content

    trashed = api.post("/api/items/trash", json={"ids": [folder_id]})
    assert trashed.status_code == 200, trashed.text
    assert trashed.json()["failed"] == []
    assert children(api, "root") == []
    restored = api.post("/api/trash/restore", json={"ids": [folder_id]})
    assert restored.status_code == 200, restored.text
    assert restored.json()["failed"] == []
    assert children(api, "root") == [("Reports", folder_id)]
    assert children(api, folder_id) == [("notes.bin", file_id)]
    return folder_id, file_id
