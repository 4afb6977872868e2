"""Pinned toolchain and dependencies: one uv.lock, current, that every Python install goes through
with hashes; one Node.js version for make, the frontend and the gateway image."""

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".tools" / "uv" / "bin" / "uv"
WORKSPACE = tomllib.loads((ROOT / "pyproject.toml").read_text())
MEMBERS = WORKSPACE["tool"]["uv"]["workspace"]["members"]
PYTHON_DOCKERFILES = [
    *(ROOT / "services" / name / "Dockerfile" for name in ("auth", "users", "files")),
    ROOT / "docker" / "provision.Dockerfile",
]


def run_lines(dockerfile: Path) -> list[str]:
    text = dockerfile.read_text().replace("\\\n", " ")
    return re.findall(r"^RUN\s+(.*)$", text, re.MULTILINE)


def test_the_lock_matches_every_manifest():
    assert UV.exists(), "run `make install` first"
    result = subprocess.run(
        [str(UV), "lock", "--check", "--offline"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr


def test_the_workspace_holds_every_package():
    assert sorted(MEMBERS) == sorted(
        str(path.parent.relative_to(ROOT))
        for path in [*ROOT.glob("*/pyproject.toml"), *ROOT.glob("*/*/pyproject.toml")]
    )


@pytest.mark.parametrize("member", MEMBERS)
def test_build_backend_is_pinned_exactly(member):
    requires = tomllib.loads((ROOT / member / "pyproject.toml").read_text())["build-system"]["requires"]
    assert requires and all(re.fullmatch(r"[\w.-]+==[\w.]+", requirement) for requirement in requires), requires


def test_the_bootstrap_is_pinned_with_hashes():
    text = (ROOT / "requirements" / "uv.txt").read_text()
    requirements = re.findall(r"^([\w.-]+)==\S+ \\\n((?:\s+--hash=sha256:\w+(?: \\)?\n)+)", text, re.MULTILINE)
    assert sorted(name for name, _ in requirements) == ["pip", "uv"]


@pytest.mark.parametrize("dockerfile", PYTHON_DOCKERFILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_images_install_only_from_the_lock_or_hashes(dockerfile):
    installs = [line for line in run_lines(dockerfile) if re.search(r"\b(pip install|uv (sync|pip))\b", line)]
    assert any("uv sync" in line for line in installs)
    for line in installs:
        if "pip install" in line:
            assert "--require-hashes" in line, line
        else:
            assert re.search(r"\buv sync --frozen\b", line) and "--no-dev" in line, line


def test_makefile_installs_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements/uv.txt" in makefile
    syncs = re.findall(r"\$\(UV\) sync .*", makefile)
    assert syncs and all("--frozen" in line for line in syncs)


def test_one_node_version_everywhere():
    version = (ROOT / ".nvmrc").read_text().strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    major = version.split(".")[0]
    package = json.loads((ROOT / "frontend" / "package.json").read_text())
    assert package["engines"]["node"] == f"^{version}"
    assert package["devDependencies"]["@types/node"].startswith(f"^{major}.")
    assert re.search(
        rf"^FROM node:{re.escape(version)}-bookworm-slim AS frontend$",
        (ROOT / "gateway" / "Dockerfile").read_text(),
        re.MULTILINE,
    )


def test_makefile_runs_npm_on_the_pinned_node():
    makefile = (ROOT / "Makefile").read_text()
    assert "NODE_VERSION := $(shell cat .nvmrc)" in makefile
    assert re.search(r"^NODE_SHA512 := [0-9a-f]{128}$", makefile, re.MULTILINE)
    assert "sha512sum --strict --quiet -c -" in makefile
    assert "export PATH := $(CURDIR)/$(NODE_DIR)/bin:$(PATH)" in makefile
    assert re.search(r"^frontend/node_modules/\.installed: .*\$\(PINNED_NODE\)$", makefile, re.MULTILINE)
