"""compose.yaml: valid against the Compose Specification, and shaped as the product needs."""

import ipaddress
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.deploy.compose_networks import (
    fixed_addresses_a_container_could_take_first,
    ranges_reaching_network_or_broadcast,
)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
ONE_SHOT = "init"
LONG_RUNNING = [name for name in SERVICES if name != ONE_SHOT]
GRPC_PORTS = {"9101", "9102", "9103"}


def published_ports(service: dict) -> list[str]:
    return [str(port) for port in service.get("ports", [])]


SPEC = jsonschema.Draft201909Validator(json.loads((Path(__file__).parent / "compose-spec.schema.json").read_text()))


def test_compose_file_is_valid_against_the_compose_specification():
    SPEC.validate(COMPOSE)


def test_the_specification_check_catches_mistakes():
    broken = {**COMPOSE, "services": {**SERVICES, "auth": {**SERVICES["auth"], "helthcheck": {}}}}
    assert not SPEC.is_valid(broken)


def test_the_whole_product_is_there():
    assert set(SERVICES) == {"aws", "init", "auth", "users", "files", "gateway"}


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_long_running_service_has_a_healthcheck(name):
    assert SERVICES[name]["healthcheck"]["test"]


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_long_running_service_comes_back_after_a_crash_or_a_reboot(name):
    assert SERVICES[name]["restart"] == "unless-stopped"


def test_the_one_shot_init_is_retried_when_it_fails():
    assert SERVICES[ONE_SHOT]["restart"] == "on-failure"


def start_command(name: str) -> str:
    """The shell script a service's container runs, with compose's `$$` escapes undone and its
    service name filled in."""
    command = SERVICES[name]["command"]
    assert command[:2] == ["sh", "-c"]
    return command[2].replace("$$", "$").replace("${SCLOUD_SERVICE}", SERVICES[name]["environment"]["SCLOUD_SERVICE"])


@pytest.mark.parametrize("name", ["auth", "users", "files"])
def test_each_service_provisions_its_store_before_it_serves_on_every_start(name):
    """The store starts empty after every restart, and nothing reruns a one-shot: so each service
    creates what it needs, then becomes the service (exec: it is the container's main process)."""
    assert SERVICES[name]["environment"]["SCLOUD_SERVICE"] == name
    script = start_command(name)
    provision, serve = f"python -m scloud_{name}.provision", f"exec python -m scloud_{name}.main"
    assert f"{provision} && {serve};" in script
    assert re.search(r"for attempt in \$\(seq \d+\)", script), "provisioning is retried, a bounded number of times"
    assert script.rstrip().endswith("exit 1")


@pytest.mark.parametrize("name", ["auth", "users", "files"])
def test_provisioning_succeeds_again_against_a_store_it_has_provisioned(name, aws_endpoint_url):
    """What a service's container runs before serving, twice against one store, with compose's
    environment for that service."""
    prefix = name.upper()
    # As compose passes it with no variable set: `${NAME:-default}` is the default.
    environment = {
        key: re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
        for key, value in SERVICES[name]["environment"].items()
    }
    environment[f"{prefix}_AWS_ENDPOINT_URL"] = aws_endpoint_url
    environment[f"{prefix}_DYNAMODB_TABLE_PREFIX"] = f"start{uuid.uuid4().hex[:8]}-"
    if name == "files":
        environment["FILES_S3_BUCKET"] = f"start-{uuid.uuid4().hex[:8]}"
    for start in ("first", "second"):
        result = subprocess.run(
            [sys.executable, "-m", f"scloud_{name}.provision"],
            env={**os.environ, **environment},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"{start} start: {result.stdout}\n{result.stderr}"


def test_dependencies_wait_for_health_or_completion():
    for name, service in SERVICES.items():
        for dependency, condition in service.get("depends_on", {}).items():
            expected = "service_completed_successfully" if dependency == "init" else "service_healthy"
            assert condition["condition"] == expected, (name, dependency)
    for name in ("auth", "users", "files"):
        assert "init" in SERVICES[name]["depends_on"]
    assert set(SERVICES["gateway"]["depends_on"]) == {"auth", "users", "files"}


def test_only_the_gateway_and_the_s3_stand_in_publish_ports_and_never_grpc():
    publishing = {name for name, service in SERVICES.items() if service.get("ports")}
    assert publishing == {"gateway", "aws"}
    for service in SERVICES.values():
        for port in published_ports(service):
            assert not GRPC_PORTS & set(re.split(r"[:/]", port))
    assert published_ports(SERVICES["gateway"]) == ["8080:8080"]


def test_the_aws_stand_in_image_is_a_variable_pinned_to_the_last_free_localstack():
    assert SERVICES["aws"]["image"] == "${AWS_STANDIN_IMAGE:-localstack/localstack:4.14.0}"


def test_no_secrets_in_the_file():
    text = (ROOT / "compose.yaml").read_text()
    assert "PRIVATE KEY-----" not in text
    assert SERVICES["auth"]["environment"]["AUTH_JWT_PRIVATE_KEY"] == "${AUTH_JWT_PRIVATE_KEY:-}"
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_presigned_links_are_signed_for_the_hosts_browser():
    files = SERVICES["files"]["environment"]
    assert files["FILES_S3_PUBLIC_ENDPOINT_URL"] == "http://localhost:4566"
    assert files["FILES_AWS_ENDPOINT_URL"].startswith("http://aws:")


def test_the_gateway_lets_previews_load_from_the_origin_links_are_signed_for():
    public = SERVICES["files"]["environment"]["FILES_S3_PUBLIC_ENDPOINT_URL"]
    assert SERVICES["gateway"]["environment"]["SCLOUD_STORAGE_ORIGIN"] == public.rstrip("/")


@pytest.mark.parametrize("name", ["auth", "users", "files"])
def test_each_service_gets_its_own_internal_certificate(name):
    prefix = name.upper()
    environment = SERVICES[name]["environment"]
    assert environment[f"{prefix}_GRPC_TLS_CA_CERT"] == "/certs/ca.pem"
    assert environment[f"{prefix}_GRPC_TLS_CERT"] == f"/certs/{name}.pem"
    assert environment[f"{prefix}_GRPC_TLS_KEY"] == f"/certs/{name}-key.pem"
    assert "grpc-certs:/certs:ro" in SERVICES[name]["volumes"]


@pytest.mark.parametrize("name", ["auth", "users", "files"])
def test_a_service_is_healthy_once_it_answers_ready_over_http(name):
    """HTTP answers only after the warm-up (peers' channels, stores, auth's keys), and /readyz
    checks them again: so `up --wait` returns when a signed-in request will be answered, and a
    store that went away after the start shows too."""
    port = SERVICES[name]["expose"][0]
    assert port.startswith("81")
    assert f"http://127.0.0.1:{port}/readyz" in " ".join(SERVICES[name]["healthcheck"]["test"])


def test_the_one_shot_issues_the_certificates_before_the_services_start():
    assert "grpc-certs:/certs" in SERVICES["init"]["volumes"]
    provision = (ROOT / "docker" / "provision.Dockerfile").read_text()
    assert 'CMD ["python", "-m", "scloud_common.internal_tls", "/certs", "--keep"]' in provision
    assert "grpc-certs" in COMPOSE["volumes"]


def test_services_find_each_other_by_name():
    assert SERVICES["auth"]["environment"]["AUTH_USERS_GRPC_ADDR"] == "users:9102"
    assert SERVICES["users"]["environment"]["USERS_FILES_GRPC_ADDR"] == "files:9103"
    assert SERVICES["files"]["environment"]["FILES_AUTH_GRPC_ADDR"] == "auth:9101"


def test_services_believe_forwarded_headers_from_the_gateways_fixed_address_only():
    address = SERVICES["gateway"]["networks"]["default"]["ipv4_address"]
    subnet = COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(address) in ipaddress.ip_network(subnet)
    for name in ("auth", "users", "files"):
        assert SERVICES[name]["environment"][f"{name.upper()}_FORWARDED_ALLOW_IPS"] == address


def test_no_container_can_be_given_the_gateways_fixed_address_first():
    """Regression: after many `up`s, podman's allocator (it hands addresses out in turn) reached
    .10 and gave it to auth; the gateway, started last, then failed on "172.30.0.10 is already
    allocated". Dynamic addresses come from a range that leaves the fixed one out."""
    assert SERVICES["gateway"]["networks"]["default"]["ipv4_address"]
    assert not fixed_addresses_a_container_could_take_first(COMPOSE)


def test_no_container_can_be_given_the_subnets_broadcast_address():
    """Regression: podman 4.3 hands out a range's last address even when it is the subnet's
    broadcast address; after enough recreations files got 172.31.0.255, resolved no name, and the
    self-host container test failed (as in CI, where files could not reach the store). Docker
    never hands it out."""
    assert not ranges_reaching_network_or_broadcast(COMPOSE)


def test_the_fixed_address_check_catches_an_address_in_the_range():
    taken = {
        "networks": {"default": {"ipam": {"config": [{"subnet": "172.30.0.0/24", "ip_range": "172.30.0.0/25"}]}}},
        "services": {"gateway": {"networks": {"default": {"ipv4_address": "172.30.0.10"}}}, "auth": {}},
    }
    assert fixed_addresses_a_container_could_take_first(taken) == ["gateway: 172.30.0.10"]


def test_the_broadcast_check_catches_a_range_up_to_the_end_of_the_subnet():
    reaching = {
        "networks": {"default": {"ipam": {"config": [{"subnet": "172.31.0.0/24", "ip_range": "172.31.0.128/25"}]}}}
    }
    assert ranges_reaching_network_or_broadcast(reaching) == ["172.31.0.128/25"]


def test_auth_accepts_cookie_requests_from_the_gateways_origin():
    from scloud_auth.config import AuthSettings

    value = SERVICES["auth"]["environment"]["AUTH_ALLOWED_ORIGINS"]
    settings = AuthSettings(
        environment="development",
        http_port=1,
        grpc_port=1,
        users_grpc_addr="x:1",
        allowed_origins=value,
        grpc_tls_ca_cert="unused",
        grpc_tls_cert="unused",
        grpc_tls_key="unused",
    )
    published = {port.split(":")[0] for port in published_ports(SERVICES["gateway"])}
    assert {f"http://localhost:{port}" for port in published} <= set(settings.allowed_origins)


def test_provisioning_verifies_the_sender_the_services_send_from():
    """Each service provisions with its own environment, so the sender it verifies is its own."""
    for prefix, service in (("AUTH", "auth"), ("USERS", "users")):
        assert SERVICES[service]["environment"][f"{prefix}_MAIL_SENDER"]
        assert SERVICES[service]["environment"][f"{prefix}_PUBLIC_URL"] == "http://localhost:8080"
        assert f"scloud_{service}.provision" in start_command(service)
    assert "ses" in SERVICES["aws"]["environment"]["SERVICES"].split(",")


METRICS_PORTS = {"auth": "9201", "users": "9202", "files": "9203"}


def test_each_service_serves_its_metrics_inside_the_network_only():
    for name, port in METRICS_PORTS.items():
        assert port in SERVICES[name]["expose"]
        dockerfile = (ROOT / "services" / name / "Dockerfile").read_text()
        prefix = name.upper()
        assert f"{prefix}_METRICS_HOST=0.0.0.0" in dockerfile
        assert f"{prefix}_METRICS_PORT={port}" in dockerfile
    for service in SERVICES.values():
        for published in published_ports(service):
            assert not set(METRICS_PORTS.values()) & set(re.split(r"[:/]", published))
