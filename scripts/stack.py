"""The whole SCloud product on this machine, each part a process of its own: SeaweedFS for the
bytes (S3), the three services keeping their records in SQLite, and the Nginx gateway in front of
the built frontend. The mail the services send is written to a folder.

Every account's data lives in one folder (`data_dir`, 0700): a SQLite database per service, the
mail folder and SeaweedFS's own. Each of them commits before it answers, so the data survives a
clean stop, a closed terminal and `kill -9` of every process alike; there is nothing to save.

`make run` drives it through `scripts/run.py`; the end-to-end, resilience, fuzz and bench
harnesses use `Stack` directly with free ports and a run folder of their own.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scloud_common.internal_tls import issue_certificates, write_certificates
from scloud_common.server_secrets import write_private
from scloud_files.config import FilesSettings, FilesStorageSettings
from scloud_files.http.upload_reader import MULTIPART_OVERHEAD_BYTES
from scloud_files.migrate_folders import migrate
from scloud_files.provision import ensure_bucket
from scripts.processes import (
    ExitedWhileStarting,
    busy_ports_message,
    log_tail,
    port_in_use,
    run_checked,
    spawn,
    wait_until_ready,
)
from scripts.seaweed import SeaweedEndpoint, SeaweedS3

ROOT = Path(__file__).resolve().parent.parent
GATEWAY_TEMPLATE = ROOT / "gateway" / "scloud.conf.template"
# SCLOUD_FRONTEND_DIST serves another build of the frontend (a developer's, say).
FRONTEND_DIST = Path(os.environ.get("SCLOUD_FRONTEND_DIST", ROOT / "frontend" / "dist"))
SERVICES = ("auth", "users", "files")
# The services that send mail; each message becomes a file in the data folder's mail folder.
MAILING_SERVICES = ("auth", "users", "files")
# The name of the SeaweedFS process among the stack's processes.
STORAGE = "s3"
DEFAULT_MAX_UPLOAD_BYTES: int = FilesSettings.model_fields["max_upload_bytes"].default
DEFAULT_QUOTA_BYTES: int = FilesSettings.model_fields["quota_bytes"].default
# How long the processes may take to answer ready, all together: generous, as a loaded 2-core
# machine has taken over a minute; a process that exits fails the start at once.
DEFAULT_READY_TIMEOUT_SECONDS = 240.0
# Starts on newly chosen ports after a free port was taken before the stack could bind it.
START_ATTEMPTS_ON_FREE_PORTS = 3
# As root, nginx's workers get a folder outside the run folder (Stack._worker_folders); this file
# in the run folder names it, so a start after a run killed outright removes the one it left.
GATEWAY_FOLDER_RECORD = "gateway-folder"
GATEWAY_FOLDER_PREFIX = "scloud-gateway-"


def remove_gateway_folder_left(run_dir: Path) -> None:
    """Removes the folder outside `run_dir` that a stack of that run folder made for nginx's
    workers and could not remove itself (it was killed outright). Only a folder the stack could
    have made is removed: directly in the temp folder, named with its prefix, not a link."""
    record = run_dir / GATEWAY_FOLDER_RECORD
    try:
        folder = Path(record.read_text().strip())
    except FileNotFoundError:
        return
    made_here = folder.parent == Path(tempfile.gettempdir()) and folder.name.startswith(GATEWAY_FOLDER_PREFIX)
    if made_here and folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder, ignore_errors=True)
    record.unlink(missing_ok=True)


class PortsTaken(RuntimeError):
    """Ports of the stack that another program holds before the stack starts."""

    def __init__(self, ports: list[int]) -> None:
        super().__init__(busy_ports_message(ports))
        self.ports = ports


@dataclass(frozen=True)
class Ports:
    gateway: int = 8080
    # SeaweedFS's S3 API, which the browser reaches for downloads, previews and direct uploads.
    s3: int = 8333
    auth_http: int = 8101
    auth_grpc: int = 9101
    users_http: int = 8102
    users_grpc: int = 9102
    files_http: int = 8103
    files_grpc: int = 9103
    # Each service's Prometheus metrics, on the loopback only: the gateway routes nothing there.
    auth_metrics: int = 9201
    users_metrics: int = 9202
    files_metrics: int = 9203

    @classmethod
    def free(cls) -> "FreePorts":
        """Ports nobody listens on now, for tests that run beside a `make run`. Another program
        may take one before the stack binds it: a stack on such ports chooses again (`Stack.start`)."""
        sockets = [socket.socket() for _ in fields(cls)]
        try:
            for sock in sockets:
                sock.bind(("127.0.0.1", 0))
            return FreePorts(*(sock.getsockname()[1] for sock in sockets))
        finally:
            for sock in sockets:
                sock.close()

    @classmethod
    def offset(cls, by: int) -> "Ports":
        """Every default port moved by `by`, for a second stack beside one on the defaults."""
        return cls(*(port + by for port in vars(cls()).values()))

    def http(self, service: str) -> int:
        return getattr(self, f"{service}_http")

    def grpc(self, service: str) -> int:
        return getattr(self, f"{service}_grpc")

    def metrics(self, service: str) -> int:
        return getattr(self, f"{service}_metrics")


@dataclass(frozen=True)
class FreePorts(Ports):
    """Ports chosen because they were free, not because anyone expects the stack on them."""


def render_gateway_config(values: dict[str, str]) -> str:
    """Substitutes only ${SCLOUD_*} names, as the nginx image's envsubst filter does, so nginx's
    own $variables stay intact."""
    template = GATEWAY_TEMPLATE.read_text()
    missing = set(re.findall(r"\$\{(SCLOUD_[A-Z0-9_]+)\}", template)) - set(values)
    if missing:
        raise ValueError(f"gateway template needs {sorted(missing)}")
    return re.sub(r"\$\{(SCLOUD_[A-Z0-9_]+)\}", lambda match: values[match.group(1)], template)


def nginx_body_limit(max_upload_bytes: int) -> str:
    """The gateway's upload body limit, in bytes: exactly the body the files service accepts
    (its file limit plus room for multipart framing). gateway/body-limit.envsh does the same
    sum in the gateway image."""
    return str(max_upload_bytes + MULTIPART_OVERHEAD_BYTES)


@dataclass
class Stack:
    run_dir: Path
    ports: Ports = field(default_factory=Ports)
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    # Each user's storage quota (files' FILES_QUOTA_BYTES).
    quota_bytes: int = DEFAULT_QUOTA_BYTES
    bucket: str = "scloud-files"
    frontend_dist: Path = FRONTEND_DIST
    # The address the gateway listens on; the other processes always listen on 127.0.0.1 only.
    host: str = "127.0.0.1"
    ready_timeout: float = DEFAULT_READY_TIMEOUT_SECONDS
    with_gateway: bool = True
    # False starts the gateway alone, in front of services that are down (tests of its errors).
    with_services: bool = True
    # Where every account's records, files and mails live; None: `run_dir/data`.
    data_dir: Path | None = None
    # How long files waits before mailing an owner the files a request received; None: its default.
    request_notice_interval_seconds: float | None = None
    # Files a copy may hold before it runs as a copy job (FILES_COPY_JOB_THRESHOLD_FILES); None: its default.
    copy_job_threshold_files: int | None = None
    # False runs the services without metrics and traces (<PREFIX>_TELEMETRY), to measure their cost.
    telemetry: bool = True
    # An OpenTelemetry collector's OTLP/HTTP base URL the services send their traces to; None: none.
    otlp_endpoint: str | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    public_dir: Path | None = None
    storage: SeaweedS3 | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.ports.gateway}"

    @property
    def gateway_origins(self) -> list[str]:
        """The origins the web app is served from: the only ones auth and the bucket's CORS allow."""
        return [f"http://localhost:{self.ports.gateway}", f"http://127.0.0.1:{self.ports.gateway}"]

    @property
    def s3_endpoint(self) -> str:
        """SeaweedFS's S3 API as the services and tests on this machine reach it."""
        return f"http://127.0.0.1:{self.ports.s3}"

    def metrics_url(self, service: str) -> str:
        """Where `service`'s Prometheus metrics are read; never through the gateway."""
        return f"http://127.0.0.1:{self.ports.metrics(service)}/metrics"

    @property
    def storage_public_url(self) -> str:
        """SeaweedFS's S3 API as the browser reaches it: links are signed for it, and the
        gateway's Content-Security-Policy allows it."""
        return f"http://localhost:{self.ports.s3}"

    @property
    def data(self) -> Path:
        return self.data_dir if self.data_dir is not None else self.run_dir / "data"

    @property
    def mail_dir(self) -> Path:
        """Where the services write every mail they send, one .eml file each, oldest first by name."""
        return self.data / "mail"

    def database(self, service: str) -> Path:
        """`service`'s SQLite database."""
        return self.data / f"{service}.db"

    @property
    def storage_endpoint(self) -> SeaweedEndpoint:
        """SeaweedFS's S3 endpoint and the identity that signs for it (the stack must be running)."""
        if self.storage is None:
            raise RuntimeError("the stack's storage is not running")
        return self.storage.endpoint

    def start(self) -> None:
        """Starts every process and waits until each is ready. On ports chosen because they were
        free, a port taken meanwhile (a busy machine's other programs take ports too), whether
        the start's own check finds it held or a process finds it so when it binds, makes the
        stack start again on newly chosen ones, a bounded number of times; on ports someone
        expects (make run's), a taken port is said and the start fails."""
        for attempt in range(1, START_ATTEMPTS_ON_FREE_PORTS + 1):
            try:
                self._start_once()
                return
            except (ExitedWhileStarting, PortsTaken) as exc:
                port_taken = isinstance(exc, PortsTaken) or exc.port_taken
                if not (port_taken and isinstance(self.ports, FreePorts)) or attempt == START_ATTEMPTS_ON_FREE_PORTS:
                    raise
                self.ports = Ports.free()

    def _start_once(self) -> None:
        self.run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.logs_dir.mkdir(mode=0o700, exist_ok=True)
        busy = [port for port in vars(self.ports).values() if port_in_use(port)]
        if busy:
            raise PortsTaken(busy)
        try:
            if self.with_services:
                self._start_services()
            if self.with_gateway:
                self._start_gateway()
                self._wait_until_ready({"gateway": f"{self.url}/healthz"})
        except BaseException:
            self.stop()
            raise

    def _start_services(self) -> None:
        # A fresh internal CA per start: the certificates never outlive the run that uses them.
        write_certificates(issue_certificates(SERVICES), self.certs_dir)
        self.data.mkdir(mode=0o700, parents=True, exist_ok=True)
        # auth and users need nothing from SeaweedFS: they start importing while it starts.
        for service in SERVICES:
            if service != "files":
                self._spawn_service(service)
        self._start_storage()
        self._provision()
        self._spawn_service("files")
        self._wait_until_ready({service: f"http://127.0.0.1:{self.ports.http(service)}/readyz" for service in SERVICES})

    def _spawn_service(self, service: str) -> None:
        self._spawn(service, [sys.executable, "-m", f"scloud_{service}.main"], self._service_env(service))

    def _start_storage(self) -> None:
        """SeaweedFS on the S3 port, its bucket made and its CORS set for the gateway's origins."""
        self.storage = SeaweedS3(
            self.data / "s3",
            bucket=self.bucket,
            s3_port=self.ports.s3,
            cors_origins=self.gateway_origins,
            start_timeout=min(self.ready_timeout, 120.0),
        )
        try:
            self.storage.start()
        except TimeoutError as exc:
            raise RuntimeError(f"{exc}. End of {self.storage.log_path}:\n{log_tail(self.storage.log_path)}") from exc
        assert self.storage.process is not None
        self.processes[STORAGE] = self.storage.process

    def _provision(self) -> None:
        """What `python -m scloud_files.provision` does on these stores, done here as it takes a
        fraction of a second where three more Python processes would take seconds on each start:
        the bucket's encryption and lifecycle rule (SeaweedS3 made it, with CORS and versioning),
        and the filing of records that predate folders. On SQLite there are no tables to make and
        with mail in a folder no sender to verify, so auth's and users' have nothing to do."""
        ensure_bucket(self.storage_endpoint.client(), self.bucket, region=self.storage_endpoint.region)
        settings = FilesStorageSettings(store="sqlite", sqlite_path=self.database("files"), s3_bucket=self.bucket)
        # A thread of its own for the migration's event loop: the caller's thread may be running
        # one already (Playwright's sync API keeps one in the tests' main thread).
        with ThreadPoolExecutor(1, "scloud-provision") as pool:
            pool.submit(migrate, settings).result(timeout=self.ready_timeout)

    def _wait_until_ready(self, checks: dict[str, str]) -> None:
        wait_until_ready(checks, processes=self.processes, logs=self.logs_dir, timeout=self.ready_timeout)

    def run_checked(self, command: list[str], env: dict[str, str]) -> None:
        run_checked(command, env=env, cwd=ROOT)

    def stop(self) -> None:
        """Stops the gateway and the services, then SeaweedFS (each within a bound, killed past
        it). Nothing is saved here: every answer the services gave was committed already."""
        self._stop_processes([name for name in self.processes if name != STORAGE])
        if self.storage is not None:
            self.storage.stop()
            self.storage = None
        self.processes.clear()
        if self.public_dir is not None:
            shutil.rmtree(self.public_dir, ignore_errors=True)
            record = self.run_dir / GATEWAY_FOLDER_RECORD
            # A later stack of the same run folder may have recorded its own folder since.
            if record.exists() and record.read_text().strip() == str(self.public_dir):
                record.unlink()
            self.public_dir = None

    def _stop_processes(self, names: list[str]) -> None:
        running = {name: self.processes[name] for name in reversed(names) if self.processes[name].poll() is None}
        for name, process in running.items():
            process.send_signal(signal.SIGQUIT if name == "gateway" else signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in running.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()

    def log_path(self, name: str) -> Path:
        """Where the process `name` writes its output."""
        if name == STORAGE and self.storage is not None:
            return self.storage.log_path
        return self.logs_dir / f"{name}.log"

    def failed_process(self) -> str | None:
        return next((name for name, process in self.processes.items() if process.poll() is not None), None)

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.processes[name] = spawn(command, env=env, log_path=self.logs_dir / f"{name}.log", cwd=ROOT)

    @property
    def logs_dir(self) -> Path:
        return self.run_dir / "logs"

    @property
    def certs_dir(self) -> Path:
        return self.run_dir / "certs"

    def _signing_key_pem(self) -> str:
        path = self.run_dir / "jwt-ed25519.pem"
        if not path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            path.touch(mode=0o600)
            path.write_bytes(pem)
        return path.read_text()

    def object_key_secret(self) -> str:
        """Kept with the run's data: objects stored under one secret are not recognised under
        another (see FILES_OBJECT_KEY_SECRET)."""
        path = self.run_dir / "object-key-secret"
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text()

    def _service_env(self, service: str) -> dict[str, str]:
        prefix = f"{service.upper()}_"
        values = {
            "ENVIRONMENT": "development",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.ports.http(service)),
            "GRPC_HOST": "127.0.0.1",
            "GRPC_PORT": str(self.ports.grpc(service)),
            "METRICS_HOST": "127.0.0.1",
            "METRICS_PORT": str(self.ports.metrics(service)),
            "STORE": "sqlite",
            "SQLITE_PATH": str(self.database(service)),
            "GRPC_TLS_CA_CERT": str(self.certs_dir / "ca.pem"),
            "GRPC_TLS_CERT": str(self.certs_dir / f"{service}.pem"),
            "GRPC_TLS_KEY": str(self.certs_dir / f"{service}-key.pem"),
        }
        peers = {
            "auth": {
                "USERS_GRPC_ADDR": f"127.0.0.1:{self.ports.users_grpc}",
                "COOKIE_SECURE": "false",
                "ALLOWED_ORIGINS": ",".join(self.gateway_origins),
            },
            "users": {
                "AUTH_GRPC_ADDR": f"127.0.0.1:{self.ports.auth_grpc}",
                "FILES_GRPC_ADDR": f"127.0.0.1:{self.ports.files_grpc}",
            },
            "files": {
                "AUTH_GRPC_ADDR": f"127.0.0.1:{self.ports.auth_grpc}",
                "USERS_GRPC_ADDR": f"127.0.0.1:{self.ports.users_grpc}",
                "S3_BUCKET": self.bucket,
                "S3_PUBLIC_ENDPOINT_URL": self.storage_public_url,
                "MAX_UPLOAD_BYTES": str(self.max_upload_bytes),
                "QUOTA_BYTES": str(self.quota_bytes),
            },
        }
        values.update(peers[service])
        if service == "files" and self.request_notice_interval_seconds is not None:
            values["REQUEST_NOTICE_INTERVAL_SECONDS"] = str(self.request_notice_interval_seconds)
        if service == "files" and self.copy_job_threshold_files is not None:
            values["COPY_JOB_THRESHOLD_FILES"] = str(self.copy_job_threshold_files)
        if not self.telemetry:
            values["TELEMETRY"] = "false"
        if self.otlp_endpoint is not None:
            values["OTLP_ENDPOINT"] = self.otlp_endpoint
        if service in MAILING_SERVICES:
            values.update({"PUBLIC_URL": self.url, "MAIL_TRANSPORT": "directory", "MAIL_DIRECTORY": str(self.mail_dir)})
        if service == "auth":
            values["JWT_PRIVATE_KEY"] = self._signing_key_pem()
        if service == "files":
            values["OBJECT_KEY_SECRET"] = self.object_key_secret()
        env = {prefix + key: value for key, value in values.items()}
        if service == "files":
            # SeaweedFS's identity and AWS_ENDPOINT_URL_S3, which boto3 reads itself: no
            # FILES_AWS_ENDPOINT_URL, so nothing else files might call is sent to SeaweedFS. The
            # others call no AWS service here and get no identity.
            env.update(self.storage_endpoint.client_env())
        return env

    def _start_gateway(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx is not installed (apt-get install -y nginx)")
        if not (self.frontend_dist / "index.html").exists():
            raise RuntimeError("frontend/dist is missing: build the frontend first (make frontend)")
        gateway_dir = self.run_dir / "gateway"
        gateway_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        frontend_root, temp_dir = self._worker_folders(gateway_dir)
        (gateway_dir / "scloud.conf").write_text(
            render_gateway_config(
                {
                    # nginx's listen takes an address:port as well as a port.
                    "SCLOUD_GATEWAY_PORT": f"{self.host}:{self.ports.gateway}",
                    "SCLOUD_AUTH_UPSTREAM": f"127.0.0.1:{self.ports.auth_http}",
                    "SCLOUD_USERS_UPSTREAM": f"127.0.0.1:{self.ports.users_http}",
                    "SCLOUD_FILES_UPSTREAM": f"127.0.0.1:{self.ports.files_http}",
                    "SCLOUD_FRONTEND_ROOT": str(frontend_root),
                    "SCLOUD_MAX_BODY_SIZE": nginx_body_limit(self.max_upload_bytes),
                    # Nothing stands in front of a local gateway: trust no proxy (a TEST-NET address).
                    "SCLOUD_TRUSTED_PROXY_CIDR": "192.0.2.1/32",
                    # Previews load from the files service's S3_PUBLIC_ENDPOINT_URL (set above).
                    "SCLOUD_STORAGE_ORIGIN": self.storage_public_url,
                }
            )
        )
        user_line = "user nobody nogroup;" if os.geteuid() == 0 else ""
        (gateway_dir / "nginx.conf").write_text(
            f"""{user_line}
worker_processes 1;
pid {gateway_dir}/nginx.pid;
error_log {self.run_dir}/logs/gateway-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp_dir}/body;
    proxy_temp_path {temp_dir}/proxy;
    fastcgi_temp_path {temp_dir}/fastcgi;
    uwsgi_temp_path {temp_dir}/uwsgi;
    scgi_temp_path {temp_dir}/scgi;
    include {gateway_dir}/scloud.conf;
}}
"""
        )
        command = [nginx, "-p", str(gateway_dir), "-e", str(self.run_dir / "logs" / "gateway-error.log")]
        command += ["-c", str(gateway_dir / "nginx.conf"), "-g", "daemon off;"]
        self.run_checked([*command, "-t"], {})
        self._spawn("gateway", command, {})

    def _worker_folders(self, gateway_dir: Path) -> tuple[Path, Path]:
        """The web app nginx's workers serve and the temp folder they write.

        As root, the workers drop to nobody, who may not be able to reach a clone in a private
        (0700) folder. Running the workers as root instead would hand every request parser
        root's rights; so they stay nobody, and get a copy of the web app (public anyway) and
        a temp folder of their own in a folder outside the clone, removed on stop, or by the next
        start in the same run folder if the stack was killed outright. The master process (root)
        still reads the config and writes the logs in the run folder.
        """
        if os.geteuid() != 0:
            temp_dir = gateway_dir / "tmp"
            temp_dir.mkdir(exist_ok=True)
            return self.frontend_dist, temp_dir
        remove_gateway_folder_left(self.run_dir)
        self.public_dir = Path(tempfile.mkdtemp(prefix=GATEWAY_FOLDER_PREFIX))
        write_private(self.run_dir / GATEWAY_FOLDER_RECORD, f"{self.public_dir}\n".encode(), owner=None)
        self.public_dir.chmod(0o711)
        frontend_root = self.public_dir / "dist"
        shutil.copytree(self.frontend_dist, frontend_root)
        for folder, _, files in os.walk(frontend_root):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
        temp_dir = self.public_dir / "tmp"
        temp_dir.mkdir(mode=0o700)
        shutil.chown(temp_dir, "nobody", "nogroup")
        return frontend_root, temp_dir
