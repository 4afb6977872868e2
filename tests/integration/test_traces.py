"""One request, one trace: the services continue the gateway's `traceparent` through their HTTP
routes, the gRPC calls between them (both sides) and their S3 and DynamoDB calls; every log line
of the request, in every service, carries the trace id as its request id."""

import io
import json
import logging
import secrets
import time
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_span_id, format_trace_id

from scloud_common.logs import JsonFormatter
from scloud_common.tracing import install_tracer_provider, tracer_provider

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    """The spans every service app of this process ends (the apps share the process's tracer
    provider, as each service's process has its own). Installed once per process; the exporter
    keeps nothing once the module is done."""
    exporter = InMemorySpanExporter()
    install_tracer_provider(tracer_provider("tests", otlp_endpoint=None, processors=[SimpleSpanProcessor(exporter)]))
    yield exporter
    exporter.shutdown()


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The services' log lines as they are written, each formatted when it is logged (the
    request id is the logging task's)."""
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter("tests"))
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lines
    root.removeHandler(handler)
    root.setLevel(previous_level)


def of_trace(exporter: InMemorySpanExporter, trace_id: str, within: float = 5.0) -> list[ReadableSpan]:
    """The trace's spans once its HTTP route's span has ended: that happens when the app returns,
    a moment after the client has the answer."""
    deadline = time.monotonic() + within
    while True:
        spans = [span for span in exporter.get_finished_spans() if format_trace_id(span.context.trace_id) == trace_id]
        routed = any(span.kind is SpanKind.SERVER and span.attributes.get("rpc.system") is None for span in spans)
        if routed or time.monotonic() > deadline:
            return spans
        time.sleep(0.02)


def logged_under(lines: io.StringIO, request_id: str) -> list[dict]:
    entries = [json.loads(line) for line in lines.getvalue().splitlines() if line.startswith("{")]
    return [entry for entry in entries if entry.get("request_id") == request_id]


def gateway_traceparent() -> tuple[str, str, str]:
    """What the gateway sends when no trace came with the request (gateway/scloud.conf.template):
    its request id as the trace id, and a span id of its own."""
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    return f"00-{trace_id}-{span_id}-01", trace_id, span_id


def test_an_upload_is_one_trace_from_the_gateway_through_grpc_to_s3_and_dynamodb(
    system, new_browser, email, spans, log_lines
):
    alice = new_browser()
    assert alice.register(email).status_code == 201
    traceparent, trace_id, gateway_span_id = gateway_traceparent()

    uploaded = alice.request(
        "POST",
        "/api/files/upload",
        files={"file": ("traced.txt", b"followed", "text/plain")},
        headers={"traceparent": traceparent, "X-Request-ID": trace_id},
    )

    assert uploaded.status_code == 201
    assert uploaded.headers["X-Request-ID"] == trace_id
    trace = of_trace(spans, trace_id)
    by_id = {span.context.span_id: span for span in trace}
    # The files service's route continues the gateway's span.
    [route] = [span for span in trace if span.kind is SpanKind.SERVER and span.name == "POST /api/files/upload"]
    assert route.parent is not None and format_span_id(route.parent.span_id) == gateway_span_id
    # Each gRPC call files made is answered under a span of the peer, child of the caller's.
    calls = [span for span in trace if span.kind is SpanKind.CLIENT and span.attributes.get("rpc.system") == "grpc"]
    assert calls, "files made no traced gRPC call"
    answered = [span for span in trace if span.kind is SpanKind.SERVER and span.attributes.get("rpc.system") == "grpc"]
    assert {span.parent.span_id for span in answered} >= {call.context.span_id for call in calls}
    # The bytes went to S3 and the record to DynamoDB, both under the route's span.
    aws = [span for span in trace if span.attributes.get("rpc.system") == "aws-api"]
    assert {span.attributes.get("rpc.service") for span in aws} >= {"S3", "DynamoDB"}

    def descends_from_route(span: ReadableSpan) -> bool:
        while span.parent is not None and span.parent.span_id in by_id:
            span = by_id[span.parent.span_id]
        return span is route

    assert all(descends_from_route(span) for span in trace), "a span of the trace hangs outside the request"

    # Every log line of the request, the peer's included, carries the trace id.
    logged = logged_under(log_lines, trace_id)
    assert any(entry["message"] == "request" and entry.get("path") == "/api/files/upload" for entry in logged)
    # A gRPC span is named after its full method, as the peer logs its call.
    assert {entry["rpc"] for entry in logged if entry["message"] == "rpc"} >= {call.name for call in calls}


def test_a_request_that_came_without_a_trace_starts_one_under_its_request_id(system, new_browser, email, spans):
    alice = new_browser()
    assert alice.register(email).status_code == 201

    response = alice.request("GET", "/api/users/me")

    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    [route] = [span for span in of_trace(spans, request_id) if span.kind is SpanKind.SERVER and span.parent is None]
    assert route.name == "GET /api/users/me"


def test_probes_make_no_spans(system, spans):
    import httpx

    before = len(spans.get_finished_spans())
    assert httpx.get(f"{system.files_url}/healthz", timeout=5).status_code == 200
    probe_spans = [span for span in spans.get_finished_spans()[before:] if "/healthz" in span.name]
    assert not probe_spans
