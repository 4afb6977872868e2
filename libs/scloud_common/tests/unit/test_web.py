"""The shared HTTP plumbing: one error body for every failure, request ids, readiness."""

from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from scloud_common.errors import ErrorKind, NotFound, ServiceUnavailable
from scloud_common.web import ApiModel, create_app


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

    async with lifespan(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
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


async def test_readiness_is_503_when_a_dependency_fails(client):
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"s3": "ok", "dynamodb": "unavailable"}


def test_every_error_kind_has_a_distinct_grpc_code_and_an_error_status():
    codes = [kind.grpc_code for kind in ErrorKind]
    assert len(codes) == len(set(codes))
    assert all(kind.http_status >= 400 for kind in ErrorKind)


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
