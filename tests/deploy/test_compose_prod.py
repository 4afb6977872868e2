"""compose.prod.yaml, the one-server profile: valid, private, persistent, production settings that
the services accept, and Caddy routing the signed links to SeaweedFS under the app's origin.
tests/containers/test_self_host_stack.py runs it."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from scloud_auth.config import AuthSettings
from scloud_common.server_secrets import prepare
from scloud_common.settings import SECRETS_DIR_VARIABLE
from scloud_files.config import FilesSettings
from scloud_users.config import UsersSettings
from tests.deploy.compose_networks import (
    fixed_addresses_a_container_could_take_first,
    ranges_reaching_network_or_broadcast,
)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.prod.yaml").read_text())
SERVICES = COMPOSE["services"]
CADDYFILE = (ROOT / "gateway" / "Caddyfile").read_text()
ONE_SHOT = "secrets"
TOOL = "admin"
LONG_RUNNING = [name for name in SERVICES if name not in (ONE_SHOT, TOOL)]
SPEC = jsonschema.Draft201909Validator(json.loads((Path(__file__).parent / "compose-spec.schema.json").read_text()))
OPERATOR_ENV = {"SCLOUD_DOMAIN": "cloud.example.org", "SCLOUD_FIRST_ADMIN_EMAIL": "owner@example.org"}
# The records in DynamoDB and the bytes in S3 on AWS itself (docs/self-hosting.md, "On AWS").
ON_AWS = {
    "SCLOUD_STORE": "dynamodb",
    "SCLOUD_AWS_ENDPOINT": "",
    "SCLOUD_AWS_REGION": "eu-west-1",
    "SCLOUD_S3_PUBLIC_ENDPOINT": "",
    "SCLOUD_BUCKET": "example-scloud-files",
    "SCLOUD_STORAGE_ORIGIN": "https://example-scloud-files.s3.eu-west-1.amazonaws.com",
}
SETTINGS = {"auth": AuthSettings, "users": UsersSettings, "files": FilesSettings}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}` and `${VAR:+replacement}`."""

    def one(match: re.Match[str]) -> str:
        name, operator, operand = match.group(1), match.group(2) or "", match.group(3) or ""
        present = bool(env.get(name))
        if operator == ":-":
            return env[name] if present else interpolate(operand, env)
        if operator == "-":
            return env[name] if name in env else interpolate(operand, env)
        if operator == ":+":
            return interpolate(operand, env) if present else ""
        if operator == ":?" and not present:
            raise ValueError(operand)
        return env.get(name, "")

    previous = None
    while previous != value:
        previous, value = value, re.sub(r"\$\{(\w+)(:[-?+]|-)?((?:[^{}]|\{[^{}]*\})*)\}", one, value)
    return value


def environment(service: str, env: dict[str, str]) -> dict[str, str]:
    return {name: interpolate(str(value), env) for name, value in SERVICES[service]["environment"].items()}


def test_the_file_is_valid_against_the_compose_specification():
    SPEC.validate(COMPOSE)


def test_the_whole_product_is_there():
    assert set(SERVICES) == {"secrets", "s3", "auth", "users", "files", "gateway", "caddy", "admin"}
    assert SERVICES[TOOL]["profiles"] == ["tools"]  # run on demand, never by `up`


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_long_running_service_comes_back_after_a_crash_or_a_reboot(name):
    assert SERVICES[name]["restart"] == "unless-stopped"


def test_the_secrets_job_is_retried_until_it_succeeds_and_everything_waits_for_it():
    assert SERVICES[ONE_SHOT]["restart"] == "on-failure"
    for name in ("s3", "auth", "users", "files", TOOL):
        assert SERVICES[name]["depends_on"][ONE_SHOT] == {"condition": "service_completed_successfully"}


def test_only_caddy_publishes_ports():
    assert {name for name, service in SERVICES.items() if service.get("ports")} == {"caddy"}
    assert SERVICES["caddy"]["ports"] == ["${SCLOUD_HTTP_PORT:-80}:80", "${SCLOUD_HTTPS_PORT:-443}:443"]


def test_upstream_images_are_pinned_and_ours_are_built():
    assert SERVICES["caddy"]["image"] == "caddy:2.10.2"
    assert SERVICES["s3"]["image"] == "chrislusf/seaweedfs:4.48"
    for name in ("secrets", "auth", "users", "files", "gateway", TOOL):
        assert "build" in SERVICES[name], name


def test_no_secret_is_in_the_file_or_the_environment():
    text = (ROOT / "compose.prod.yaml").read_text()
    assert "PRIVATE KEY-----" not in text
    for name, service in SERVICES.items():
        for variable in service.get("environment", {}):
            assert not re.search(r"JWT_PRIVATE_KEY|OBJECT_KEY_SECRET|SMTP_PASSWORD$|SECRET_ACCESS_KEY", variable), (
                name,
                variable,
            )
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_seaweedfs_memory_is_bounded_as_make_run_bounds_it():
    """The leveldb filer store with Go's soft limit (docs/performance.md: about 300 MiB at 100,000
    objects, against 860 with the default leveldb2), as scripts/seaweed.py chooses for make run."""
    s3 = SERVICES["s3"]
    assert s3["environment"]["GOMEMLIMIT"] == "256MiB"
    assert "./docker/seaweedfs/filer.toml:/etc/seaweedfs/filer.toml:ro" in s3["volumes"]
    filer = (ROOT / "docker" / "seaweedfs" / "filer.toml").read_text()
    assert '[leveldb]\nenabled = true\ndir = "/data/objects/filerldb"' in filer


def test_data_lives_on_the_two_volumes_the_backups_take():
    for name in ("auth", "users", "files", TOOL):
        assert "metadata:/data/metadata" in SERVICES[name]["volumes"]
        assert "secrets:/run/secrets/scloud:ro" in SERVICES[name]["volumes"]
    assert "objects:/data/objects" in SERVICES["s3"]["volumes"]
    assert "-dir=/data/objects" in SERVICES["s3"]["command"]
    assert {"metadata", "objects", "secrets"} <= set(COMPOSE["volumes"])


@pytest.mark.parametrize("name", ["auth", "users", "files"])
def test_each_service_runs_in_production_on_its_sqlite_database(name):
    env = environment(name, OPERATOR_ENV)
    prefix = name.upper()
    assert env[f"{prefix}_ENVIRONMENT"] == "production"
    assert env[f"{prefix}_STORE"] == "sqlite"
    assert env[f"{prefix}_SQLITE_PATH"] == f"/data/metadata/{name}.sqlite3"


@pytest.mark.parametrize(
    ("name", "operator_env"),
    [
        ("auth", OPERATOR_ENV),
        ("users", OPERATOR_ENV),
        ("users", {"SCLOUD_DOMAIN": "cloud.example.org"}),  # no first admin: empty variables
        ("files", OPERATOR_ENV),
        ("files", {**OPERATOR_ENV, "SCLOUD_MAIL_TRANSPORT": "smtp", "SCLOUD_SMTP_HOST": "smtp.example.org"}),
        *((name, {**OPERATOR_ENV, **ON_AWS}) for name in ("auth", "users", "files")),
    ],
)
def test_the_services_accept_their_settings_with_the_secrets_the_first_start_makes(
    name, operator_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """What each container gets, read the way the service reads it: production refuses a
    missing or placeholder secret, so this fails if the secrets job and the settings disagree."""
    secrets = tmp_path / "secrets"
    prepare(secrets, owner=None)
    env = environment(name, operator_env)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value.replace("/run/secrets/scloud", str(secrets)))
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(secrets))
    monkeypatch.setenv(f"{name.upper()}_HTTP_PORT", "1")
    monkeypatch.setenv(f"{name.upper()}_GRPC_PORT", "1")
    # The mail folder is the volume's; here any writable folder will do.
    monkeypatch.setenv(f"{name.upper()}_MAIL_DIRECTORY", str(tmp_path / "outbox"))

    settings = SETTINGS[name]()

    assert settings.environment == "production"
    if name == "auth":
        assert settings.jwt_private_key is not None
        assert settings.jwt_private_key.get_secret_value() == (secrets / "auth_jwt_private_key").read_text().strip()
        assert settings.cookie_secure is True
    if name == "users":
        first_admin = settings.first_admin()  # type: ignore[attr-defined]
        assert (first_admin and first_admin.email) == operator_env.get("SCLOUD_FIRST_ADMIN_EMAIL")
    on_aws = operator_env.get("SCLOUD_STORE") == "dynamodb"
    assert settings.aws_region == ("eu-west-1" if on_aws else "us-east-1")
    assert (settings.store, settings.aws_endpoint_url) == (  # type: ignore[attr-defined]
        ("dynamodb", None) if on_aws else ("sqlite", "http://s3:8333")
    )
    if name == "files":
        assert settings.object_key_secret is not None
        assert settings.s3_public_endpoint_url == (None if on_aws else "https://cloud.example.org")


def test_links_are_signed_for_the_public_origin_where_caddy_hands_the_bucket_to_seaweedfs():
    files = environment("files", OPERATOR_ENV)
    assert files["FILES_S3_PUBLIC_ENDPOINT_URL"] == files["FILES_PUBLIC_URL"] == "https://cloud.example.org"
    assert files["FILES_AWS_ENDPOINT_URL"] == "http://s3:8333"
    assert environment("gateway", OPERATOR_ENV)["SCLOUD_STORAGE_ORIGIN"] == "https://cloud.example.org"
    caddy = environment("caddy", OPERATOR_ENV)
    assert caddy["SCLOUD_BUCKET"] == files["FILES_S3_BUCKET"]
    bucket_route = re.search(r"@objects path /\{\$SCLOUD_BUCKET\}/\*\s+handle @objects \{(.*?)\}", CADDYFILE, re.S)
    assert bucket_route and "reverse_proxy s3:8333" in bucket_route.group(1)
    # No rewrite of the path or the Host header: the signature covers both.
    assert "uri " not in CADDYFILE and "header_up Host" not in CADDYFILE


def test_each_hop_believes_forwarded_headers_only_from_the_one_before():
    caddy = SERVICES["caddy"]["networks"]["default"]["ipv4_address"]
    gateway = SERVICES["gateway"]["networks"]["default"]["ipv4_address"]
    assert SERVICES["gateway"]["environment"]["SCLOUD_TRUSTED_PROXY_CIDR"] == f"{caddy}/32"
    for name in ("auth", "users", "files"):
        assert environment(name, OPERATOR_ENV)[f"{name.upper()}_FORWARDED_ALLOW_IPS"] == gateway


def test_no_container_can_be_given_a_fixed_address_or_the_subnets_broadcast_address():
    """The fixed addresses stay out of the dynamic range, and so does .255 (podman 4.3 hands it
    out: tests/deploy/test_compose.py)."""
    assert all(SERVICES[name]["networks"]["default"]["ipv4_address"] for name in ("caddy", "gateway"))
    assert not fixed_addresses_a_container_could_take_first(COMPOSE)
    assert not ranges_reaching_network_or_broadcast(COMPOSE)


def test_registration_is_invite_only_unless_the_operator_says_otherwise():
    users = environment("users", OPERATOR_ENV)
    assert users["USERS_REGISTRATION"] == "invite"
    assert users["USERS_FIRST_ADMIN_EMAIL"] == "owner@example.org"
    assert users["USERS_FIRST_ADMIN_PASSWORD_FILE"] == "/run/secrets/scloud/first_admin_password"
    without_admin = environment("users", {"SCLOUD_DOMAIN": "cloud.example.org"})
    assert without_admin["USERS_FIRST_ADMIN_PASSWORD_FILE"] == ""


def test_smtp_reads_its_password_from_the_secrets_volume_only_when_a_user_is_set():
    for name in ("auth", "users", "files"):
        prefix = name.upper()
        assert environment(name, OPERATOR_ENV)[f"{prefix}_MAIL_TRANSPORT"] == "directory"
        smtp = environment(name, {**OPERATOR_ENV, "SCLOUD_MAIL_TRANSPORT": "smtp", "SCLOUD_SMTP_USER": "me"})
        assert smtp[f"{prefix}_MAIL_SMTP_PASSWORD_FILE"] == "/run/secrets/scloud/smtp_password"


def test_a_missing_domain_is_a_clear_error():
    with pytest.raises(ValueError, match="set SCLOUD_DOMAIN"):
        environment("auth", {})
