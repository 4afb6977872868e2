"""Dockerfiles: pinned bases, non-root, health-checked, dependencies cached before sources."""

import re
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
    third_party = text.index(f"uv sync --frozen --no-dev --package scloud-{name} --no-install-workspace")
    assert third_party < text.index(f"COPY services/{name}/src")
    assert text.index(f"COPY services/{name}/src") < text.index(f"--package scloud-{name} --no-editable")


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


def test_dockerignore_keeps_the_context_small():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in ("**/node_modules", "**/.venv", ".tools", "**/.git", ".env", "frontend/dist"):
        assert entry in ignored
