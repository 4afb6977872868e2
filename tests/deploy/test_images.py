"""Dockerfiles: pinned bases, non-root, health-checked, dependencies cached before sources."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE_DOCKERFILES = {name: ROOT / "services" / name / "Dockerfile" for name in ("auth", "users", "files")}
ALL_DOCKERFILES = [
    *SERVICE_DOCKERFILES.values(),
    ROOT / "gateway" / "Dockerfile",
    ROOT / "docker" / "provision.Dockerfile",
]


def base_images(dockerfile: Path) -> list[str]:
    return re.findall(r"^FROM\s+(\S+)", dockerfile.read_text(), re.MULTILINE)


@pytest.mark.parametrize("dockerfile", ALL_DOCKERFILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_base_images_are_pinned(dockerfile):
    for image in base_images(dockerfile):
        name, _, tag = image.partition(":")
        assert tag and tag != "latest" and re.search(r"\d+\.\d+", tag), image


@pytest.mark.parametrize("dockerfile", ALL_DOCKERFILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_images_run_as_a_non_root_user(dockerfile):
    users = re.findall(r"^USER\s+(\S+)", dockerfile.read_text(), re.MULTILINE)
    assert users and users[-1] not in ("root", "0")


@pytest.mark.parametrize("name", SERVICE_DOCKERFILES)
def test_service_images_probe_grpc_health_from_inside(name):
    text = SERVICE_DOCKERFILES[name].read_text()
    assert re.search(rf'HEALTHCHECK .*\n?.*"scloud_common.health_probe", "{name}", "127.0.0.1:91\d\d"', text)
    assert f'CMD ["python", "-m", "scloud_{name}.main"]' in text


@pytest.mark.parametrize("name", SERVICE_DOCKERFILES)
def test_dependency_layer_comes_before_the_sources(name):
    text = SERVICE_DOCKERFILES[name].read_text()
    assert text.index("-r requirements/runtime.txt") < text.index(f"COPY services/{name}/src")


def test_gateway_builds_the_frontend_in_a_stage_and_uses_the_one_template():
    text = (ROOT / "gateway" / "Dockerfile").read_text()
    assert re.search(r"^FROM node:\S+ AS frontend", text, re.MULTILINE)
    assert "npm run build" in text and "COPY --from=frontend" in text
    assert "gateway/scloud.conf.template /etc/nginx/templates/" in text
    assert "HEALTHCHECK" in text
    template_variables = set(
        re.findall(r"\$\{(SCLOUD_[A-Z_]+)\}", (ROOT / "gateway" / "scloud.conf.template").read_text())
    )
    derived = set(re.findall(r"^(SCLOUD_[A-Z_]+)=", (ROOT / "gateway" / "body-limit.envsh").read_text(), re.MULTILINE))
    assert template_variables <= set(re.findall(r"(SCLOUD_[A-Z_]+)=", text)) | derived
    assert "gateway/body-limit.envsh /docker-entrypoint.d/" in text


def test_runtime_requirements_cover_every_declared_dependency():
    runtime = {
        line.strip().lower()
        for line in (ROOT / "requirements" / "runtime.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    projects = [ROOT / "proto", ROOT / "libs" / "scloud_common", *(ROOT / "services" / n for n in SERVICE_DOCKERFILES)]
    declared = {
        dependency.lower()
        for project in projects
        for dependency in tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
        if not dependency.startswith("scloud-")
    }
    assert declared == runtime


def test_dockerignore_keeps_the_context_small():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in ("**/node_modules", "**/.venv", "**/.git", ".env", "frontend/dist"):
        assert entry in ignored
