"""Each service's Prometheus endpoint, scraped over HTTP as a scraper would, after real traffic:
HTTP requests under their route template, gRPC calls on both sides, AWS calls per operation."""

import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

pytestmark = pytest.mark.integration

HTTP = "scloud_http_request_duration_seconds_count"
GRPC_SERVER = "scloud_grpc_server_duration_seconds_count"
GRPC_CLIENT = "scloud_grpc_client_duration_seconds_count"
AWS = "scloud_aws_call_duration_seconds_count"


def scrape(url: str) -> list[Sample]:
    response = httpx.get(url, timeout=5)
    assert response.status_code == 200
    return [sample for family in text_string_to_metric_families(response.text) for sample in family.samples]


def counted(samples: list[Sample], name: str, **labels: str) -> list[Sample]:
    return [
        sample
        for sample in samples
        if sample.name == name and sample.value > 0 and all(sample.labels.get(k) == v for k, v in labels.items())
    ]


def scrape_until(url: str, found, *, within: float = 10.0) -> list[Sample]:
    """A request is observed once its answer is sent: the client may read the answer first."""
    deadline = time.monotonic() + within
    while not found(samples := scrape(url)):
        assert time.monotonic() < deadline, f"not in {url} within {within} s"
        time.sleep(0.05)
    return samples


def test_requests_grpc_and_aws_calls_are_scraped_from_each_services_metrics_port(system, new_browser, email):
    alice = new_browser()
    assert alice.register(email).status_code == 201
    uploaded = alice.upload("notes.txt", b"counted")
    assert uploaded.status_code == 201
    # A well-formed item id that names no file: the route matches, the file is not found.
    file_id = uploaded.json()["id"]
    missing = file_id[:-1] + ("0" if file_id[-1] != "0" else "1")
    assert alice.request("GET", f"/api/files/{missing}/download").status_code == 404
    assert httpx.get(f"{system.files_url}/api/nowhere/{missing}").status_code == 404

    files = scrape_until(
        system.metrics_urls["files"],
        lambda samples: (
            counted(samples, HTTP, route="/api/files/{file_id}/download", status="404")
            and counted(samples, HTTP, route="unmatched", status="404")
        ),
    )
    assert counted(files, HTTP, method="GET", route="/api/files/{file_id}/download", status="404")
    assert counted(files, HTTP, method="POST", route="/api/files/upload", status="201")
    # Never the raw path, and never the probes.
    assert not [sample for sample in files if missing in str(sample.labels)]
    assert not counted(files, HTTP, route="/healthz") and not counted(files, HTTP, route="/readyz")

    # Files asked auth about alice's session: the same method on both sides, answered OK.
    to_auth = {sample.labels["method"] for sample in counted(files, GRPC_CLIENT, code="OK")}
    to_auth = {method for method in to_auth if method.startswith("/scloud.auth.v1.")}
    assert to_auth, "files made no gRPC call to auth"
    auth = scrape(system.metrics_urls["auth"])
    answered = {sample.labels["method"] for sample in counted(auth, GRPC_SERVER, code="OK")}
    assert to_auth <= answered
    assert not counted(auth, GRPC_SERVER, method="/grpc.health.v1.Health/Check")

    assert counted(files, AWS, service="s3", outcome="ok")
    assert counted(files, AWS, service="dynamodb", outcome="ok")
    # Registering wrote alice's credentials: auth's own DynamoDB calls, under their API names.
    assert {sample.labels["operation"] for sample in counted(auth, AWS, service="dynamodb")} & {
        "PutItem",
        "TransactWriteItems",
    }


def test_domain_events_are_scraped_a_throttled_sign_in_a_session_check_and_an_uploads_bytes(system, new_browser, email):
    alice = new_browser()
    assert alice.register(email).status_code == 201
    content = b"counted bytes " * 100
    assert alice.upload("events.txt", content).status_code == 201
    intruder = new_browser()
    statuses = [intruder.login(email, "wrong password 1").status_code for _ in range(6)]
    assert statuses[-1] == 429, statuses

    files = scrape_until(
        system.metrics_urls["files"],
        lambda samples: counted(samples, "scloud_uploads_total", kind="single", outcome="completed"),
    )
    stored = counted(files, "scloud_upload_size_bytes_sum", kind="single")
    assert stored and stored[0].value >= len(content)
    # Files asked auth whether alice's session was active before storing her file.
    assert counted(files, "scloud_session_checks_total", outcome="active", source="auth")
    auth = scrape(system.metrics_urls["auth"])
    assert counted(auth, "scloud_credential_checks_throttled_total", reason="locked")
    # Never a user's id or address as a label.
    assert not [sample for sample in files + auth if email in str(sample.labels)]
