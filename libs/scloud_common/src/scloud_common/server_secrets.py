"""The secrets of a self-hosted installation (compose.prod.yaml), made on its first start into one
volume, never written in a compose or env file:

    python -m scloud_common.server_secrets --folder /run/secrets/scloud --owner 10001 prepare \\
        --private-folder /data/metadata --private-folder /data/objects
    python -m scloud_common.server_secrets --owner 10001 store smtp_password < password-file

`prepare` runs on every start and only adds what is missing, so a restart keeps every key (tokens
stay valid, object keys stay sealed the same way) and a new release that needs a new secret gets it:

- `auth_jwt_private_key`: the Ed25519 key that signs access tokens, and `files_object_key_secret`,
  which seals owner ids in object keys. Their names are the services' settings (AUTH_, FILES_)
  because the services read this folder as pydantic-settings' secrets directory
  (SCLOUD_SECRETS_DIR, scloud_common.settings).
- `grpc/`: the internal CA and each service's mutual-TLS certificate, issued again when the first
  of them is within RENEW_BEFORE_DAYS of expiring (the services load them when they start; the
  compose `up` that runs this job restarts them).
- `s3-credentials` (boto3's shared-credentials format, AWS_SHARED_CREDENTIALS_FILE) and
  `s3-identities.json` (SeaweedFS's `-s3.config`): one random S3 identity that the services sign
  with and SeaweedFS accepts.
- `first_admin_password`: the password of the first account (USERS_FIRST_ADMIN_*), read once by the
  operator (`docker compose ... run --rm secrets show first_admin_password`).

Every file is 0600 and every folder 0700, owned by `--owner` (the uid the services and SeaweedFS
run as). `--private-folder` makes the data volumes' mount points that owner's too, 0700: a fresh
named volume belongs to root.

`store NAME` writes a secret the operator brings from standard input: the SMTP password, or AWS
keys in boto3's shared-credentials format when the data lives on AWS (SCLOUD_AWS_CREDENTIALS).
`export ARCHIVE` and `import ARCHIVE` copy the whole folder to and from a tar file (0600), which
scripts/self-host/backup and restore keep beside the data's backup: restored data needs the keys
it was made with (files_object_key_secret seals the object keys the records name).
"""

import argparse
import datetime
import json
import os
import secrets
import sys
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scloud_common.internal_tls import issue_certificates, write_certificates
from scloud_common.settings import SECRETS_DIR_VARIABLE

GRPC_FOLDER = "grpc"
JWT_PRIVATE_KEY = "auth_jwt_private_key"
OBJECT_KEY_SECRET = "files_object_key_secret"
S3_CREDENTIALS = "s3-credentials"
S3_IDENTITIES = "s3-identities.json"
FIRST_ADMIN_PASSWORD = "first_admin_password"
# Names `store` accepts: secrets only the operator can bring. A typo must not become a file no
# setting reads.
STORABLE = ("smtp_password", "aws_credentials")
CERTIFICATE_VALID_DAYS = 825
RENEW_BEFORE_DAYS = 90
S3_ACTIONS = ["Admin", "Read", "Write", "List", "Tagging"]


def write_private(path: Path, content: bytes, owner: int | None) -> None:
    """Writes `content` to `path` as a 0600 file of `owner`, replacing it atomically."""
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    os.chmod(partial, 0o600)
    if owner is not None:
        os.chown(partial, owner, owner)
    os.replace(partial, path)


def make_private_folder(path: Path, owner: int | None) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    if owner is not None:
        os.chown(path, owner, owner)


def _certificates_need_issuing(folder: Path, now: datetime.datetime) -> bool:
    if not (folder / "ca.pem").exists():
        return True
    renew_after = now + datetime.timedelta(days=RENEW_BEFORE_DAYS)
    for pem in sorted(folder.glob("*.pem")):
        if pem.name.endswith("-key.pem"):
            continue
        if x509.load_pem_x509_certificate(pem.read_bytes()).not_valid_after_utc < renew_after:
            return True
    return False


def _issue_certificates(folder: Path, owner: int | None) -> None:
    make_private_folder(folder, owner)
    write_certificates(issue_certificates(valid_days=CERTIFICATE_VALID_DAYS), folder)
    for path in folder.iterdir():
        path.chmod(0o600)
        if owner is not None:
            os.chown(path, owner, owner)


def new_s3_identity() -> tuple[str, str]:
    """A random access key and secret key for the one S3 identity SCloud signs with."""
    return "SCLOUD" + secrets.token_hex(7).upper(), secrets.token_urlsafe(30)


def seaweedfs_identities(access_key: str, secret_key: str) -> dict[str, Any]:
    """SeaweedFS's `-s3.config` holding that one identity, allowed everything SCloud does."""
    return {
        "identities": [
            {
                "name": "scloud",
                "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": S3_ACTIONS,
            }
        ]
    }


def _s3_identity_files(access_key: str, secret_key: str) -> tuple[bytes, bytes]:
    credentials = f"[default]\naws_access_key_id = {access_key}\naws_secret_access_key = {secret_key}\n"
    return credentials.encode(), json.dumps(seaweedfs_identities(access_key, secret_key), indent=2).encode()


def prepare(
    folder: Path, *, owner: int | None, private_folders: Sequence[Path] = (), now: datetime.datetime | None = None
) -> list[str]:
    """Makes every missing secret (and renews the certificates near expiry); returns what it made."""
    now = now or datetime.datetime.now(datetime.UTC)
    made: list[str] = []
    make_private_folder(folder, owner)
    for private in private_folders:
        make_private_folder(private, owner)
    if not (folder / JWT_PRIVATE_KEY).exists():
        key = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        write_private(folder / JWT_PRIVATE_KEY, key, owner)
        made.append(JWT_PRIVATE_KEY)
    if not (folder / OBJECT_KEY_SECRET).exists():
        write_private(folder / OBJECT_KEY_SECRET, secrets.token_urlsafe(48).encode(), owner)
        made.append(OBJECT_KEY_SECRET)
    if not (folder / S3_CREDENTIALS).exists() or not (folder / S3_IDENTITIES).exists():
        # Both from one identity: written together, so one is never paired with another's key.
        credentials, identities = _s3_identity_files(*new_s3_identity())
        write_private(folder / S3_IDENTITIES, identities, owner)
        write_private(folder / S3_CREDENTIALS, credentials, owner)
        made.append("s3 identity")
    if not (folder / FIRST_ADMIN_PASSWORD).exists():
        write_private(folder / FIRST_ADMIN_PASSWORD, secrets.token_urlsafe(18).encode(), owner)
        made.append(FIRST_ADMIN_PASSWORD)
    if _certificates_need_issuing(folder / GRPC_FOLDER, now):
        _issue_certificates(folder / GRPC_FOLDER, owner)
        made.append("grpc certificates")
    return made


def store(folder: Path, name: str, value: str, *, owner: int | None) -> None:
    if name not in STORABLE:
        raise ValueError(f"{name!r} is not a secret the operator stores; one of: {', '.join(STORABLE)}")
    if not value.strip():
        raise ValueError(f"{name} is empty: nothing was written")
    make_private_folder(folder, owner)
    write_private(folder / name, value.strip().encode(), owner)


def export_folder(folder: Path, archive: Path) -> int:
    """Every file of the folder into a new 0600 tar; returns how many."""
    partial = archive.with_name(f".{archive.name}.partial")
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    count = 0
    with tarfile.open(partial, "w") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.endswith(".partial"):
                tar.add(path, arcname=str(path.relative_to(folder)), recursive=False)
                count += 1
    os.replace(partial, archive)
    return count


def import_folder(archive: Path, folder: Path, *, owner: int | None) -> int:
    """The archive's files into the folder, each 0600 and the owner's, replacing files of the same
    name; returns how many. Only plain files with relative paths inside the folder are taken."""
    make_private_folder(folder, owner)
    count = 0
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.isdir():
                continue
            target = (folder / member.name).resolve()
            if not member.isfile() or not target.is_relative_to(folder.resolve()):
                raise ValueError(f"{member.name!r} is not a plain file inside the secrets folder")
            extracted = tar.extractfile(member)
            assert extracted is not None
            for parent in reversed(target.relative_to(folder.resolve()).parents[:-1]):
                make_private_folder(folder / parent, owner)
            write_private(target, extracted.read(), owner)
            count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scloud_common.server_secrets", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--folder",
        type=Path,
        default=os.environ.get(SECRETS_DIR_VARIABLE),
        help=f"the secrets volume's mount point (default: ${SECRETS_DIR_VARIABLE})",
    )
    parser.add_argument("--owner", type=int, help="uid (and gid) that owns every file and folder written")
    commands = parser.add_subparsers(dest="command", required=True)
    prepare_command = commands.add_parser("prepare", help="make every missing secret; keep the others")
    prepare_command.add_argument(
        "--private-folder", type=Path, action="append", default=[], help="a data folder to make 0700, the owner's"
    )
    store_command = commands.add_parser("store", help="write a secret read from standard input")
    store_command.add_argument("name", choices=STORABLE)
    show_command = commands.add_parser("show", help="print a secret meant for the operator")
    show_command.add_argument("name", choices=(FIRST_ADMIN_PASSWORD,))
    export_command = commands.add_parser("export", help="copy every secret into a new tar file (0600)")
    export_command.add_argument("archive", type=Path)
    import_command = commands.add_parser("import", help="copy the secrets of a tar file made by export back")
    import_command.add_argument("archive", type=Path)
    args = parser.parse_args(argv)
    if args.folder is None:
        parser.error(f"give --folder or set {SECRETS_DIR_VARIABLE}")
    if args.command == "prepare":
        made = prepare(args.folder, owner=args.owner, private_folders=args.private_folder)
        print(f"secrets made: {', '.join(made)}" if made else "secrets: all present, nothing made", flush=True)
        if FIRST_ADMIN_PASSWORD in made:
            print(
                "the first account's password was generated: read it with "
                "`docker compose -f compose.prod.yaml run --rm secrets show first_admin_password`",
                flush=True,
            )
        return 0
    if args.command == "store":
        try:
            store(args.folder, args.name, sys.stdin.read(), owner=args.owner)
        except ValueError as error:
            print(f"refused: {error}", file=sys.stderr)
            return 2
        print(f"{args.name} stored", flush=True)
        return 0
    if args.command == "export":
        print(f"{export_folder(args.folder, args.archive)} secrets exported to {args.archive}", flush=True)
        return 0
    if args.command == "import":
        try:
            count = import_folder(args.archive, args.folder, owner=args.owner)
        except (ValueError, tarfile.TarError, OSError) as error:
            print(f"refused: {error}", file=sys.stderr)
            return 2
        print(f"{count} secrets imported from {args.archive}", flush=True)
        return 0
    print((args.folder / args.name).read_text().strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
