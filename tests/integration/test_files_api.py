"""Files through the real services: what only the whole system can show. Every files route's
scenarios live once, in services/files/tests/integration/test_http_api.py, against a stand-in
for auth's key service; here the tokens come from the real auth service."""

import time

import httpx
import pytest

pytestmark = pytest.mark.integration


def test_files_accept_tokens_issued_by_auth_and_the_profile_counts_them(new_browser, email):
    alice = new_browser()
    assert alice.register(email).status_code == 201
    uploaded = alice.upload("notes.txt", b"x" * 1000)
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]
    assert alice.upload("more.txt", b"y" * 24).status_code == 201
    link = alice.request("GET", f"/api/files/{file_id}/download").json()
    assert httpx.get(link["url"]).content == b"x" * 1000
    profile = alice.request("GET", "/api/users/me").json()
    assert (profile["storageUsed"], profile["fileCount"]) == (1024, 2)
    # Deleting moves to the trash, where a file still counts until it is purged.
    assert alice.request("DELETE", f"/api/files/{file_id}").status_code == 204
    profile = alice.request("GET", "/api/users/me").json()
    assert (profile["storageUsed"], profile["fileCount"]) == (1024, 2)
    assert alice.request("POST", "/api/trash/delete", json={"ids": [file_id]}).status_code == 200
    deadline = time.monotonic() + 60
    while (profile["storageUsed"], profile["fileCount"]) != (24, 1) and time.monotonic() < deadline:
        time.sleep(0.2)
        profile = alice.request("GET", "/api/users/me").json()
    assert (profile["storageUsed"], profile["fileCount"]) == (24, 1)


def test_files_routes_refuse_a_session_that_never_signed_in(new_browser):
    assert new_browser().request("GET", "/api/files").status_code == 401
