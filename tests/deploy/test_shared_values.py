"""The upload limit has one source, the files service's FILES_MAX_UPLOAD_BYTES default: the
gateway derives its body limit from it, and the copies that must stay (compose, CloudFormation,
the gateway image's default) agree with it."""

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from cfnlint.decode import decode

from scloud_files.config import FilesSettings
from scloud_files.http.upload_reader import MULTIPART_OVERHEAD_BYTES
from scripts import stack

ROOT = Path(__file__).resolve().parents[2]
MAX_UPLOAD_BYTES = FilesSettings.model_fields["max_upload_bytes"].default
BODY_LIMIT_SCRIPT = ROOT / "gateway" / "body-limit.envsh"


def gateway_image_body_limit(max_upload_bytes: str | None) -> subprocess.CompletedProcess:
    """What the gateway image's entrypoint derives, with the same POSIX shell sourcing."""
    env = {key: value for key, value in os.environ.items() if key != "SCLOUD_MAX_UPLOAD_BYTES"}
    if max_upload_bytes is not None:
        env["SCLOUD_MAX_UPLOAD_BYTES"] = max_upload_bytes
    command = f'. "{BODY_LIMIT_SCRIPT}" && printf %s "$SCLOUD_MAX_BODY_SIZE"'
    return subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("max_upload_bytes", [5 * 1024 * 1024, MAX_UPLOAD_BYTES, 5 * 1024**3])
def test_the_gateway_image_and_make_run_derive_the_same_body_limit(max_upload_bytes):
    result = gateway_image_body_limit(str(max_upload_bytes))
    assert result.returncode == 0, result.stderr
    # Exactly the body the files service accepts: its limit plus its multipart allowance.
    assert result.stdout == str(max_upload_bytes + MULTIPART_OVERHEAD_BYTES)
    assert result.stdout == stack.nginx_body_limit(max_upload_bytes)


def test_the_gateway_image_refuses_to_start_without_the_upload_limit():
    result = gateway_image_body_limit(None)
    assert result.returncode != 0 and "FILES_MAX_UPLOAD_BYTES" in result.stderr


def test_make_run_uses_the_files_services_default():
    assert stack.DEFAULT_MAX_UPLOAD_BYTES == MAX_UPLOAD_BYTES


def test_the_gateway_images_default_is_the_files_services_default():
    dockerfile = (ROOT / "gateway" / "Dockerfile").read_text()
    assert f"SCLOUD_MAX_UPLOAD_BYTES={MAX_UPLOAD_BYTES} " in dockerfile
    assert "SCLOUD_MAX_BODY_SIZE" not in dockerfile


def test_compose_gives_the_gateway_and_the_files_service_the_same_limit():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    files = services["files"]["environment"]["FILES_MAX_UPLOAD_BYTES"]
    gateway = services["gateway"]["environment"]["SCLOUD_MAX_UPLOAD_BYTES"]
    assert files == gateway == str(MAX_UPLOAD_BYTES)
    assert "SCLOUD_MAX_BODY_SIZE" not in services["gateway"]["environment"]


def test_cloudformation_gives_the_gateway_and_the_files_service_the_one_parameter():
    template, problems = decode(str(ROOT / "infra" / "services.yaml"))
    assert not problems
    assert int(template["Parameters"]["MaxUploadBytes"]["Default"]) == MAX_UPLOAD_BYTES
    tasks = template["Resources"]
    files = tasks["FilesTaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Environment"]
    gateway = tasks["GatewayTaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Environment"]
    assert {"Name": "FILES_MAX_UPLOAD_BYTES", "Value": {"Ref": "MaxUploadBytes"}} in files
    assert {"Name": "SCLOUD_MAX_UPLOAD_BYTES", "Value": {"Ref": "MaxUploadBytes"}} in gateway
    assert "SCLOUD_MAX_BODY_SIZE" not in str(gateway)
