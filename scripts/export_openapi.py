"""Writes each service's OpenAPI document to frontend/openapi/<service>.json, from which the
typed frontend client is generated (`make openapi`). tests/contract checks they are current."""

import json
import sys
from pathlib import Path

from scloud_auth.config import AuthSettings
from scloud_auth.http.app import create_app as create_auth_app
from scloud_files.config import FilesSettings
from scloud_files.http.app import create_app as create_files_app
from scloud_users.config import UsersSettings
from scloud_users.http.app import create_app as create_users_app

OUT_DIR = Path(__file__).resolve().parent.parent / "frontend" / "openapi"

# Only the schema is read; nothing starts, so the addresses are never dialled.
_PLACEHOLDERS = dict(
    environment="development",
    http_port=1,
    grpc_port=0,
    grpc_tls_ca_cert="unused",
    grpc_tls_cert="unused",
    grpc_tls_key="unused",
)


def openapi_documents() -> dict[str, dict]:
    apps = {
        "auth": create_auth_app(AuthSettings(**_PLACEHOLDERS, users_grpc_addr="unused:1")),
        "users": create_users_app(
            UsersSettings(**_PLACEHOLDERS, auth_grpc_addr="unused:1", files_grpc_addr="unused:1")
        ),
        "files": create_files_app(
            FilesSettings(**_PLACEHOLDERS, auth_grpc_addr="unused:1", users_grpc_addr="unused:1", s3_bucket="unused")
        ),
    }
    return {name: app.openapi() for name, app in apps.items()}


def render(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, document in openapi_documents().items():
        (OUT_DIR / f"{name}.json").write_text(render(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
