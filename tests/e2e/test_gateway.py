"""The gateway: security headers, the web app's pages and nothing else, caching, body limit,
JSON errors, the sign-in rate limit, and an access log without secrets."""

import io
import json
import os
import re
import socket
import time
import zipfile
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


APP_ROUTES = Path(__file__).resolve().parents[2] / "frontend" / "src" / "App.tsx"
# The routes' parameters, filled in with a sample value.
ROUTE_SAMPLES = {
    ":folderId": "01JABCDEFGHJKMNPQRSTVWXYZ0",
    ":linkId": "AAAAAAAAAAAAAAAAAAAAAA",
    ":requestId": "RRRRRRRRRRRRRRRRRRRRRR",
    ":shareId": "01JSHAREDFOLDERABCDEFGHJKM",
}
# Bodies the routes refuse; {n} numbers the attempt, so no account's own lock answers first.
SIGN_IN_ROUTES = [
    ("/api/auth/login", {"email": "nobody-{n}@example.com", "password": "Wrong pass 1"}),
    ("/api/auth/register", {"email": "not-an-email", "username": "x", "password": "x"}),
    ("/api/auth/login/two-factor", {"challenge": "unknown", "code": "000000"}),
    ("/api/auth/verify-email", {"token": "unknown"}),
    ("/api/auth/password-reset/confirm", {"token": "unknown", "password": "Wrong pass 1"}),
    # The same routes under /api/v1 share the budget's zone.
    ("/api/v1/auth/login", {"email": "nobody-v1-{n}@example.com", "password": "Wrong pass 1"}),
    ("/api/v1/auth/register", {"email": "not-an-email", "username": "x", "password": "x"}),
    ("/api/v1/auth/login/two-factor", {"challenge": "unknown", "code": "000000"}),
    ("/api/v1/auth/verify-email", {"token": "unknown"}),
    ("/api/v1/auth/password-reset/confirm", {"token": "unknown", "password": "Wrong pass 1"}),
]


@pytest.mark.parametrize("path", ["/", "/files", "/api/files", "/api/nowhere", "/healthz"])
def test_security_headers_on_every_response(gateway, path):
    response = gateway.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert "strict-transport-security" not in response.headers


def test_hsts_when_the_request_came_over_tls(gateway):
    response = gateway.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_spa_routes_serve_index_without_caching_and_assets_with_long_caching(gateway):
    page = gateway.get("/files")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "no-cache" in page.headers["cache-control"]
    asset = next(part.split('"')[0] for part in page.text.split('src="')[1:] if part.startswith("/assets/"))
    response = gateway.get(asset)
    assert response.status_code == 200 and "max-age=31536000" in response.headers["cache-control"]


def test_healthz_and_unknown_api_routes_answer_json(gateway):
    assert gateway.get("/healthz").json() == {"status": "ok"}
    assert_own_json_error(gateway.get("/api/nowhere"), 404, "not_found")


def app_pages() -> list[str]:
    """Every route of the web app's router, parameters filled in (the catch-all left out)."""
    paths = re.findall(r'path: "([^"]+)"', APP_ROUTES.read_text())
    assert "/files" in paths and "*" in paths
    return [re.sub(r":\w+", lambda match: ROUTE_SAMPLES[match.group(0)], path) for path in paths if path != "*"]


def test_every_page_of_the_web_app_is_its_index_html_never_cached(gateway):
    index = gateway.get("/")
    assert index.status_code == 200 and '<div id="root">' in index.text
    for path in app_pages():
        page = gateway.get(path)
        assert page.status_code == 200 and page.text == index.text, path
        assert "no-cache" in page.headers["cache-control"], path


@pytest.mark.parametrize(
    "path",
    [
        "/openapi.json",
        "/docs",
        "/redoc",
        "/.env",
        "/nowhere",
        "/nowhere.js",
        "/files.zip",
        "/files/a/b",
        "/assets/missing.js",
        "/login/extra",
        "/shared-with-me/a/b/c",
        "/index.php",
    ],
)
def test_an_address_that_is_no_page_and_no_file_is_a_json_404(gateway, path):
    assert_own_json_error(gateway.get(path), 404, "not_found")


@pytest.mark.parametrize(("method", "path"), [("POST", "/"), ("PUT", "/favicon.svg"), ("DELETE", "/files")])
def test_writing_to_the_web_app_is_a_json_405_with_the_methods_allowed(gateway, method, path):
    response = gateway.request(method, path)
    assert_own_json_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET, HEAD"


def test_a_services_405_keeps_its_allow_header(gateway):
    response = gateway.get("/api/auth/login")
    assert response.status_code == 405
    assert response.headers.get_list("allow") == ["POST"]


def test_grpc_is_not_reachable_through_the_gateway(gateway):
    response = gateway.post(
        "/scloud.auth.v1.AuthService/GetPublicKeys", headers={"content-type": "application/grpc"}, content=b"\0\0\0\0\0"
    )
    assert response.headers.get("content-type", "").startswith("application/grpc") is False
    assert "grpc-status" not in response.headers


def test_bodies_over_the_gateway_limit_get_a_json_413(gateway, stack):
    oversized = b"\0" * (stack.max_upload_bytes + 3 * 1024 * 1024)
    response = gateway.post("/api/files/upload", files={"file": ("big.bin", oversized)})
    assert_own_json_error(response, 413, "file_too_large")


def test_oversized_json_bodies_get_a_json_413(gateway):
    response = gateway.post("/api/users/me", content=b"{" + b" " * (2 * 1024 * 1024) + b"}")
    assert_own_json_error(response, 413, "payload_too_large")


def test_api_errors_pass_through_as_json(gateway):
    response = gateway.get("/api/users/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


def test_the_app_and_its_assets_are_served_from_a_private_clone(gateway, stack, private_clone):
    assert private_clone.stat().st_mode & 0o777 == 0o700
    assert stack.frontend_dist.is_relative_to(private_clone) and stack.run_dir.is_relative_to(private_clone)
    page = gateway.get("/")
    assert page.status_code == 200 and '<div id="root">' in page.text
    for asset in built_assets(page.text):
        assert gateway.get(asset).status_code == 200, asset


def built_assets(index_html: str) -> list[str]:
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', index_html)
    assert assets
    return assets


def test_the_production_build_serves_no_source_maps(gateway):
    for asset in built_assets(gateway.get("/").text):
        assert "sourceMappingURL" not in gateway.get(asset).text
        source_map = gateway.get(asset + ".map")
        assert source_map.status_code == 404 and "sourcesContent" not in source_map.text


def assert_json_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == code


def assert_own_json_error(response, status: int, code: str) -> None:
    """An answer the gateway made itself: the services' error shape, never stored by a cache."""
    assert_json_error(response, status, code)
    error = response.json()["error"]
    assert set(error) == {"code", "message"} and error["message"], error
    assert response.headers["cache-control"] == "no-store"


def test_a_nul_in_the_path_gets_a_json_400(gateway):
    assert_json_error(gateway.get("/api/files/a%00b"), 400, "bad_request")
    assert_json_error(gateway.get("/a%00b"), 400, "bad_request")


def test_oversized_headers_get_a_json_400(gateway):
    response = gateway.get("/api/files", headers={"X-Padding": "a" * 20 * 1024})
    assert_json_error(response, 400, "header_too_large")


def test_an_overlong_address_gets_a_json_414(gateway):
    assert_json_error(gateway.get("/api/files?q=" + "a" * 20 * 1024), 414, "uri_too_long")


def test_a_trailing_slash_redirect_keeps_the_gateways_port(gateway, stack):
    # A file's address (an item id is a ULID) with a trailing slash.
    file_path = "/api/files/01HZY3Q6V8K2M4N6P8R0S2T4V6"
    response = gateway.get(f"{file_path}/")
    assert response.status_code in (307, 308)
    assert response.headers["location"] == f"{stack.url}{file_path}"


@pytest.mark.parametrize("path", ["/api/files/upload", "/api/auth/login"])
def test_a_malformed_chunked_body_gets_a_json_400(stack, path):
    assert post_malformed_chunked_body(stack, path) == (400, "bad_request")


def post_malformed_chunked_body(stack, path: str, source: str = "127.0.0.1") -> tuple[int, str]:
    """Status and JSON error code of a POST whose chunked body nginx cannot read."""
    request = (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nnot-hex\r\n{}\r\n0\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", stack.ports.gateway), timeout=10, source_address=(source, 0)) as sock:
        sock.sendall(request.encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"Content-Type: application/json" in head, head
    return int(head.split()[1]), json.loads(body)["error"]["code"]


def test_the_drive_routes_reach_the_files_service_and_an_archive_streams_through(gateway, account):
    headers = account.headers
    folder = gateway.post("/api/folders", headers=headers, json={"name": "Docs", "parentId": None}).json()
    content = os.urandom(300_000)
    uploaded = gateway.post(
        "/api/files/upload", params={"parentId": folder["id"]}, headers=headers, files={"file": ("a.bin", content)}
    )
    assert uploaded.status_code == 201, uploaded.text
    for path in (f"/api/folders/{folder['id']}/children", "/api/search?q=a", "/api/trash"):
        assert gateway.get(path, headers=headers).status_code == 200, path
    link = gateway.post("/api/files/archive", headers=headers, json={"ids": [folder["id"]]}).json()
    with gateway.stream("GET", link["url"]) as response:
        assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
        body = response.read()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.read("Docs/a.bin") == content
    assert gateway.get(link["url"]).status_code == 404


def test_the_access_log_names_a_zip_link_without_its_token(gateway, account, stack):
    uploaded = gateway.post("/api/files/upload", headers=account.headers, files={"file": ("a.txt", b"hello")})
    assert uploaded.status_code == 201, uploaded.text
    link = gateway.post("/api/files/archive", headers=account.headers, json={"ids": [uploaded.json()["id"]]}).json()
    token = link["url"].rsplit("/", 1)[1]
    assert gateway.get(link["url"]).status_code == 200
    log = stack.logs_dir / "gateway.log"
    logged = wait_for_log_line(log, '"GET /api/v1/files/archive/<token> HTTP/1.1" 200')
    assert token not in log.read_text(), logged


def wait_for_log_line(log: Path, fragment: str, within: float = 10.0) -> str:
    """nginx writes an access line once the answer is sent: a moment after the client has it."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        lines = [line for line in log.read_text().splitlines() if fragment in line]
        if lines:
            return lines[-1]
        time.sleep(0.1)
    raise AssertionError(f"no line with {fragment!r} in {log} within {within} s")


def client_from(stack, address: str) -> httpx.Client:
    """A client connecting from another loopback address: a sign-in budget of its own."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.gateway}", transport=transport, timeout=30)


@pytest.mark.parametrize(("route", "body"), SIGN_IN_ROUTES, ids=[route for route, _ in SIGN_IN_ROUTES])
def test_each_sign_in_route_is_rate_limited_per_client_with_a_json_429(stack, route, body):
    address = f"127.0.0.{10 + [r for r, _ in SIGN_IN_ROUTES].index(route)}"
    statuses = []
    with client_from(stack, address) as client:
        for attempt in range(40):
            response = client.post(route, json={name: value.format(n=attempt) for name, value in body.items()})
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert_own_json_error(response, 429, "rate_limited")
                break
    # A burst of 10 passes; the limit answers well before 40 attempts, whatever the machine's pace.
    assert 429 in statuses and statuses[0] != 429, statuses
    assert statuses.index(429) <= 20, statuses


def test_a_forged_forwarded_for_does_not_reset_the_sign_in_limit(stack):
    # Each request claims another client address; an untrusted peer's X-Forwarded-For must not
    # reset the limit. Each names another account, so the per-account lock (auth's own 429) is
    # not what answers.
    statuses = []
    with client_from(stack, "127.0.0.9") as client:
        for attempt in range(40):
            response = client.post(
                "/api/auth/login",
                json={"email": f"nobody-{attempt}@example.com", "password": "Wrong pass 1"},
                headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
            )
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert_own_json_error(response, 429, "rate_limited")
                break
    assert 429 in statuses and statuses[0] == 401, statuses
    # Once limited, even a body nginx cannot read answers JSON.
    assert post_malformed_chunked_body(stack, "/api/auth/login", "127.0.0.9")[1] in ("rate_limited", "bad_request")


def test_the_app_runs_signed_in_through_the_gateway_without_a_console_error(signed_in, stack):
    # The `page` fixture fails the test on any console error: a Content-Security-Policy
    # violation of the gateway's headers would show there.
    page = signed_in.page
    page.wait_for_function("document.querySelector('#root').childElementCount > 0")
    assert page.url == f"{stack.url}/files"
    page.goto(f"{stack.url}/profile")
    page.get_by_text(signed_in.account.email).first.wait_for()


def logged_json(stack, service: str, request_id: str, message: str, within: float = 10.0) -> list[dict]:
    """The JSON log lines of `service` carrying `request_id`, once one of them is `message` (a
    service logs "request" once its answer is sent: a moment after the client has it, and after
    the lines the request's work logged)."""
    log = stack.logs_dir / f"{service}.log"
    deadline = time.monotonic() + within
    while True:
        lines = [
            json.loads(line) for line in log.read_text().splitlines() if request_id in line and line.startswith("{")
        ]
        entries = [entry for entry in lines if entry.get("request_id") == request_id]
        if any(entry["message"] == message for entry in entries):
            return entries
        assert time.monotonic() < deadline, (
            f"no {service} {message!r} line with request id {request_id} within {within} s"
        )
        time.sleep(0.1)


def test_a_request_without_a_trace_is_followed_by_the_gateways_request_id_as_trace_id(gateway, account, stack):
    uploaded = gateway.post("/api/files/upload", headers=account.headers, files={"file": ("t.txt", b"traced")})
    assert uploaded.status_code == 201, uploaded.text

    request_id = uploaded.headers["X-Request-ID"]
    # A W3C trace id: the trace the gateway started, which the services continued.
    assert re.fullmatch(r"[0-9a-f]{32}", request_id) and set(request_id) != {"0"}
    # The gateway's access line names the request by the same id.
    assert '"POST /api/files/upload HTTP/1.1" 201 ' in wait_for_log_line(stack.logs_dir / "gateway.log", request_id)
    assert logged_json(stack, "files", request_id, "request")


def test_an_incoming_traceparent_is_continued_and_names_the_request_everywhere(gateway, account, stack):
    trace_id = os.urandom(16).hex()
    traceparent = f"00-{trace_id}-{os.urandom(8).hex()}-01"
    # A new account's first request to files: no answer cached for its session, files asks auth.
    headers = {**account.headers, "traceparent": traceparent}

    listed = gateway.get("/api/files", headers=headers)

    assert listed.status_code == 200 and listed.headers["X-Request-ID"] == trace_id
    assert logged_json(stack, "files", trace_id, "request")
    # The peer that files asked about the session logs that call under the same id.
    assert logged_json(stack, "auth", trace_id, "rpc")


def test_a_malformed_traceparent_is_replaced_not_passed_on(gateway):
    response = gateway.get("/api/files", headers={"traceparent": "00-" + "0" * 32 + "-" + "1" * 16 + "-01"})
    assert response.status_code == 401
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id) and request_id != "0" * 32


@pytest.mark.parametrize("path", ["/users/me", "/files", "/folders/root/children", "/search?q=a", "/trash"])
def test_v1_and_unversioned_paths_reach_the_same_service_and_answer_alike(gateway, account, path):
    v1 = gateway.get("/api/v1" + path, headers=account.headers)
    alias = gateway.get("/api" + path, headers=account.headers)
    assert v1.status_code == alias.status_code == 200
    # A listing's items may carry short-lived signed links, which differ from one answer to the next.
    assert comparable(v1.json()) == comparable(alias.json())
    assert "deprecation" not in v1.headers
    assert alias.headers["deprecation"].startswith("@")
    assert alias.headers["link"] == f'</api/v1{path.split("?")[0]}>; rel="successor-version"'
    # The gateway's own headers are on both.
    for response in (v1, alias):
        assert response.headers["x-content-type-options"] == "nosniff"


def comparable(body: dict) -> dict:
    if "items" in body:
        return {**body, "items": [item["id"] for item in body["items"]]}
    return body


def test_the_merged_openapi_document_describes_the_public_api_of_every_service(gateway):
    response = gateway.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["openapi"].startswith("3.") and document["info"]["title"]
    paths = document["paths"]
    assert {"/api/v1/auth/login", "/api/v1/users/me", "/api/v1/files", "/api/v1/folders"} <= set(paths)
    assert all(path.startswith("/api/v1/") for path in paths), [p for p in paths if not p.startswith("/api/v1/")]
    assert not [path for path in paths if "healthz" in path or "readyz" in path]
    # Every reference resolves inside the one document.
    schemas = document["components"]["schemas"]
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', response.text))
    assert refs and refs <= set(schemas)


def test_the_api_docs_page_is_served_with_its_own_scripts_only(gateway):
    page = gateway.get("/api/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assets = built_assets(page.text)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        assert gateway.get(asset).status_code == 200, asset
    # The build's own copy is no address of its own.
    assert_own_json_error(gateway.get("/api-docs/index.html"), 404, "not_found")
