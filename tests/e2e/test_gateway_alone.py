"""The gateway with every service down: each location still answers the API's JSON error."""

import httpx
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def gateway(lone_gateway):
    with httpx.Client(base_url=lone_gateway.url, timeout=30) as client:
        yield client


def assert_unavailable(response) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == "service_unavailable"


def test_an_upload_to_a_files_service_that_is_down_gets_a_json_503(gateway):
    assert_unavailable(gateway.post("/api/files/upload", files={"file": ("a.txt", b"hello")}))


# Today's paths, and each under /api/v1 too: the gateway routes both alike.
UNVERSIONED_API_ROUTES = [
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/refresh"),
    ("GET", "/api/users/me"),
    ("GET", "/api/files"),
    ("GET", "/api/files/some-id"),
    ("POST", "/api/files/archive"),
    ("GET", "/api/files/archive/some-token"),
    ("GET", "/api/folders/root/children"),
    ("POST", "/api/folders"),
    ("POST", "/api/items/move"),
    ("GET", "/api/search?q=a"),
    ("GET", "/api/trash"),
    ("POST", "/api/trash/restore"),
    ("POST", "/api/uploads"),
    ("GET", "/api/uploads/some-id"),
    ("POST", "/api/uploads/some-id/parts"),
    ("POST", "/api/uploads/some-id/complete"),
    ("DELETE", "/api/uploads/some-id"),
    ("POST", "/api/shared-with-me/some-id/upload"),
]
API_ROUTES = UNVERSIONED_API_ROUTES + [
    (method, path.replace("/api/", "/api/v1/", 1)) for method, path in UNVERSIONED_API_ROUTES
]


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_every_api_location_answers_a_json_503(gateway, method, path):
    assert_unavailable(gateway.request(method, path, json={}))


def test_a_body_nginx_buffers_to_disk_still_reaches_the_upstream_step(gateway):
    # Bodies past nginx's memory buffer go to its temp folder: one the workers cannot write
    # would answer 500 here instead of the 503 of the services being down.
    assert_unavailable(gateway.post("/api/auth/login", content=b"{" + b" " * 200_000 + b"}"))


def test_the_app_is_served_while_the_services_are_down(gateway):
    page = gateway.get("/files")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/files/public/links/AAAAAAAAAAAAAAAAAAAAAA"),
        ("GET", "/api/files/public/links/AAAAAAAAAAAAAAAAAAAAAA/folders/root/children?limit=0"),
        ("POST", "/api/files/public/links/AAAAAAAAAAAAAAAAAAAAAA/archive"),
        ("GET", "/api/files/public/links/not-a-link-id"),
        ("GET", "/api/v1/files/public/links/AAAAAAAAAAAAAAAAAAAAAA"),
        ("POST", "/api/v1/files/public/links/AAAAAAAAAAAAAAAAAAAAAA/archive"),
    ],
)
def test_the_public_share_routes_are_never_indexed_even_when_the_gateway_answers_itself(gateway, method, path):
    response = gateway.request(method, path, json={})
    assert_unavailable(response)
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_other_routes_carry_no_robots_header(gateway):
    assert "X-Robots-Tag" not in gateway.get("/api/files/some-id").headers
    assert "X-Robots-Tag" not in gateway.get("/files").headers


@pytest.mark.parametrize("prefix", ["/s/", "/r/"])
def test_a_share_or_request_page_is_the_app_never_indexed_and_sends_no_referrer(gateway, prefix):
    page = gateway.get(f"{prefix}AAAAAAAAAAAAAAAAAAAAAA")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    # Only ids are pages: a deeper path does not exist.
    assert gateway.get(f"{prefix}AAAA/etc").status_code == 404


def test_other_pages_keep_the_usual_referrer_policy(gateway):
    assert gateway.get("/shared").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_robots_txt_keeps_crawlers_off_the_share_pages(gateway):
    robots = gateway.get("/robots.txt")
    assert robots.status_code == 200
    assert {"Disallow: /s/", "Disallow: /r/"} <= set(robots.text.splitlines())
