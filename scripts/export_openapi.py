"""Writes each service's OpenAPI document to frontend/openapi/<service>.json, from which the
typed frontend client is generated, and the three merged into one document of the public API,
frontend/public/api-docs/openapi.json, which the gateway serves at /api/v1/openapi.json beside
the interactive docs at /api/docs (`make openapi`). tests/contract checks they are current."""

import copy
import json
import sys
from pathlib import Path

from scloud_auth.config import AuthSettings
from scloud_auth.http.app import create_app as create_auth_app
from scloud_files.config import FilesSettings
from scloud_files.http.app import create_app as create_files_app
from scloud_users.config import UsersSettings
from scloud_users.http.app import create_app as create_users_app

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "frontend" / "openapi"
MERGED_PATH = ROOT / "frontend" / "public" / "api-docs" / "openapi.json"
PUBLIC_PREFIX = "/api/v1/"

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


def merged_document(documents: dict[str, dict]) -> dict:
    """One OpenAPI document of the services' public routes (those under /api/v1; the deprecated
    aliases and health probes are not in the services' documents either). A component two
    services define differently is renamed `<Service><Name>` in the later one, its references
    with it; one they define alike is kept once."""
    merged: dict = {
        "openapi": next(iter(documents.values()))["openapi"],
        "info": {
            "title": "SCloud API",
            "version": "1.0.0",
            "description": "The public API of SCloud, version 1: every route is under /api/v1. "
            "The unversioned /api/... paths of before still answer for one release; their answers "
            'carry `Deprecation` and `Link: </api/v1/...>; rel="successor-version"`.',
        },
        "paths": {},
        "components": {},
        "tags": [],
    }
    for service, original in documents.items():
        document = _with_unique_components(service, original, merged["components"])
        for kind, components in document.get("components", {}).items():
            merged["components"].setdefault(kind, {}).update(components)
        for path, operations in document["paths"].items():
            if not path.startswith(PUBLIC_PREFIX):
                continue
            if path in merged["paths"]:
                raise ValueError(f"{path} is served by two services")
            merged["paths"][path] = operations
        known = {tag["name"] for tag in merged["tags"]}
        merged["tags"] += [tag for tag in document.get("tags", []) if tag["name"] not in known]
    if not merged["tags"]:
        del merged["tags"]
    return merged


def _with_unique_components(service: str, document: dict, taken: dict[str, dict]) -> dict:
    renames: dict[str, str] = {}
    for kind, components in document.get("components", {}).items():
        for name, component in components.items():
            if name in taken.get(kind, {}) and taken[kind][name] != component:
                renames[f"#/components/{kind}/{name}"] = f"#/components/{kind}/{service.title()}{name}"
    if not renames:
        return document
    text = json.dumps(document)
    for old, new in renames.items():
        text = text.replace(json.dumps(old), json.dumps(new))
    renamed: dict = json.loads(text)
    for kind, components in copy.deepcopy(renamed.get("components", {})).items():
        for name in components:
            new_ref = renames.get(f"#/components/{kind}/{name}")
            if new_ref is not None:
                renamed["components"][kind][new_ref.rsplit("/", 1)[1]] = renamed["components"][kind].pop(name)
    return renamed


def render(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    documents = openapi_documents()
    for name, document in documents.items():
        (OUT_DIR / f"{name}.json").write_text(render(document))
    MERGED_PATH.parent.mkdir(parents=True, exist_ok=True)
    MERGED_PATH.write_text(render(merged_document(documents)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
