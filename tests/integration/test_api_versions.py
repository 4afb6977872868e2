"""The public API under /api/v1 and its deprecated aliases, the unversioned /api paths of before:
both answer the same, and only the aliases say they are deprecated and name their successor."""

import httpx
import pytest

from scloud_common.web import DEPRECATION_HEADER

pytestmark = pytest.mark.integration

UNKNOWN_ID = "01HZY3Q6V8K2M4N6P8R0S2T4V6"


@pytest.fixture
def owner(new_browser, email):
    """A signed-in user with one file, whose id is `owner.file_id`."""
    browser = new_browser()
    browser.register(email, username="Ada")
    browser.file_id = browser.upload("notes.txt", b"versioned").json()["id"]
    return browser


# Reads of each service, successes and errors, signed in or public (a share link's visitor route).
SAMPLE_READS = [
    "/users/me",
    "/auth/sessions",
    "/files/limits",
    "/files/{file_id}",
    "/folders/root/children",
    "/search?q=notes",
    "/trash",
    "/shared-with-me",
    "/files/links",
    f"/files/{UNKNOWN_ID}",
    "/files/public/links/AAAAAAAAAAAAAAAAAAAAAA",
]


@pytest.mark.parametrize("path", SAMPLE_READS)
def test_v1_and_alias_paths_answer_the_same(owner, path):
    path = path.format(file_id=owner.file_id)
    v1 = owner.request("GET", "/api/v1" + path)
    alias = owner.request("GET", "/api" + path)
    assert v1.status_code == alias.status_code
    assert v1.headers["content-type"] == alias.headers["content-type"]
    if path == "/auth/sessions":
        # Each request touches the session it is made with: compare what does not move.
        assert [session["id"] for session in v1.json()["sessions"]] == [
            session["id"] for session in alias.json()["sessions"]
        ]
    else:
        assert v1.json() == alias.json()


def test_v1_and_alias_writes_and_refusals_answer_alike(owner):
    v1 = owner.request("POST", "/api/v1/folders", json={"name": "Made on v1", "parentId": "root"})
    alias = owner.request("POST", "/api/folders", json={"name": "Made on the alias", "parentId": "root"})
    assert (v1.status_code, alias.status_code) == (201, 201)
    assert v1.json().keys() == alias.json().keys()
    listed = owner.request("GET", "/api/v1/folders/root/children").json()
    assert {"Made on v1", "Made on the alias"} <= {item["name"] for item in listed["items"]}
    refusals = [owner.request("POST", prefix + "/folders", json={"name": ""}) for prefix in ("/api/v1", "/api")]
    assert refusals[0].status_code == refusals[1].status_code == 422
    assert refusals[0].json() == refusals[1].json()


@pytest.mark.parametrize("path", ["/users/me", "/files/{file_id}/download", f"/files/{UNKNOWN_ID}"])
def test_alias_answers_say_they_are_deprecated_and_name_their_v1_successor(owner, path):
    path = path.format(file_id=owner.file_id)
    alias = owner.request("GET", "/api" + path)
    assert alias.headers["deprecation"] == DEPRECATION_HEADER
    assert alias.headers["link"] == f'</api/v1{path}>; rel="successor-version"'


@pytest.mark.parametrize("path", ["/users/me", "/files/{file_id}/download", f"/files/{UNKNOWN_ID}"])
def test_v1_answers_carry_no_deprecation(owner, path):
    v1 = owner.request("GET", "/api/v1" + path.format(file_id=owner.file_id))
    assert "deprecation" not in v1.headers and "link" not in v1.headers


def test_a_path_no_route_answers_gets_no_successor(owner):
    response = owner.request("GET", "/api/files/" + UNKNOWN_ID + "/nowhere")
    assert response.status_code == 404
    assert "deprecation" not in response.headers and "link" not in response.headers


def test_health_routes_stay_unversioned(system):
    for url in (system.auth_url, system.users_url, system.files_url):
        assert httpx.get(url + "/healthz").status_code == 200
        assert httpx.get(url + "/api/v1/healthz").status_code == 404
