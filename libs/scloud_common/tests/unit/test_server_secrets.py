"""The self-hosted installation's secrets: made once into a private folder, kept on every later
start, read by the services through their settings' secrets directory."""

import configparser
import datetime
import json
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scloud_common import server_secrets
from scloud_common.server_secrets import export_folder, import_folder, main, prepare, store
from scloud_common.settings import SECRETS_DIR_VARIABLE, AwsSettings, MailSettings


def modes(folder: Path) -> dict[str, int]:
    return {str(path.relative_to(folder)): stat.S_IMODE(path.stat().st_mode) for path in folder.rglob("*")}


def test_the_first_start_makes_every_secret_private(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    data = tmp_path / "volumes" / "metadata"

    made = prepare(folder, owner=None, private_folders=[data])

    assert made == [
        "auth_jwt_private_key",
        "files_object_key_secret",
        "s3 identity",
        "first_admin_password",
        "grpc certificates",
    ]
    assert all(mode == (0o700 if (folder / name).is_dir() else 0o600) for name, mode in modes(folder).items())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(data.stat().st_mode) == 0o700
    key = serialization.load_pem_private_key((folder / "auth_jwt_private_key").read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    assert len((folder / "files_object_key_secret").read_text()) >= 32
    credentials = configparser.ConfigParser()
    credentials.read(folder / "s3-credentials")
    [identity] = json.loads((folder / "s3-identities.json").read_text())["identities"]
    assert identity["credentials"] == [
        {
            "accessKey": credentials["default"]["aws_access_key_id"],
            "secretKey": credentials["default"]["aws_secret_access_key"],
        }
    ]
    assert {path.name for path in (folder / "grpc").iterdir()} == {
        "ca.pem",
        *(f"{name}{suffix}" for name in ("auth", "users", "files") for suffix in (".pem", "-key.pem")),
    }


def test_a_later_start_keeps_every_secret(tmp_path: Path) -> None:
    prepare(tmp_path, owner=None)
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}

    assert prepare(tmp_path, owner=None) == []

    assert {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()} == before


def test_a_missing_secret_is_made_alone(tmp_path: Path) -> None:
    prepare(tmp_path, owner=None)
    (tmp_path / "s3-identities.json").unlink()
    old_credentials = (tmp_path / "s3-credentials").read_text()

    assert prepare(tmp_path, owner=None) == ["s3 identity"]
    # Both files again from one identity: a new identity beside the old credentials would lock
    # the services out of SeaweedFS.
    assert (tmp_path / "s3-credentials").read_text() != old_credentials


def test_certificates_near_their_expiry_are_issued_again(tmp_path: Path) -> None:
    prepare(tmp_path, owner=None)
    first = (tmp_path / "grpc" / "auth.pem").read_bytes()
    issued = x509.load_pem_x509_certificate(first).not_valid_after_utc
    later = issued - datetime.timedelta(days=server_secrets.RENEW_BEFORE_DAYS - 1)

    assert prepare(tmp_path, owner=None, now=later) == ["grpc certificates"]
    assert (tmp_path / "grpc" / "auth.pem").read_bytes() != first
    assert prepare(tmp_path, owner=None) == []


def test_the_operator_stores_the_smtp_password(tmp_path: Path) -> None:
    store(tmp_path, "smtp_password", "  s3cret-pass\n", owner=None)

    assert (tmp_path / "smtp_password").read_text() == "s3cret-pass"
    assert stat.S_IMODE((tmp_path / "smtp_password").stat().st_mode) == 0o600
    with pytest.raises(ValueError, match="empty"):
        store(tmp_path, "smtp_password", "\n", owner=None)
    store(tmp_path, "aws_credentials", "[default]\naws_access_key_id = A\naws_secret_access_key = B\n", owner=None)
    assert configparser.ConfigParser().read(tmp_path / "aws_credentials")
    with pytest.raises(ValueError, match="not a secret the operator stores"):
        store(tmp_path, "auth_jwt_private_key", "x", owner=None)


def test_export_and_import_carry_every_secret(tmp_path: Path) -> None:
    prepare(tmp_path / "before", owner=None)
    archive = tmp_path / "secrets.tar"

    assert export_folder(tmp_path / "before", archive) == 12
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert import_folder(archive, tmp_path / "after", owner=None) == 12

    before = {path.relative_to(tmp_path / "before"): path.read_bytes() for path in (tmp_path / "before").rglob("*.*")}
    after = {path.relative_to(tmp_path / "after"): path.read_bytes() for path in (tmp_path / "after").rglob("*.*")}
    assert after == before
    assert all(mode in (0o600, 0o700) for mode in modes(tmp_path / "after").values())


def test_the_command_line_shows_the_first_admin_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--folder", str(tmp_path), "prepare"]) == 0
    assert "show first_admin_password" in capsys.readouterr().out

    assert main(["--folder", str(tmp_path), "show", "first_admin_password"]) == 0
    assert capsys.readouterr().out.strip() == (tmp_path / "first_admin_password").read_text()


class _SecretSettings(AwsSettings, MailSettings):
    model_config = AwsSettings.model_config | {"env_prefix": "SVC_"}


def test_settings_read_a_secret_file_named_like_their_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "svc_mail_smtp_host").write_text("smtp.example.com\n")
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(tmp_path))

    assert _SecretSettings().mail_smtp_host == "smtp.example.com"
    # The environment wins over a file: an explicit value is meant.
    monkeypatch.setenv("SVC_MAIL_SMTP_HOST", "relay.example.com")
    assert _SecretSettings().mail_smtp_host == "relay.example.com"


def test_a_secrets_directory_that_is_not_a_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(tmp_path / "missing"))

    with pytest.raises(ValueError, match="not a folder"):
        _SecretSettings()


def test_an_empty_smtp_user_and_password_file_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVC_MAIL_SMTP_USER", "")
    monkeypatch.setenv("SVC_MAIL_SMTP_PASSWORD_FILE", "")

    settings = _SecretSettings()

    assert (settings.mail_smtp_user, settings.mail_smtp_password_file) == (None, None)
