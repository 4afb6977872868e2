"""Schemathesis against each service's committed OpenAPI document (tests/contract keeps them equal
to what the services serve), signed in: no request may get a 5xx, and every response must be
documented (status code, content type, JSON body, headers)."""

import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

pytestmark = pytest.mark.integration

OPENAPI_DIR = Path(__file__).resolve().parents[2] / "frontend" / "openapi"

# Bounded so the three services take about a minute and a half together on two cores; a fixed
# seed and derandomised generation so CI sends the same requests as a laptop. A deeper hand run
# raises SCLOUD_FUZZ_MAX_EXAMPLES.
MAX_EXAMPLES = int(os.environ.get("SCLOUD_FUZZ_MAX_EXAMPLES", "25"))
SEED = 20261125

# Signing out, changing the password and deleting the account end the caller's session, so they
# are fuzzed with their own users.
SESSION_ENDING = {
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/logout-all"),
    ("POST", "/api/v1/auth/password"),
    ("DELETE", "/api/v1/auth/sessions/{id}"),
    ("DELETE", "/api/v1/users/me"),
}


def load_schema(service: str):
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # Unknown query parameters are ignored, as the web does; bodies refuse unknown fields.
                "allow-extra-parameters": False,
            },
            "phases": {"stateful": {"enabled": False}},
            # Rules the JSON schemas cannot state (password strength, username length, opaque page
            # cursors) are enforced by the services with a documented 422, which this check would
            # call a rejection of valid data.
            "checks": {"positive_data_acceptance": {"enabled": False}},
        }
    )
    return schemathesis.openapi.from_path(OPENAPI_DIR / f"{service}.json", config=config)


def is_session_ending(ctx) -> bool:
    return (ctx.operation.method.upper(), ctx.operation.path) in SESSION_ENDING


def signed_in(case, token: str) -> dict:
    """The caller's token, unless the case's headers were made invalid on purpose (its required
    Authorization left out, say): the token added would make the request valid again."""
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        return {}
    return {"Authorization": f"Bearer {token}"}


auth = load_schema("auth")
users = load_schema("users")
files = load_schema("files")


@auth.exclude(is_session_ending).parametrize()
def test_auth_api(case, system, access_token):
    case.call_and_validate(base_url=system.auth_url, headers=signed_in(case, access_token))


@users.exclude(is_session_ending).parametrize()
def test_users_api(case, system, access_token):
    case.call_and_validate(base_url=system.users_url, headers=signed_in(case, access_token))


@files.parametrize()
def test_files_api(case, system, access_token):
    case.call_and_validate(base_url=system.files_url, headers=signed_in(case, access_token))


def is_public_link_route(ctx) -> bool:
    return ctx.operation.path.startswith("/api/v1/files/public/links/{link_id}")


@files.include(is_public_link_route).parametrize()
@pytest.mark.parametrize("link", ["file", "folder", "folder unlocked"])
def test_public_link_routes_with_live_links(case, link, system, shared_links):
    """The visitor's routes on real links, besides the unknown ids of test_files_api: a file's
    link and a password-protected folder's, locked (generated item ids and tokens) and unlocked,
    where the items asked for are the folder itself and the file in it, so the answers that
    succeed are fuzzed too (sort orders, page sizes, cursors, archive bodies)."""
    headers: dict[str, str] = {}
    if case.meta is not None and case.meta.generation.mode is not GenerationMode.POSITIVE:
        # A request made invalid on purpose stays as generated: a live id put in place of the
        # invalid part would make it valid.
        case.call_and_validate(base_url=system.files_url)
        return
    case.path_parameters["link_id"] = shared_links.file if link == "file" else shared_links.folder
    if link == "folder unlocked":
        headers = {"X-Share-Unlock": shared_links.unlock_token}
        reached = {"folder_id": "root", "item_id": shared_links.folder_file, "file_id": shared_links.folder_file}
        for name, value in reached.items():
            if name in case.path_parameters:
                case.path_parameters[name] = value
    case.call_and_validate(base_url=system.files_url, headers=headers)


# A fresh user per operation is the point, so a function-scoped fixture is wanted here.
own_user = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@auth.include(is_session_ending).parametrize()
@own_user
def test_auth_calls_that_end_the_session(case, system, own_access_token):
    case.call_and_validate(base_url=system.auth_url, headers=signed_in(case, own_access_token))


@users.include(is_session_ending).parametrize()
@own_user
def test_account_deletion(case, system, own_access_token):
    case.call_and_validate(base_url=system.users_url, headers=signed_in(case, own_access_token))
