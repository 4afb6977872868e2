"""scripts/export_openapi.py's merge of the services' documents into one of the public API."""

import pytest

from scripts.export_openapi import merged_document


def document(paths: dict, schemas: dict) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def answering(name: str) -> dict:
    return {"get": {"responses": {"200": {"content": {"application/json": {"schema": ref(name)}}}}}}


def test_paths_of_every_service_are_kept_and_only_the_public_ones():
    merged = merged_document(
        {
            "auth": document({"/api/v1/auth/login": answering("Session"), "/internal": {}}, {"Session": {}}),
            "users": document({"/api/v1/users/me": answering("Profile")}, {"Profile": {}}),
        }
    )
    assert set(merged["paths"]) == {"/api/v1/auth/login", "/api/v1/users/me"}
    assert set(merged["components"]["schemas"]) == {"Session", "Profile"}


def test_a_component_two_services_define_alike_is_kept_once():
    shared = {"type": "object", "properties": {"id": {"type": "string"}}}
    merged = merged_document(
        {
            "auth": document({"/api/v1/auth/me": answering("UserRead")}, {"UserRead": shared}),
            "files": document({"/api/v1/files/owner": answering("UserRead")}, {"UserRead": dict(shared)}),
        }
    )
    assert merged["components"]["schemas"] == {"UserRead": shared}


def test_a_clashing_component_is_renamed_with_its_service_and_its_references_follow():
    merged = merged_document(
        {
            "auth": document({"/api/v1/auth/page": answering("Page")}, {"Page": {"title": "auth's"}}),
            "files": document({"/api/v1/files": answering("Page")}, {"Page": {"title": "files'"}}),
        }
    )
    schemas = merged["components"]["schemas"]
    assert schemas == {"Page": {"title": "auth's"}, "FilesPage": {"title": "files'"}}
    files_schema = merged["paths"]["/api/v1/files"]["get"]["responses"]["200"]["content"]["application/json"]
    auth_schema = merged["paths"]["/api/v1/auth/page"]["get"]["responses"]["200"]["content"]["application/json"]
    assert (files_schema["schema"], auth_schema["schema"]) == (ref("FilesPage"), ref("Page"))


def test_a_path_two_services_serve_is_refused():
    with pytest.raises(ValueError, match="/api/v1/files"):
        merged_document({"auth": document({"/api/v1/files": {}}, {}), "files": document({"/api/v1/files": {}}, {})})
