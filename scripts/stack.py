"""Runs the whole SCloud product on this machine: moto server (S3 + DynamoDB), the three
services and the Nginx gateway in front of the built frontend.

`make run` calls `python scripts/stack.py`; the end-to-end tests use `Stack` directly with
free ports and a run folder of their own.
"""

import argparse
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent
GATEWAY_TEMPLATE = ROOT / "gateway" / "scloud.conf.template"
# SCLOUD_FRONTEND_DIST serves another build of the frontend (a developer's, say).
FRONTEND_DIST = Path(os.environ.get("SCLOUD_FRONTEND_DIST", ROOT / "frontend" / "dist"))
SERVICES = ("auth", "users", "files")
DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024


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
    """The gateway's body limit: the files service's limit plus room for multipart framing."""
    return f"{max_upload_bytes // (1024 * 1024) + 2}m"


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Stack:
    run_dir: Path
    ports: Ports = field(default_factory=Ports)
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    table_prefix: str = "scloud-"
    bucket: str = "scloud-files"
    frontend_dist: Path = FRONTEND_DIST
    with_gateway: bool = True
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.ports.gateway}"

    @property
    def s3_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports.s3}"

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "logs").mkdir(exist_ok=True)
        busy = [port for port in vars(self.ports).values() if port_in_use(port)]
        if busy:
            raise RuntimeError(f"ports already in use: {busy}. Is another SCloud or program running?")
        try:
            self._spawn("s3", [_venv_bin("moto_server"), "-H", "127.0.0.1", "-p", str(self.ports.s3)], {})
            _wait_for_http(f"{self.s3_endpoint}/moto-api/", "moto server")
            for service in SERVICES:
                _run_checked([sys.executable, "-m", f"scloud_{service}.provision"], self._service_env(service))
            for service in SERVICES:
                self._spawn(service, [sys.executable, "-m", f"scloud_{service}.main"], self._service_env(service))
            for service in SERVICES:
                _wait_for_http(f"http://127.0.0.1:{self.ports.http(service)}/readyz", f"{service} service")
            if self.with_gateway:
                self._start_gateway()
                _wait_for_http(f"{self.url}/healthz", "gateway")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT if name == "gateway" else signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def failed_process(self) -> str | None:
        return next((name for name, process in self.processes.items() if process.poll() is not None), None)

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = open(self.run_dir / "logs" / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )

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
            },
        }
        values.update(peers[service])
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
        temp_dir = gateway_dir / "tmp"
        temp_dir.mkdir(parents=True, exist_ok=True)
        (gateway_dir / "scloud.conf").write_text(
            render_gateway_config(
                {
                    "SCLOUD_GATEWAY_PORT": str(self.ports.gateway),
                    "SCLOUD_AUTH_UPSTREAM": f"127.0.0.1:{self.ports.auth_http}",
                    "SCLOUD_USERS_UPSTREAM": f"127.0.0.1:{self.ports.users_http}",
                    "SCLOUD_FILES_UPSTREAM": f"127.0.0.1:{self.ports.files_http}",
                    "SCLOUD_FRONTEND_ROOT": str(self.frontend_dist),
                    "SCLOUD_MAX_BODY_SIZE": nginx_body_limit(self.max_upload_bytes),
                    # Nothing stands in front of a local gateway: trust no proxy (a TEST-NET address).
                    "SCLOUD_TRUSTED_PROXY_CIDR": "192.0.2.1/32",
                }
            )
        )
        # As root, nginx's workers drop to nobody: give them the temp folders they write.
        user_line = "user nobody nogroup;" if os.geteuid() == 0 else ""
        if os.geteuid() == 0:
            shutil.chown(temp_dir, "nobody", "nogroup")
        (gateway_dir / "nginx.conf").write_text(
            f"""{user_line}
worker_processes 1;
pid {gateway_dir}/nginx.pid;
error_log {self.run_dir}/logs/gateway-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {self.run_dir}/logs/gateway-access.log;
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
        _run_checked([*command, "-t"], {})
        self._spawn("gateway", command, {})


def _venv_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _run_checked(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} failed:\n{result.stdout}\n{result.stderr}")


def _wait_for_http(url: str, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not become ready at {url}: {last_error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run-dir", type=Path, default=ROOT / ".run", help="logs, keys and rendered config")
    parser.add_argument("--port", type=int, default=8080, help="port of the gateway")
    args = parser.parse_args()
    args.run_dir.mkdir(parents=True, exist_ok=True)
    lock = open(args.run_dir / "stack.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("SCloud is already running from this folder (make run). Stop it with Ctrl-C there first.")
        return 1
    stack = Stack(args.run_dir, Ports(gateway=args.port))
    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    print("Starting SCloud: moto server, auth, users, files, gateway ...", flush=True)
    try:
        stack.start()
    except RuntimeError as exc:
        print(f"Could not start SCloud: {exc}\nLogs: {args.run_dir / 'logs'}", file=sys.stderr)
        return 1
    print(f"SCloud is running at {stack.url}", flush=True)
    print(f"Logs in {args.run_dir / 'logs'}. Press Ctrl-C to stop.", flush=True)
    while not stopping:
        failed = stack.failed_process()
        if failed:
            print(f"The {failed} process stopped; see {args.run_dir / 'logs' / (failed + '.log')}", file=sys.stderr)
            break
        time.sleep(0.5)
    print("Stopping SCloud ...", flush=True)
    stack.stop()
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
