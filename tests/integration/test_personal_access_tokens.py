"""Personal access tokens through the real services: made in a signed-in browser, used by a
script as `Authorization: Bearer scloud_pat_...` on auth, users and files within its scopes,
refused outside them, once expired or revoked (within the 5 s bound), and on every account-level
route."""

import hashlib
import time

import httpx
import pytest

from tests.integration.conftest import Browser, wait_for_mail

pytestmark = pytest.mark.integration

# Sessions and personal access tokens are refused within this long of their revocation.
REVOCATION_BOUND_SECONDS = 5
ALL = ["files:read", "files:write", "shares:write", "profile:read", "profile:write"]


def create_token(browser: Browser, *, scopes: list[str], name: str = "script", days: int = 30) -> httpx.Response:
    return browser.request("POST", "/api/auth/tokens", json={"name": name, "scopes": scopes, "expiresInDays": days})


def script(new_browser, secret: str) -> Browser:
    """A client that sends only the token, as a script would (no cookie)."""
    client = new_browser()
    client.access_token = secret
    return client


def refused_within(client: Browser, path: str, *, seconds: float) -> httpx.Response:
    """Polls `path` until it answers 401, failing after `seconds`; answers the refusal."""
    deadline = time.monotonic() + seconds
    while (response := client.request("GET", path)).status_code != 401:
        assert response.status_code == 200, response.text
        assert time.monotonic() < deadline, f"{path} still accepts the token after {seconds} s"
        time.sleep(0.2)
    return response


@pytest.fixture
def owner(new_browser, email) -> Browser:
    browser = new_browser()
    assert browser.register(email).status_code == 201
    return browser


def test_a_token_is_shown_once_listed_with_its_last_use_and_mailed_about(owner, new_browser, email, system):
    created = create_token(owner, scopes=["files:read"], name="backup")
    assert created.status_code == 201, created.text
    body = created.json()
    secret, token = body["secret"], body["token"]
    assert secret.startswith("scloud_pat_") and len(secret) == len("scloud_pat_") + 43
    assert (token["name"], token["scopes"], token["lastUsedAt"]) == ("backup", ["files:read"], None)

    assert script(new_browser, secret).request("GET", "/api/files").status_code == 200
    listed = owner.request("GET", "/api/auth/tokens").json()
    assert listed["maxLifetimeDays"] == 90
    (shown,) = listed["tokens"]
    assert shown["id"] == token["id"] and shown["lastUsedAt"] is not None
    assert secret not in str(listed)

    subjects = [m.subject for m in wait_for_mail(system, email, count=2)]
    assert "SCloud: a personal access token was created" in subjects


def test_a_token_works_on_auth_users_and_files_within_its_scopes(owner, new_browser):
    secret = create_token(owner, scopes=["files:read", "files:write", "profile:read"]).json()["secret"]
    client = script(new_browser, secret)
    current = client.request("GET", "/api/auth/tokens/current")
    assert current.status_code == 200
    assert current.json()["scopes"] == ["files:read", "files:write", "profile:read"]
    assert client.request("GET", "/api/users/me").status_code == 200
    uploaded = client.upload("from-a-script.txt", b"hello")
    assert uploaded.status_code == 201, uploaded.text
    assert client.request("GET", "/api/files").status_code == 200
    assert client.request("GET", "/api/search", params={"q": "script"}).status_code == 200


def test_a_route_outside_the_tokens_scopes_is_403(owner, new_browser):
    secret = create_token(owner, scopes=["files:read"]).json()["secret"]
    client = script(new_browser, secret)
    refused_upload = client.upload("nope.txt", b"x")
    assert refused_upload.status_code == 403
    assert refused_upload.json()["error"]["code"] == "insufficient_scope"
    assert refused_upload.json()["error"]["details"] == {"requiredScope": "files:write"}
    profile = client.request("GET", "/api/users/me")
    assert (profile.status_code, profile.json()["error"]["code"]) == (403, "insufficient_scope")
    link = client.request("POST", "/api/files/links", json={"itemId": "x"})
    assert (link.status_code, link.json()["error"]["code"]) == (403, "insufficient_scope")
    # The files:read it has still works.
    assert client.request("GET", "/api/files").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/auth/password", {"currentPassword": "Secret pass 1", "newPassword": "another long secret"}),
        ("GET", "/api/auth/two-factor", None),
        ("POST", "/api/auth/two-factor/setup", {"password": "Secret pass 1"}),
        ("GET", "/api/auth/sessions", None),
        ("POST", "/api/auth/logout-all", None),
        ("GET", "/api/auth/tokens", None),
        ("POST", "/api/auth/tokens", {"name": "child", "scopes": ["files:read"], "expiresInDays": 1}),
        ("DELETE", "/api/users/me", {"password": "Secret pass 1"}),
    ],
)
def test_account_level_routes_refuse_tokens_whatever_their_scopes(owner, new_browser, method, path, body):
    secret = create_token(owner, scopes=ALL).json()["secret"]
    response = script(new_browser, secret).request(method, path, json=body)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "token_not_allowed"
    # Nothing happened: the account is still there and its browser still signed in.
    assert owner.request("GET", "/api/users/me").status_code == 200


def test_a_token_cannot_revoke_another_token(owner, new_browser):
    first = create_token(owner, scopes=ALL, name="first").json()
    second = create_token(owner, scopes=ALL, name="second").json()
    response = script(new_browser, first["secret"]).request("DELETE", f"/api/auth/tokens/{second['token']['id']}")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "token_not_allowed")
    assert script(new_browser, second["secret"]).request("GET", "/api/files").status_code == 200


def test_a_revoked_token_is_refused_everywhere_within_the_bound(owner, new_browser):
    created = create_token(owner, scopes=ALL).json()
    client = script(new_browser, created["secret"])
    for path in ("/api/auth/tokens/current", "/api/users/me", "/api/files"):
        assert client.request("GET", path).status_code == 200
    assert owner.request("DELETE", f"/api/auth/tokens/{created['token']['id']}").status_code == 204
    revoked_at = time.monotonic()
    for path in ("/api/auth/tokens/current", "/api/users/me", "/api/files"):
        refused = refused_within(client, path, seconds=REVOCATION_BOUND_SECONDS - (time.monotonic() - revoked_at))
        assert refused.json()["error"]["code"] == "invalid_token"
    assert owner.request("GET", "/api/auth/tokens").json()["tokens"] == []
    again = owner.request("DELETE", f"/api/auth/tokens/{created['token']['id']}")
    assert (again.status_code, again.json()["error"]["code"]) == (404, "token_not_found")


def test_an_expired_token_is_refused_everywhere(owner, new_browser, system):
    secret = create_token(owner, scopes=ALL, days=1).json()["secret"]
    client = script(new_browser, secret)
    assert client.request("GET", "/api/files").status_code == 200
    # Time passes: the stored expiry moves into the past, as a day would.
    system.dynamodb_client.update_item(
        TableName=f"{system.settings['table_prefix']}sessions",
        Key={"sessionId": {"S": "pat#" + hashlib.sha256(secret.encode()).hexdigest()}},
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )
    for path in ("/api/auth/tokens/current", "/api/users/me", "/api/files"):
        refused_within(client, path, seconds=REVOCATION_BOUND_SECONDS)
    assert owner.request("GET", "/api/auth/tokens").json()["tokens"][0]["expired"] is True


def test_a_lifetime_beyond_the_maximum_is_refused(owner):
    response = create_token(owner, scopes=["files:read"], days=91)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid_token_lifetime")


def test_webdav_takes_a_token_as_the_password_within_its_scopes(owner, new_browser, email, system):
    reader = create_token(owner, scopes=["files:read"], name="desktop").json()["secret"]
    writer = create_token(owner, scopes=["files:read", "files:write"], name="sync").json()["secret"]
    dav = f"{system.files_url}/dav/"
    with httpx.Client(timeout=30) as client:
        assert client.request("PROPFIND", dav, headers={"Depth": "1"}, auth=(email, reader)).status_code == 207
        refused = client.put(f"{dav}notes.txt", content=b"hello", auth=(email, reader))
        assert refused.status_code == 403
        assert client.put(f"{dav}notes.txt", content=b"hello", auth=(email, writer)).status_code == 201
        assert client.get(f"{dav}notes.txt", auth=(email, reader)).content == b"hello"


def test_webdav_refuses_a_valid_token_under_another_user_name(owner, email, system):
    reader = create_token(owner, scopes=["files:read"], name="desktop").json()["secret"]
    dav = f"{system.files_url}/dav/"
    with httpx.Client(timeout=30) as client:
        for user_name in ("someone-else@example.com", email.split("@")[0], ""):
            refused = client.request("PROPFIND", dav, headers={"Depth": "0"}, auth=(user_name, reader))
            assert refused.status_code == 401, user_name
            assert refused.headers["WWW-Authenticate"] == 'Basic realm="SCloud"'
        right = client.request("PROPFIND", dav, headers={"Depth": "0"}, auth=(f" {email.upper()} ", reader))
        assert right.status_code == 207


def test_the_current_token_address_is_not_also_one_tokens_address(system):
    # Regression (found by the fuzzer): `DELETE /tokens/{id}` matched `/tokens/current`, so its
    # OPTIONS advertised a DELETE the document does not have.
    answer = httpx.options(f"{system.auth_url}/api/v1/auth/tokens/current", timeout=10)
    assert answer.headers["Allow"] == "GET"
