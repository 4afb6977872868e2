"""Where `scloud login` keeps the token: the OS keyring where one works, else a file only its
owner may read (0600) in the configuration folder. One token per service URL."""

import json
import os
from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import fail

KEYRING_SERVICE = "scloud"


def config_dir() -> Path:
    if explicit := os.environ.get("SCLOUD_CONFIG_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "scloud"


def state_dir() -> Path:
    """Resume states of uploads in progress."""
    if explicit := os.environ.get("SCLOUD_STATE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "scloud" / "uploads"


def _keyring_usable() -> bool:
    if os.environ.get("SCLOUD_KEYRING", "1") == "0":
        return False
    backend = keyring.get_keyring()
    return not isinstance(backend, fail.Keyring) and backend.priority > 0


class CredentialStore:
    def __init__(self, directory: Path | None = None, *, use_keyring: bool | None = None) -> None:
        self.file = (directory or config_dir()) / "credentials.json"
        self.use_keyring = _keyring_usable() if use_keyring is None else use_keyring

    def _read_file(self) -> dict[str, str]:
        try:
            body = json.loads(self.file.read_text())
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in body.items()} if isinstance(body, dict) else {}

    def _write_file(self, tokens: dict[str, str]) -> None:
        self.file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.file.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            json.dump(tokens, out)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.file)

    def save(self, base_url: str, token: str) -> str:
        """Stores the token; answers where: `keyring` or the file's path."""
        if self.use_keyring:
            try:
                keyring.set_password(KEYRING_SERVICE, base_url, token)
                return "keyring"
            except keyring.errors.KeyringError:
                pass
        self._write_file({**self._read_file(), base_url: token})
        return str(self.file)

    def load(self, base_url: str) -> str | None:
        if self.use_keyring:
            try:
                if token := keyring.get_password(KEYRING_SERVICE, base_url):
                    return token
            except keyring.errors.KeyringError:
                pass
        return self._read_file().get(base_url)

    def delete(self, base_url: str) -> None:
        if self.use_keyring:
            try:
                keyring.delete_password(KEYRING_SERVICE, base_url)
            except keyring.errors.KeyringError:
                pass
        tokens = self._read_file()
        if tokens.pop(base_url, None) is not None:
            self._write_file(tokens)
