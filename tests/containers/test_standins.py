"""The stand-ins follow the Dockerfiles' FROM lines, so a moved tag gets its own stand-in."""

from pathlib import Path

import pytest

from tests.containers.engine import CommandFailed
from tests.containers.standins import PROJECT_DOCKERFILES, BaseImage, base_images, run_as_is_images


def write_dockerfiles(root: Path, gateway: str, service: str = "FROM python:3.11.11-slim-bookworm\n") -> None:
    for dockerfile in PROJECT_DOCKERFILES:
        (root / dockerfile).parent.mkdir(parents=True, exist_ok=True)
        (root / dockerfile).write_text(gateway if dockerfile.startswith("gateway") else service)


def test_the_base_images_are_read_from_the_from_lines_without_build_stages(tmp_path: Path) -> None:
    write_dockerfiles(
        tmp_path,
        "FROM node:24.21.0-bookworm-slim AS frontend\nRUN npm ci\n"
        "FROM nginxinc/nginx-unprivileged:1.27.5-alpine\nCOPY --from=frontend /app/dist /srv\n",
        "FROM python:3.11.11-slim-bookworm AS build\nRUN true\nFROM build AS test\nFROM python:3.11.11-slim-bookworm\n",
    )

    assert base_images(tmp_path) == [
        BaseImage("nginxinc/nginx-unprivileged:1.27.5-alpine", "nginxinc/nginx-unprivileged", "1.27.5-alpine"),
        BaseImage("node:24.21.0-bookworm-slim", "node", "24.21.0-bookworm-slim"),
        BaseImage("python:3.11.11-slim-bookworm", "python", "3.11.11-slim-bookworm"),
    ]


def test_a_stand_in_answers_to_the_names_docker_and_podman_resolve() -> None:
    assert BaseImage("node:24.21.0-bookworm-slim", "node", "24.21.0-bookworm-slim").qualified == [
        "docker.io/library/node:24.21.0-bookworm-slim",
        "localhost/node:24.21.0-bookworm-slim",
    ]
    assert BaseImage(
        "nginxinc/nginx-unprivileged:1.27.5-alpine", "nginxinc/nginx-unprivileged", "1.27.5-alpine"
    ).qualified == [
        "docker.io/nginxinc/nginx-unprivileged:1.27.5-alpine",
        "localhost/nginxinc/nginx-unprivileged:1.27.5-alpine",
    ]


def test_an_untagged_base_image_is_refused(tmp_path: Path) -> None:
    write_dockerfiles(tmp_path, "FROM nginx\n")

    with pytest.raises(CommandFailed, match="no tag"):
        base_images(tmp_path)


def test_the_project_names_its_base_images() -> None:
    assert {image.repository for image in base_images()} == {"python", "node", "nginxinc/nginx-unprivileged"}


def test_the_images_the_self_hosting_profile_runs_as_they_are_get_stand_ins_too() -> None:
    """Caddy and SeaweedFS: named with a fixed tag in compose.prod.yaml; SCloud's own images there
    are named from variables and built, so they are not among them."""
    assert [image.name for image in run_as_is_images()] == ["caddy:2.10.2", "chrislusf/seaweedfs:4.48"]
