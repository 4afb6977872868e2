"""Traces leave a process over OTLP/HTTP only when an endpoint is configured, to a real HTTP
receiver here; a collector that is down or absent costs a bounded wait and no error."""

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from scloud_common.tracing import EXPORT_TIMEOUT_SECONDS, tracer_provider
from tests.harness import free_ports

pytestmark = pytest.mark.integration


class Collector:
    """An OTLP/HTTP receiver: keeps each export request it is sent."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, ExportTraceServiceRequest]] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                collector.requests.append((self.path, ExportTraceServiceRequest.FromString(body)))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def span_names(self) -> set[str]:
        return {
            span.name
            for _, request in self.requests
            for resource_spans in request.resource_spans
            for scope_spans in resource_spans.scope_spans
            for span in scope_spans.spans
        }


@pytest.fixture
def collector() -> Iterator[Collector]:
    collector = Collector()
    thread = threading.Thread(target=collector.server.serve_forever, daemon=True)
    thread.start()
    yield collector
    collector.server.shutdown()
    collector.server.server_close()
    thread.join(timeout=5)


def test_spans_are_sent_to_the_configured_collector_under_the_service_name(collector):
    provider = tracer_provider("files", otlp_endpoint=collector.url)
    with provider.get_tracer("test").start_as_current_span("GET /api/files"):
        pass

    assert provider.force_flush(10_000)
    provider.shutdown()

    assert collector.span_names() == {"GET /api/files"}
    [(path, request)] = collector.requests
    assert path == "/v1/traces"
    names = {
        attribute.value.string_value
        for resource_spans in request.resource_spans
        for attribute in resource_spans.resource.attributes
        if attribute.key == "service.name"
    }
    assert names == {"scloud-files"}


def test_without_an_endpoint_spans_are_made_and_nothing_is_exported():
    provider = tracer_provider("files", otlp_endpoint=None)
    with provider.get_tracer("test").start_as_current_span("GET /api/files") as span:
        # A real trace id, for the logs, though the span goes nowhere.
        assert span.get_span_context().is_valid

    assert provider.force_flush(1_000)
    provider.shutdown()


def test_a_collector_that_is_down_costs_a_bounded_wait_and_no_error():
    [closed_port] = free_ports(1)
    provider = tracer_provider("files", otlp_endpoint=f"http://127.0.0.1:{closed_port}")
    with provider.get_tracer("test").start_as_current_span("GET /api/files"):
        pass

    started = time.monotonic()
    provider.force_flush(int(EXPORT_TIMEOUT_SECONDS * 1000))
    provider.shutdown()
    # The exporter's own retries stop at its timeout; shutdown adds its own bounded flush.
    assert time.monotonic() - started < 4 * EXPORT_TIMEOUT_SECONDS
