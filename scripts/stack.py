"""The whole SCloud product on this machine: moto server (S3 + DynamoDB), the three services
and the Nginx gateway in front of the built frontend, each a process of its own.

`make run` drives it through `scripts/run.py`; the end-to-end, resilience and bench harnesses
use `Stack` directly with free ports and a run folder of their own.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scloud_common.internal_tls import issue_certificates, write_certificates
from scloud_files.config import FilesSettings
from scloud_files.http.upload_reader import MULTIPART_OVERHEAD_BYTES
from scripts.processes import busy_ports_message, port_in_use, run_checked, spawn, wait_until_ready
from scripts.snapshot import Snapshot

ROOT = Path(__file__).resolve().parent.parent
GATEWAY_TEMPLATE = ROOT / "gateway" / "scloud.conf.template"
# SCLOUD_FRONTEND_DIST serves another build of the frontend (a developer's, say).
FRONTEND_DIST = Path(os.environ.get("SCLOUD_FRONTEND_DIST", ROOT / "frontend" / "dist"))
SERVICES = ("auth", "users", "files")
# The services that send mail, from their default sender, which their provisioning verifies with
# moto's SES; tests read what was sent at GET /moto-api/data.json.
MAILING_SERVICES = ("auth", "users")
DEFAULT_MAX_UPLOAD_BYTES: int = FilesSettings.model_fields["max_upload_bytes"].default
# How long the processes may take to answer ready, all together: generous, as a loaded 2-core
# machine has taken over a minute; a process that exits fails the start at once.
DEFAULT_READY_TIMEOUT_SECONDS = 240.0


@dataclass(frozen=True)
class Ports:
    gateway: int = 8080
    s3: int = 4566
    auth_http: int = 8101
    auth_grpc: int = 9101
    users_http: int = 8102
    users_grpc: int = 9102
    files_http: int = 8103
    files_grpc: int = 9103

    @classmethod
    def free(cls) -> "Ports":
        """Ports nobody listens on now, for tests that run beside a `make run`."""
        sockets = [socket.socket() for _ in range(8)]
        try:
            for sock in sockets:
                sock.bind(("127.0.0.1", 0))
            return cls(*(sock.getsockname()[1] for sock in sockets))
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
    table_prefix: str = "scloud-"
    bucket: str = "scloud-files"
    frontend_dist: Path = FRONTEND_DIST
    # The address the gateway listens on; the other processes always listen on 127.0.0.1 only.
    host: str = "127.0.0.1"
    ready_timeout: float = DEFAULT_READY_TIMEOUT_SECONDS
    with_gateway: bool = True
    # False starts the gateway alone, in front of services that are down (tests of its errors).
    with_services: bool = True
    # Where the data is saved on a clean stop and restored on start; None keeps it in memory only.
    data_dir: Path | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    public_dir: Path | None = None
    data_restored: bool = False

    @property
    def url(self) -> str:
        return f"http://localhost:{self.ports.gateway}"

    @property
    def s3_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports.s3}"

    def start(self) -> None:
        self.run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.logs_dir.mkdir(mode=0o700, exist_ok=True)
        busy = [port for port in vars(self.ports).values() if port_in_use(port)]
        if busy:
            raise RuntimeError(busy_ports_message(busy))
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
        self._spawn("s3", [_venv_bin("moto_server"), "-H", "127.0.0.1", "-p", str(self.ports.s3)], {})
        self._wait_until_ready({"s3": f"{self.s3_endpoint}/moto-api/"})
        for service in SERVICES:
            self.run_checked([sys.executable, "-m", f"scloud_{service}.provision"], self._service_env(service))
        if self.data_dir is not None:
            try:
                self._snapshot().restore(self.data_dir)
            except (ValueError, KeyError, OSError, BotoCoreError, ClientError) as exc:
                raise RuntimeError(
                    f"could not restore the saved data in {self.data_dir} ({exc!r}). Move it aside, "
                    "or start empty with make run ARGS=--in-memory"
                ) from exc
            self.data_restored = True
        for service in SERVICES:
            self._spawn(service, [sys.executable, "-m", f"scloud_{service}.main"], self._service_env(service))
        self._wait_until_ready({service: f"http://127.0.0.1:{self.ports.http(service)}/readyz" for service in SERVICES})

    def _wait_until_ready(self, checks: dict[str, str]) -> None:
        wait_until_ready(checks, processes=self.processes, logs=self.logs_dir, timeout=self.ready_timeout)

    def run_checked(self, command: list[str], env: dict[str, str]) -> None:
        run_checked(command, env=env, cwd=ROOT)

    def stop(self) -> None:
        # Only a store that was restored (or found empty) is saved: a start that failed half-way
        # must not replace the last good snapshot.
        moto = self.processes.get("s3")
        if self.data_restored and self.data_dir is not None and moto is not None and moto.poll() is None:
            self._stop_processes([name for name in self.processes if name != "s3"])
            try:
                self._snapshot().save(self.data_dir)
            except (BotoCoreError, ClientError, OSError) as exc:
                print(f"Could not save the data ({exc}); {self.data_dir} keeps the last snapshot.", file=sys.stderr)
            self.data_restored = False
        self._stop_processes(list(self.processes))
        self.processes.clear()
        if self.public_dir is not None:
            shutil.rmtree(self.public_dir, ignore_errors=True)
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

    def _snapshot(self) -> "Snapshot":
        return Snapshot(self.s3_endpoint, self.table_prefix, self.bucket)

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

    def _service_env(self, service: str) -> dict[str, str]:
        prefix = f"{service.upper()}_"
        values = {
            "ENVIRONMENT": "development",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.ports.http(service)),
            "GRPC_HOST": "127.0.0.1",
            "GRPC_PORT": str(self.ports.grpc(service)),
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": self.s3_endpoint,
            "DYNAMODB_TABLE_PREFIX": self.table_prefix,
            "GRPC_TLS_CA_CERT": str(self.certs_dir / "ca.pem"),
            "GRPC_TLS_CERT": str(self.certs_dir / f"{service}.pem"),
            "GRPC_TLS_KEY": str(self.certs_dir / f"{service}-key.pem"),
        }
        peers = {
            "auth": {
                "USERS_GRPC_ADDR": f"127.0.0.1:{self.ports.users_grpc}",
                "COOKIE_SECURE": "false",
                "ALLOWED_ORIGINS": f"http://localhost:{self.ports.gateway},http://127.0.0.1:{self.ports.gateway}",
            },
            "users": {
                "AUTH_GRPC_ADDR": f"127.0.0.1:{self.ports.auth_grpc}",
                "FILES_GRPC_ADDR": f"127.0.0.1:{self.ports.files_grpc}",
            },
            "files": {
                "AUTH_GRPC_ADDR": f"127.0.0.1:{self.ports.auth_grpc}",
                "S3_BUCKET": self.bucket,
                "S3_PUBLIC_ENDPOINT_URL": f"http://localhost:{self.ports.s3}",
                "MAX_UPLOAD_BYTES": str(self.max_upload_bytes),
                # moto's transactions are not safe when concurrent (FilesSettings.bulk_concurrency).
                "BULK_CONCURRENCY": "1",
            },
        }
        values.update(peers[service])
        if service in MAILING_SERVICES:
            values["PUBLIC_URL"] = self.url
        if service == "auth":
            values["JWT_PRIVATE_KEY"] = self._signing_key_pem()
        env = {prefix + key: value for key, value in values.items()}
        # moto accepts any credentials; real ones must never be needed for a local run.
        env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"})
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
                    "SCLOUD_STORAGE_ORIGIN": f"http://localhost:{self.ports.s3}",
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
        a temp folder of their own in a folder outside the clone, removed on stop. The master
        process (root) still reads the config and writes the logs in the run folder.
        """
        if os.geteuid() != 0:
            temp_dir = gateway_dir / "tmp"
            temp_dir.mkdir(exist_ok=True)
            return self.frontend_dist, temp_dir
        self.public_dir = Path(tempfile.mkdtemp(prefix="scloud-gateway-"))
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


def _venv_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)
