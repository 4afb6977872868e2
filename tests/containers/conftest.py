"""Fixtures every container test module uses: the test's own podman, and a private folder for its
sockets and the Docker client's configuration. Module-scoped: each module brings its own stack
up and leaves nothing behind but images (the cache)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.containers.engine import Podman

CACHE = Path(os.environ.get("SCLOUD_CONTAINERS_CACHE", Path.home() / ".cache" / "scloud-containers"))
COMPOSE = CACHE / "tools" / "bin" / "docker-compose"


@pytest.fixture(scope="module")
def podman() -> Iterator[Podman]:
    if os.geteuid() != 0:
        pytest.fail("the container test runs podman as root and makes a network namespace: run it as root")
    engine = Podman(CACHE)
    # Whatever a killed run left behind.
    engine.stop_stale_services()
    engine.remove_everything_but_images()
    yield engine
    engine.remove_everything_but_images()


@pytest.fixture(scope="module")
def private_dir() -> Iterator[Path]:
    """The sockets and the Docker client's configuration, readable by root only. Not under pytest's
    basetemp: other pytest sessions of the same user prune old ones while this one runs."""
    folder = Path(tempfile.mkdtemp(prefix="scloud-containers-"))
    try:
        (folder / "docker-config").mkdir()
        (folder / "docker-config" / "config.json").write_text("{}")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
