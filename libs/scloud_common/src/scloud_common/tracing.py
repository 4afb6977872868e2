"""OpenTelemetry traces: one trace per request, from the gateway through every service's HTTP
routes, gRPC calls (both sides) and AWS calls, exported over OTLP when an endpoint is configured.

The request id in every log line is the trace id (scloud_common.web, scloud_common.grpc_server),
so a log line leads to its trace; the gateway starts the trace context (gateway/scloud.conf.template)
with its own request id as the trace id when no `traceparent` came with the request.
(docs/decisions/0009-opentelemetry-traces.md)
"""

import logging
from collections.abc import Sequence

import grpc
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.botocore import BotocoreInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.grpc import aio_client_interceptors, aio_server_interceptor
from opentelemetry.instrumentation.grpc.filters import negate, service_name
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import format_trace_id

logger = logging.getLogger(__name__)

# Probes are polled every few seconds: a trace each would bury the requests they are for.
UNTRACED_URLS = "/healthz,/readyz"
HEALTH_SERVICE = "grpc.health.v1.Health"
# A collector that does not answer must not hold a process's shutdown for long (OTLP's default
# export timeout is 10 s per batch).
EXPORT_TIMEOUT_SECONDS = 5.0
SHUTDOWN_FLUSH_MILLIS = 5_000


def current_trace_id() -> str | None:
    """The trace id (32 hex digits) of the span running now, if a trace is running."""
    context = trace.get_current_span().get_span_context()
    return format_trace_id(context.trace_id) if context.is_valid else None


def tracer_provider(
    service: str, *, otlp_endpoint: str | None, processors: Sequence[SpanProcessor] = ()
) -> TracerProvider:
    """The process's tracer provider, named after `service`. Spans are always made, so every
    request has a trace id to log under; they leave the process only to the OTLP/HTTP collector at
    `otlp_endpoint` (`http://collector:4318`) when one is set, and to the extra `processors` (tests)."""
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: f"scloud-{service}"}))
    if otlp_endpoint:
        exporter = OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces", timeout=EXPORT_TIMEOUT_SECONDS)
        provider.add_span_processor(BatchSpanProcessor(exporter))
    for processor in processors:
        provider.add_span_processor(processor)
    return provider


def install_tracer_provider(provider: TracerProvider) -> None:
    """Makes `provider` the process's own, which every instrumentation (made before or after)
    takes its tracers from. Once per process: OpenTelemetry refuses to replace it."""
    trace.set_tracer_provider(provider)


def shut_down_tracing() -> None:
    """Sends the spans still queued, within SHUTDOWN_FLUSH_MILLIS, as the process ends."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush(SHUTDOWN_FLUSH_MILLIS)
        provider.shutdown()


def trace_app(app: FastAPI) -> None:
    """Traces the app's HTTP requests (a server span each, continuing an incoming `traceparent`)
    and, once per process, every botocore call the process makes. Without an installed provider
    (unit tests) the spans are no-ops."""
    FastAPIInstrumentor.instrument_app(
        app,
        excluded_urls=UNTRACED_URLS,
        # A span per body chunk sent or received would cost an upload thousands of spans.
        exclude_spans=["receive", "send"],
    )
    # The instrumentation packages ship untyped functions.
    instrumentor = BotocoreInstrumentor()  # type: ignore[no-untyped-call]
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()


def grpc_server_tracing() -> grpc.aio.ServerInterceptor:
    """A server span for each call, continuing the caller's trace; health checks left out."""
    interceptor: grpc.aio.ServerInterceptor = aio_server_interceptor(  # type: ignore[no-untyped-call]
        filter_=negate(service_name(HEALTH_SERVICE))
    )
    return interceptor


def grpc_client_tracing() -> list[grpc.aio.ClientInterceptor]:
    """A client span for each call, whose context goes to the peer in the call's metadata."""
    interceptors: list[grpc.aio.ClientInterceptor] = aio_client_interceptors(  # type: ignore[no-untyped-call]
        filter_=negate(service_name(HEALTH_SERVICE))
    )
    return interceptors
