"""HTTP metrics are labelled by route template, never the raw path; each app's registry is its own."""

import contextlib

from botocore.exceptions import ClientError, ReadTimeoutError
from fastapi import APIRouter
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from scloud_common.aws import aws_call_outcome
from scloud_common.metrics import UNMATCHED_ROUTE, ServiceMetrics
from scloud_common.web import create_app

COUNT = "scloud_http_request_duration_seconds_count"


@contextlib.asynccontextmanager
async def no_lifespan(app):
    yield


def metered_app(metrics: ServiceMetrics) -> TestClient:
    router = APIRouter(prefix="/api/things")

    @router.get("/{thing_id}")
    async def read_thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @router.get("/{thing_id}/broken")
    async def broken(thing_id: str) -> None:
        raise RuntimeError("boom")

    app = create_app(title="t", description="t", lifespan=no_lifespan, metrics=metrics)
    app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


def count(metrics: ServiceMetrics, **labels: str) -> float:
    return metrics.registry.get_sample_value(COUNT, labels) or 0.0


def test_requests_are_counted_under_their_route_template_and_status():
    metrics = ServiceMetrics()
    client = metered_app(metrics)
    assert client.get("/api/things/42").status_code == 200
    assert client.get("/api/things/43").status_code == 200
    assert client.get("/api/things/44/broken").status_code == 500
    assert count(metrics, method="GET", route="/api/things/{thing_id}", status="200") == 2
    assert count(metrics, method="GET", route="/api/things/{thing_id}/broken", status="500") == 1
    exposed = str([sample.labels for family in metrics.registry.collect() for sample in family.samples])
    assert "/api/things/42" not in exposed


def test_paths_no_route_matches_share_one_label_and_probes_are_left_out():
    metrics = ServiceMetrics()
    client = metered_app(metrics)
    for path in ("/scan/a", "/scan/b", "/api/nothing"):
        assert client.get(path).status_code == 404
    assert client.get("/healthz").status_code == 200
    assert count(metrics, method="GET", route=UNMATCHED_ROUTE, status="404") == 3
    routes = {sample.labels["route"] for family in metrics.registry.collect() for sample in family.samples}
    assert routes == {UNMATCHED_ROUTE}


def test_each_services_metrics_are_its_own_and_not_in_the_global_registry():
    first, second = ServiceMetrics(), ServiceMetrics()
    metered_app(first).get("/api/things/1")
    assert count(first, method="GET", route="/api/things/{thing_id}", status="200") == 1
    assert count(second, method="GET", route="/api/things/{thing_id}", status="200") == 0
    assert (
        REGISTRY.get_sample_value(COUNT, {"method": "GET", "route": "/api/things/{thing_id}", "status": "200"}) is None
    )


def test_a_failed_aws_call_is_labelled_by_its_error_code_or_by_what_failed():
    refused = ClientError({"Error": {"Code": "ConditionalCheckFailedException"}}, "PutItem")
    assert aws_call_outcome(refused) == "ConditionalCheckFailedException"
    assert aws_call_outcome(ReadTimeoutError(endpoint_url="http://s3")) == "ReadTimeoutError"
