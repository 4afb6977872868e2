"""The shared HTTP plumbing: one error body for every failure, request ids, readiness."""

from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from scloud_common.auth_deps import CurrentUser, OptionalUser
from scloud_common.errors import ErrorKind, NotFound, RateLimited, ServiceUnavailable
from scloud_common.grpc_errors import GRPC_CODE, kind_of_grpc_code
from scloud_common.logs import client_address_var
from scloud_common.web import ERROR_RESPONSE_SCHEMA, HTTP_STATUS, ApiModel, IsoDate, create_app, error_responses


class Body(ApiModel):
    file_name: str


@asynccontextmanager
async def lifespan(app: FastAPI):
    async def failing() -> None:
        raise ServiceUnavailable()

    async def fine() -> None:
        return None

    app.state.readiness_checks = {"s3": fine, "dynamodb": failing}
    yield


@pytest.fixture
async def client():
    app = create_app(title="t", description="d", lifespan=lifespan)

    @app.get("/missing")
    async def missing():
        raise NotFound("Nothing here.", code="thing_not_found")

    @app.get("/crash")
    async def crash():
        raise RuntimeError("secret detail")

    @app.post("/echo")
    async def echo(body: Body) -> Body:
        return body

    @app.get("/things/{thing_id}", responses={404: {"description": "No such thing."}})
    async def read_thing(thing_id: str, user: CurrentUser) -> dict:
        return {}

    @app.delete("/things/{thing_id}")
    async def delete_thing(thing_id: str) -> None:
        return None

    @app.post("/signout")
    async def sign_out(user: OptionalUser) -> dict:
        return {}

    @app.get("/whoami")
    async def whoami() -> dict:
        return {"clientAddress": client_address_var.get()}

    @app.get("/search", responses=error_responses(503))
    async def search(q: str) -> dict:
        return {}

    async with lifespan(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


async def test_app_errors_render_code_and_message(client):
    response = await client.get("/missing")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "thing_not_found", "message": "Nothing here."}}


async def test_unknown_routes_and_methods_use_the_same_body(client):
    assert (await client.get("/nope")).json()["error"]["code"] == "not_found"
    assert (await client.delete("/missing")).json()["error"]["code"] == "method_not_allowed"


async def test_unexpected_errors_are_500_without_details(client):
    response = await client.get("/crash")
    assert response.status_code == 500
    assert "secret" not in response.text and response.json()["error"]["code"] == "internal_error"


async def test_validation_errors_name_the_field_in_camel_case(client):
    response = await client.post("/echo", json={"fileName": 3})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "fileName"
    assert (await client.post("/echo", json={"fileName": "a", "extra": 1})).status_code == 422
    assert (await client.post("/echo", json={"fileName": "a"})).json() == {"fileName": "a"}


async def test_request_id_is_echoed_or_created(client):
    assert (await client.get("/healthz", headers={"X-Request-ID": "abc"})).headers["x-request-id"] == "abc"
    assert len((await client.get("/healthz")).headers["x-request-id"]) == 32


async def test_the_client_address_is_bound_for_security_events_during_the_request(client):
    assert (await client.get("/whoami")).json() == {"clientAddress": "203.0.113.7"}
    assert client_address_var.get() is None


async def test_readiness_is_503_when_a_dependency_fails(client):
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"s3": "ok", "dynamodb": "unavailable"}


def test_every_error_kind_has_a_distinct_grpc_code_and_an_error_status():
    assert set(GRPC_CODE) == set(ErrorKind) == set(HTTP_STATUS)
    # A full quota and a rate limit are both RESOURCE_EXHAUSTED in gRPC, which has no other code
    # for either; it reads back as the rate limit.
    shared = {ErrorKind.INSUFFICIENT_STORAGE}
    assert len(set(GRPC_CODE.values())) == len(GRPC_CODE) - len(shared)
    assert kind_of_grpc_code(GRPC_CODE[ErrorKind.INSUFFICIENT_STORAGE]) is ErrorKind.RATE_LIMITED
    assert all(status >= 400 for status in HTTP_STATUS.values())
    # 507 is the one 5xx that is the caller's: their storage is full, nothing of ours failed.
    assert {kind for kind in ErrorKind if kind.is_failure_of_ours} == {
        kind for kind, status in HTTP_STATUS.items() if status >= 500 and status != 507
    }


async def test_a_body_that_is_not_json_is_a_400(client):
    response = await client.post("/echo", content=b'{"fileName": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


async def test_a_body_that_is_not_utf8_is_a_400(client):
    body = b'{"fileName": "\xff\xfe"}'
    response = await client.post("/echo", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_json",
        "message": "The body is not valid JSON: it is not UTF-8.",
    }


async def test_method_not_allowed_names_every_allowed_method_of_the_path(client):
    response = await client.request("TRACE", "/things/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET"


async def test_method_not_allowed_names_the_methods_of_an_included_routers_path():
    # The services' routes come from included routers (FastAPI 0.165 keeps them as one route
    # each); their 405 sent an empty Allow header.
    app = create_app(title="t", description="d", lifespan=lifespan)
    router = APIRouter(prefix="/api/auth")

    @router.post("/login")
    async def login() -> dict:
        return {}

    @router.put("/login")
    async def replace_login() -> dict:
        return {}

    app.include_router(router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/api/auth/login")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST, PUT"


async def test_openapi_documents_the_shared_errors_on_the_routes_that_can_give_them(client):
    paths = (await client.get("/openapi.json")).json()["paths"]

    def error_statuses(path: str, method: str) -> set[str]:
        responses = paths[path][method]["responses"]
        return {status for status, response in responses.items() if status.startswith(("4", "5"))}

    assert error_statuses("/echo", "post") == {"400", "422"}
    assert error_statuses("/things/{thing_id}", "get") == {"401", "404", "422"}
    assert error_statuses("/search", "get") == {"422", "503"}
    assert error_statuses("/signout", "post") == set()
    assert error_statuses("/missing", "get") == set()
    for path, method, status in [
        ("/echo", "post", "400"),
        ("/echo", "post", "422"),
        ("/things/{thing_id}", "get", "401"),
    ]:
        assert (
            paths[path][method]["responses"][status]["content"]["application/json"]["schema"] == ERROR_RESPONSE_SCHEMA
        )
    assert paths["/things/{thing_id}"]["get"]["responses"]["404"] == {"description": "No such thing."}


async def test_openapi_has_no_trace_of_fastapis_own_validation_error_body(client):
    document = (await client.get("/openapi.json")).json()
    assert "HTTPValidationError" not in str(document)
    assert "ValidationError" not in document["components"]["schemas"]


async def test_openapi_says_where_the_access_token_is_optional(client):
    document = (await client.get("/openapi.json")).json()
    assert document["paths"]["/signout"]["post"]["security"] == [{"HTTPBearer": []}, {}]
    assert document["paths"]["/things/{thing_id}"]["get"]["security"] == [{"HTTPBearer": []}]
    assert set(document["components"]["securitySchemes"]) == {"HTTPBearer"}


@pytest.mark.parametrize("docs", [False, True])
async def test_interactive_docs_only_when_asked_while_the_openapi_document_stays(docs):
    app = create_app(title="t", description="d", lifespan=lifespan, docs=docs)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for path in ("/docs", "/redoc"):
            response = await client.get(path)
            if docs:
                assert response.status_code == 200 and "text/html" in response.headers["content-type"]
            else:
                assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
        document = (await client.get("/openapi.json")).json()
    assert document["info"]["title"] == "t" and "/healthz" not in document["paths"]
    assert app.openapi() == document


@pytest.fixture
async def api_client():
    app = create_app(title="t", description="d", lifespan=lifespan)

    @app.get("/api/things/secret")
    async def secret():
        return {"token": "t"}

    @app.get("/api/things/missing")
    async def missing():
        raise NotFound()

    @app.get("/api/things/busy")
    async def busy():
        raise RateLimited(retry_after_seconds=42)

    @app.post("/api/things/dated")
    async def dated(body: Dated) -> Dated:
        return body

    async with lifespan(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


class Dated(ApiModel):
    born: IsoDate


async def test_api_responses_are_never_stored_by_caches(api_client):
    for path in ("/api/things/secret", "/api/things/missing", "/api/things/nope"):
        assert (await api_client.get(path)).headers["cache-control"] == "no-store"


async def test_rate_limited_errors_say_when_to_retry(api_client):
    response = await api_client.get("/api/things/busy")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "42"


@pytest.mark.parametrize("value", [19900501, 0, "19900501", "1990-13-01", None])
async def test_dates_are_only_accepted_as_iso_strings(api_client, value):
    response = await api_client.post("/api/things/dated", json={"born": value})
    assert response.status_code == 422


async def test_iso_date_strings_are_accepted(api_client):
    response = await api_client.post("/api/things/dated", json={"born": "1990-05-01"})
    assert response.json() == {"born": "1990-05-01"}
