"""SCloud self-hosted on one server: compose.prod.yaml brought up as an operator would, and used
from outside through Caddy's HTTPS with its internal CA. Run by `make test-containers`, after
test_compose_stack.py (whose builds fill the layer cache this one reuses).

What it proves:
- compose.prod.yaml starts in order on a fresh machine: the secrets job makes every secret into
  its volume (0600 files, the services' user's) and exits 0; SeaweedFS, the three services on
  SQLite and the gateway report healthy; nothing but Caddy publishes a port;
- TLS: plain HTTP redirects to HTTPS; a client that trusts only Caddy's internal CA reaches the app
  under the server's name (scloud.test), HSTS is sent, and the refresh cookie is
  `__Host-scloud_refresh`, Secure;
- the door: registration is invite-only; the first admin, made from SCLOUD_FIRST_ADMIN_EMAIL with
  the password the secrets job generated, signs in; a stranger's registration is refused with
  `invitation_required`; an invitation made with `run --rm admin invite create` lets a friend
  register;
- the friend uploads a file and a second client, holding nothing but the CA, downloads it through
  the signed link on the same origin (bytes compared); a tampered link is refused by SeaweedFS;
- the whole profile restarted (`down`, `up`; volumes kept): the friend's session token still
  works (the signing key was kept), the file is there with the same bytes;
- scripts/self_host/backup.sh, the volumes wiped (`down --volumes`), scripts/self_host/restore.sh:
  both accounts sign in again and the file's bytes are the same.

Stand-ins (no registry here): caddy:2.10.2 is Debian bookworm's Caddy 2.6 and
chrislusf/seaweedfs:4.48 is the same release's `weed` from PyPI (docker/standin/); the Python and
nginx bases are those of test_compose_stack.py. Real Let's Encrypt cannot be reached: the test
uses `SCLOUD_TLS=internal`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import ssl
import stat
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpcore
import httpx
import pytest

from tests.containers.conftest import CACHE, COMPOSE
from tests.containers.engine import CommandFailed, HealthCheckLoop, NetnsWorker, Podman, private_netns, run
from tests.containers.project import ComposeProject, containers, service_name, up_and_settled
from tests.containers.standins import REPO, StandIns, base_images

pytestmark = pytest.mark.skipif(
    os.environ.get("SCLOUD_CONTAINER_TESTS") != "1",
    reason="builds and runs every image (minutes, root, podman): run it with `make test-containers`",
)

PROJECT = "scloud-selfhost-test"
DOMAIN = "scloud.test"
ORIGIN = f"https://{DOMAIN}"
OWNER_EMAIL = "owner@scloud.test"
PASSWORD = "self-host-test-passphrase"
ONE_SHOT = "secrets"
HEALTH_CHECKED = ("s3", "auth", "users", "files", "gateway")
SERVICES = ("auth", "users", "files")
RESOLVED_NAMES = ("s3", "auth", "users", "files")
CADDY_ROOT = "/data/caddy/pki/authorities/local/root.crt"
CA_BOUND_SECONDS = 60
REPORT = REPO / "artifacts" / "containers" / "self-host-last-run.json"


def run_script(compose: ComposeProject, path: str, *args: str, timeout: float, check: bool = True):
    """One of scripts/self_host, driving this project through SCLOUD_COMPOSE as an operator's
    `docker compose` would (the scripts name compose.prod.yaml themselves)."""
    operator_compose = [str(COMPOSE), "--project-directory", str(REPO), "-p", compose.project]
    env = {**compose.env, "SCLOUD_COMPOSE": " ".join(operator_compose)}
    return run(["bash", str(REPO / path), *args], env=env, timeout=timeout, check=check)


@dataclass
class SelfHosted:
    podman: Podman
    compose: ComposeProject
    worker: NetnsWorker
    health_checks: HealthCheckLoop
    backups: Path
    ca_file: Path

    def drive(self, flow: Callable[..., object], *args: object, timeout: float = 180) -> object:
        try:
            return self.worker(flow, *args, timeout=timeout)
        except Exception as exc:
            logs = self.compose("logs", "--no-color", "--tail", "60", timeout=60, check=False).stdout
            raise CommandFailed(f"{exc!r}\n--- the services' logs ---\n{logs[-12000:]}") from exc

    def down(self, *args: str) -> None:
        with self.health_checks.paused():
            self.compose("down", "--timeout", "10", *args, timeout=180)

    def up(self) -> None:
        up_and_settled(
            self.podman,
            self.compose,
            expected=EXPECTED,
            ready=ready,
            services=SERVICES,
            names=RESOLVED_NAMES,
            wait_seconds=300,
        )
        self.ca_file.write_bytes(self.caddy_root())

    def record_footprint(self, moment: str) -> None:
        """Each container's memory and each data volume's size, for docs/self-hosting.md."""
        listed = self.podman.json("stats", "--no-stream", "--format", "json", timeout=120) or []
        self.compose.report[f"memory_{moment}"] = {
            entry["name"].removeprefix(f"{PROJECT}-").removesuffix("-1"): entry["mem_usage"].split(" / ")[0]
            for entry in listed
        }
        self.compose.report[f"volumes_{moment}"] = {
            volume: run(["du", "-sh", str(self.volume_folder(volume))], timeout=60).stdout.split()[0]
            for volume in ("metadata", "objects", "secrets")
        }

    def caddy_root(self) -> bytes:
        """Caddy's internal root certificate, once it has made it (at its first start)."""
        deadline = time.monotonic() + CA_BOUND_SECONDS
        while True:
            shown = self.podman("exec", f"{PROJECT}-caddy-1", "cat", CADDY_ROOT, check=False, timeout=30)
            if shown.returncode == 0 and b"BEGIN CERTIFICATE" in shown.stdout.encode():
                return shown.stdout.encode()
            if time.monotonic() > deadline:
                raise CommandFailed(f"no {CADDY_ROOT} in Caddy after {CA_BOUND_SECONDS} s: {shown.stderr[-500:]}")
            time.sleep(1)

    def run_tool(self, service: str, *args: str) -> str:
        """`docker compose run --rm SERVICE ARGS` (the secrets job's or the admin tool's command line)."""
        return self.compose("run", "--rm", "--no-deps", service, *args, timeout=180).stdout

    def volume_folder(self, volume: str) -> Path:
        [inspected] = self.podman.json("volume", "inspect", f"{PROJECT}_{volume}")
        return Path(inspected["Mountpoint"])


EXPECTED = (ONE_SHOT, *HEALTH_CHECKED, "caddy")


def ready(service: str, state: tuple[str, int, str | None]) -> bool:
    status, exit_code, health = state
    if service == ONE_SHOT:
        return status == "exited" and exit_code == 0
    if service == "caddy":  # the official image has no health check; its answers are the test
        return status == "running"
    return status == "running" and health == "healthy"


@pytest.fixture(scope="module")
def compose(podman: Podman, private_dir: Path) -> ComposeProject:
    if not COMPOSE.exists():
        pytest.fail(f"{COMPOSE} is missing: `make test-containers` installs it")
    backups = private_dir / "backups"
    backups.mkdir()
    env = {
        **podman.env,
        "DOCKER_CONFIG": str(private_dir / "docker-config"),
        "DOCKER_BUILDKIT": "0",
        "COMPOSE_BAKE": "false",
        "SCLOUD_DOMAIN": DOMAIN,
        "SCLOUD_TLS": "internal",
        "SCLOUD_FIRST_ADMIN_EMAIL": OWNER_EMAIL,
        "SCLOUD_REGISTRATION": "invite",
        "SCLOUD_BACKUP_DIR": str(backups),
    }
    for variable in ("COMPOSE_FILE", "COMPOSE_PROFILES", "COMPOSE_PROJECT_NAME"):
        env.pop(variable, None)
    return ComposeProject("compose.prod.yaml", PROJECT, env)


@pytest.fixture(scope="module")
def built(podman: Podman, compose: ComposeProject, private_dir: Path) -> ComposeProject:
    started = time.monotonic()
    StandIns(podman, CACHE).ensure(base_images())
    with podman.service(
        private_dir / "build.sock", REPORT.parent / "self-host-build-service.log", conf="containers-build.conf"
    ) as docker_host:
        compose.at(docker_host)("build", *EXPECTED[:-1], "admin", timeout=1800)
    compose.report["build_seconds"] = round(time.monotonic() - started, 1)
    return compose


@pytest.fixture(scope="module")
def server(podman: Podman, built: ComposeProject, private_dir: Path) -> Iterator[SelfHosted]:
    with private_netns("scloud-sh-", os.getpid()) as netns:
        worker = NetnsWorker(netns)
        try:
            with (
                podman.service(
                    private_dir / "up.sock", REPORT.parent / "self-host-up-service.log", netns=netns
                ) as host,
                podman.health_checks() as health_checks,
            ):
                server = SelfHosted(
                    podman,
                    built.at(host, netns),
                    worker,
                    health_checks,
                    private_dir / "backups",
                    private_dir / "caddy-root.pem",
                )
                try:
                    started = time.monotonic()
                    server.up()
                    server.compose.report["first_up_seconds"] = round(time.monotonic() - started, 1)
                    yield server
                finally:
                    with contextlib.suppress(CommandFailed):
                        server.down("--volumes", "--remove-orphans")
                    podman.remove_everything_but_images(netns=netns)
        finally:
            worker.close()
            REPORT.parent.mkdir(parents=True, exist_ok=True)
            REPORT.write_text(json.dumps(built.report, indent=2) + "\n")


class _ToLoopback(httpcore.SyncBackend):
    """Every name resolves to this namespace's loopback, where Caddy's ports are published; TLS
    still checks the certificate against the URL's name (scloud.test)."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # noqa: ANN001, ANN201
        return super().connect_tcp("127.0.0.1", port, timeout, local_address, socket_options)


class _ServerTransport(httpx.BaseTransport):
    """httpx over an httpcore pool that trusts only `ca_file` and connects to loopback."""

    def __init__(self, ca_file: Path) -> None:
        context = ssl.create_default_context(cafile=str(ca_file))
        self._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=_ToLoopback())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answered = self._pool.request(
            request.method,
            httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.read(),
            extensions=request.extensions,
        )
        return httpx.Response(answered.status, headers=answered.headers, content=answered.content)

    def close(self) -> None:
        self._pool.close()


def client(ca_file: Path, **kwargs: object) -> httpx.Client:
    return httpx.Client(transport=_ServerTransport(ca_file), timeout=30, **kwargs)  # type: ignore[arg-type]


def sign_in(api: httpx.Client, email: str, password: str) -> httpx.Response:
    signed_in = api.post("/api/auth/login", json={"email": email, "password": password})
    assert signed_in.status_code == 200, signed_in.text
    api.headers["Authorization"] = f"Bearer {signed_in.json()['accessToken']}"
    return signed_in


def download(ca_file: Path, api: httpx.Client, file_id: str) -> bytes:
    """Through the signed link, by a second client holding only the CA (no session)."""
    link = api.get(f"/api/files/{file_id}/download")
    assert link.status_code == 200, link.text
    url = link.json()["url"]
    assert url.startswith(f"{ORIGIN}/scloud-files/"), url
    with client(ca_file) as stranger:
        fetched = stranger.get(url)
        assert fetched.status_code == 200, fetched.text
        tampered = stranger.get(
            re.sub(r"X-Amz-Signature=(.)", lambda m: "X-Amz-Signature=" + "0f"[m.group(1) == "0"], url)
        )
        assert tampered.status_code == 403, tampered.text
    return fetched.content


@dataclass
class Friend:
    email: str
    file_id: str
    digest: str
    access_token: str


def https_and_headers(ca_file: Path) -> None:
    with httpx.Client(timeout=30, transport=httpx.HTTPTransport()) as plain:
        redirected = plain.get("http://127.0.0.1/files", headers={"Host": DOMAIN})
    assert redirected.status_code in (301, 308), redirected.text
    assert redirected.headers["location"] == f"{ORIGIN}/files"
    with client(ca_file, base_url=ORIGIN) as api:
        page = api.get("/")
        assert page.status_code == 200 and b"<html" in page.content.lower()
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert api.get("/api/v1/users/registration").json()["mode"] == "invite"


def owner_and_friend(ca_file: Path, owner_password: str, invitation_link: str) -> Friend:
    with client(ca_file, base_url=ORIGIN) as api:
        signed_in = sign_in(api, OWNER_EMAIL, owner_password)
        cookie = signed_in.headers["set-cookie"]
        assert cookie.startswith("__Host-scloud_refresh=") and "Secure" in cookie and "Path=/" in cookie, cookie

    stranger_email = f"stranger-{uuid.uuid4().hex[:8]}@example.com"
    with client(ca_file, base_url=ORIGIN) as api:
        refused = api.post(
            "/api/auth/register", json={"email": stranger_email, "username": "Stranger", "password": PASSWORD}
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "invitation_required", refused.text

    token = httpx.URL(invitation_link).params["invite"]
    assert invitation_link.startswith(f"{ORIGIN}/register?invite="), invitation_link
    email = f"friend-{uuid.uuid4().hex[:8]}@example.com"
    content = os.urandom(700_000) + b"end"
    with client(ca_file, base_url=ORIGIN) as api:
        registered = api.post(
            "/api/auth/register",
            json={"email": email, "username": "Friend", "password": PASSWORD, "invitationToken": token},
        )
        assert registered.status_code == 201, registered.text
        signed_in = sign_in(api, email, PASSWORD)
        uploaded = api.post(
            "/api/files/upload",
            params={"parentId": "root"},
            files={"file": ("holiday.bin", content, "application/octet-stream")},
        )
        assert uploaded.status_code == 201, uploaded.text
        file_id = uploaded.json()["id"]
        assert download(ca_file, api, file_id) == content
    return Friend(email, file_id, hashlib.sha256(content).hexdigest(), signed_in.json()["accessToken"])


def still_there(ca_file: Path, friend: Friend, owner_password: str, same_session: bool) -> None:
    with client(ca_file, base_url=ORIGIN) as api:
        if same_session:
            api.headers["Authorization"] = f"Bearer {friend.access_token}"
            assert api.get("/api/users/me").status_code == 200
        else:
            sign_in(api, friend.email, PASSWORD)
        listed = api.get("/api/folders/root/children")
        assert listed.status_code == 200, listed.text
        assert [(item["name"], item["id"]) for item in listed.json()["items"]] == [("holiday.bin", friend.file_id)]
        assert hashlib.sha256(download(ca_file, api, friend.file_id)).hexdigest() == friend.digest
    with client(ca_file, base_url=ORIGIN) as api:
        sign_in(api, OWNER_EMAIL, owner_password)


@pytest.fixture(scope="module")
def friend(server: SelfHosted) -> Friend:
    password = owner_password(server)
    server.compose.report["owner_password_length"] = len(password)
    invitation = json.loads(server.run_tool("admin", "invite", "create", "--json"))
    return server.drive(owner_and_friend, server.ca_file, password, invitation["link"])  # type: ignore[return-value]


def owner_password(server: SelfHosted) -> str:
    """The first account's password, as the operator reads it (`run --rm secrets show ...`)."""
    return server.run_tool(ONE_SHOT, "show", "first_admin_password").strip()


def test_only_caddy_publishes_ports_and_every_secret_is_private(server: SelfHosted) -> None:
    published = {}
    for container in containers(server.podman, PROJECT):
        bindings = container["HostConfig"].get("PortBindings") or {}
        ports = sorted(port for port, host in bindings.items() if host)
        if ports:
            published[service_name(container)] = ports
    assert published == {"caddy": ["443/tcp", "80/tcp"]}

    secrets = server.volume_folder("secrets")
    made = [path for path in secrets.rglob("*") if path.is_file()]
    assert {path.name for path in made} >= {
        "auth_jwt_private_key",
        "files_object_key_secret",
        "s3-credentials",
        "s3-identities.json",
        "first_admin_password",
        "ca.pem",
        "files-key.pem",
    }
    for path in [secrets, *secrets.rglob("*")]:
        mode = path.stat()
        assert (stat.S_IMODE(mode.st_mode), mode.st_uid) == ((0o700 if path.is_dir() else 0o600), 10001), path
    for volume in ("metadata", "objects"):
        folder = server.volume_folder(volume).stat()
        assert (stat.S_IMODE(folder.st_mode), folder.st_uid) == (0o700, 10001), volume
    # SeaweedFS keeps its metadata in the leveldb store docker/seaweedfs/filer.toml names, on the volume.
    objects = server.volume_folder("objects")
    assert (objects / "filerldb").is_dir() and not (objects / "filerldb2").exists(), sorted(objects.iterdir())


def test_https_only_with_hsts_and_the_door_closed(server: SelfHosted) -> None:
    server.drive(https_and_headers, server.ca_file)


def test_the_first_admin_invites_a_friend_who_uploads_and_downloads(friend: Friend) -> None:
    assert friend.file_id


def test_after_a_restart_of_the_whole_profile_everything_is_still_there(server: SelfHosted, friend: Friend) -> None:
    server.down()
    started = time.monotonic()
    server.up()
    server.compose.report["restart_seconds"] = round(time.monotonic() - started, 1)
    assert "nothing made" in server.compose("logs", "--no-color", ONE_SHOT, timeout=60).stdout
    server.drive(still_there, server.ca_file, friend, owner_password(server), True)
    server.record_footprint("after_restart")


def test_a_backup_restores_onto_wiped_volumes(server: SelfHosted, friend: Friend) -> None:
    password = owner_password(server)
    started = time.monotonic()
    run_script(server.compose, "scripts/self_host/backup.sh", timeout=600)
    server.compose.report["backup_seconds"] = round(time.monotonic() - started, 1)
    archives = sorted(server.backups.glob("scloud-*.tar"), key=lambda path: path.name.endswith(".secrets.tar"))
    assert [path.name.endswith(".secrets.tar") for path in archives] == [False, True], archives
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in archives)

    server.down("--volumes")
    started = time.monotonic()
    run_script(server.compose, "scripts/self_host/restore.sh", str(archives[0]), timeout=900)
    server.compose.report["restore_seconds"] = round(time.monotonic() - started, 1)
    server.up()
    assert owner_password(server) == password
    server.drive(still_there, server.ca_file, friend, password, False)


def test_a_restore_onto_an_installation_holding_data_is_refused_without_force(
    server: SelfHosted, friend: Friend
) -> None:
    """Refused, and said so by the script's exit status (podman's API loses a `run --rm`
    container's own: scripts/self_host/common.sh), and SCloud starts again as it was."""
    [archive] = [path for path in server.backups.glob("scloud-*.tar") if not path.name.endswith(".secrets.tar")]
    refused = run_script(server.compose, "scripts/self_host/restore.sh", str(archive), timeout=600, check=False)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output[-3000:]
    assert "the files database holds data" in output, output
    server.up()
    server.drive(still_there, server.ca_file, friend, owner_password(server), False)
