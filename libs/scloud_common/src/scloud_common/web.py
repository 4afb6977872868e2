"""FastAPI plumbing shared by the services: the error handler, request ids and health routes."""

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scloud_common.api_version import ALIAS_PREFIX, API_V1_PREFIX, DEPRECATION_HEADER, is_alias_path, v1_path
from scloud_common.auth_deps import BEARER_SCHEME, OPTIONAL_BEARER_SCHEME
from scloud_common.errors import AppError, ErrorKind, ServiceTimeout
from scloud_common.logs import REQUEST_ID_HEADER, clean_request_id, client_address_var, request_id_var
from scloud_common.metrics import ServiceMetrics
from scloud_common.tracing import current_trace_id

logger = logging.getLogger(__name__)

# The one table from error kind to HTTP status.
HTTP_STATUS: dict[ErrorKind, int] = {
    ErrorKind.INVALID_INPUT: 422,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.PERMISSION_DENIED: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.ALREADY_EXISTS: 409,
    ErrorKind.CONFLICT: 409,
    ErrorKind.PAYLOAD_TOO_LARGE: 413,
    ErrorKind.INSUFFICIENT_STORAGE: 507,
    ErrorKind.GONE: 410,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.TIMEOUT: 504,
    ErrorKind.INTERNAL: 500,
}


class ApiModel(BaseModel):
    """Base of every request and response body: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


def _require_date_string(value: object) -> object:
    # Pydantic would read a number as a Unix timestamp (19900501 -> 1970-08-19); dates come as text.
    if isinstance(value, date) or isinstance(value, str):
        return value
    raise ValueError("must be a date string (YYYY-MM-DD)")


IsoDate = Annotated[date, BeforeValidator(_require_date_string)]


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}

ERROR_RESPONSE_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {
                    "oneOf": [{"type": "array", "items": {"type": "object"}}, {"type": "object"}],
                    "description": "Per-field problems of a refused body (a list), or what a client "
                    "needs to act on the error (an object, e.g. `existingId` of `name_taken`).",
                },
            },
        }
    },
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[Any] | dict[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, headers=headers)


_ERROR_RESPONSE = {"description": "Error", "content": {"application/json": {"schema": ERROR_RESPONSE_SCHEMA}}}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the error body for the given statuses."""
    return {status: _ERROR_RESPONSE for status in statuses}


async def _handle_app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return app_error_response(exc)


def app_error_response(exc: AppError) -> JSONResponse:
    """The one rendering of an expected error, for a route that must add headers to it too."""
    if exc.kind is ErrorKind.INTERNAL:
        logger.error("internal error", exc_info=exc)
    else:
        logger.info("request failed", extra={"error_code": exc.code, "status": HTTP_STATUS[exc.kind]})
    headers = {}
    # Rate limits carry it, and so may a 503 that knows when there will be room.
    if exc.retry_after_seconds is not None:
        headers["Retry-After"] = str(exc.retry_after_seconds)
    return error_response(HTTP_STATUS[exc.kind], exc.code, exc.message, exc.details, headers=headers)


async def _handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # A body that does not parse is malformed, not invalid: 400, like one that is not UTF-8.
    if any(error["type"] == "json_invalid" for error in exc.errors()):
        return error_response(400, "invalid_json", "The body is not valid JSON.")
    details = [
        {"field": ".".join(str(part) for part in error["loc"][1:]) or str(error["loc"][0]), "message": error["msg"]}
        for error in exc.errors()
    ]
    first = details[0] if details else {"field": "", "message": "invalid"}
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return error_response(422, "validation_error", message, details)


_HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """Every method the path answers to. Starlette's own 405 names only the first route that
    matched the path, but FastAPI makes one route per method; and an included router is one
    route holding many, so each method is asked of every route."""
    return ", ".join(
        method
        for method in _HTTP_METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in request.app.routes)
    )


async def _handle_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, UnicodeDecodeError):
        return error_response(400, "invalid_json", "The body is not valid JSON: it is not UTF-8.")
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    headers = exc.headers
    if exc.status_code == 405:
        headers = {"Allow": _allowed_methods(request)}
    return error_response(exc.status_code, code, str(exc.detail), headers=headers)


async def _handle_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error", exc_info=exc)
    return error_response(500, AppError.code, AppError.message)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _handle_app_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_error)
    app.add_exception_handler(Exception, _handle_unexpected_error)


# Path parameters that are secrets (a single-use ZIP link's token): logged as [redacted].
SECRET_PATH_PARAMS = frozenset({"token"})
REDACTED = "[redacted]"


def logged_path(scope: Scope) -> str:
    """The request's path as it may be logged: the values of secret path parameters, known once
    the request was routed, replaced."""
    path: str = scope["path"]
    for name, value in (scope.get("path_params") or {}).items():
        if name in SECRET_PATH_PARAMS and value:
            path = path.replace(str(value), REDACTED)
    return path


class RequestIdMiddleware:
    """Binds each request's id to the logs, echoes it back, and logs and (with `metrics`) times
    the answer.

    The id is the request's trace id (the tracing middleware around this one has continued the
    gateway's `traceparent` or started a trace), so a log line leads to its trace; without a
    trace (tracing not installed), the caller's X-Request-ID or a new one. Pure ASGI rather than
    BaseHTTPMiddleware so request bodies still stream.
    """

    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = current_trace_id() or clean_request_id(Headers(scope=scope).get(REQUEST_ID_HEADER, ""))
        token = request_id_var.set(request_id)
        client = scope.get("client")
        address_token = client_address_var.set(client[0] if client else None)
        started = time.perf_counter()
        # What the server answers if the app raises before starting a response.
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER.encode(), request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            if self.metrics is not None:
                self.metrics.observe_http_request(scope, status, seconds)
            logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": logged_path(scope),
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            request_id_var.reset(token)
            client_address_var.reset(address_token)


# Under the gateway's proxy timeouts and a browser's patience, above the 5 s gRPC deadline and a
# boto3 call with one retry, so those report their own, more precise, failures first.
DEFAULT_REQUEST_DEADLINE_SECONDS = 8.0


def _is_upload(scope: Scope) -> bool:
    """Multipart bodies and PUTs (a WebDAV client's file) are uploads: their length is the
    client's, and their storage calls are bounded one by one (boto3 timeouts), so a whole-request
    deadline would only cut off slow links."""
    if scope["method"] == "PUT":
        return True
    return Headers(scope=scope).get("content-type", "").lower().startswith("multipart/form-data")


class RequestDeadlineMiddleware:
    """Cancels a request still unanswered after `seconds` and answers 504 `service_timeout`, so a
    stalled dependency never hangs a request.

    The deadline bounds the wait for the response to start: once its status line is sent it
    cannot be replaced, and a streamed body (an archive download) takes as long as the client
    reads it. Pure ASGI, so request bodies still stream.
    """

    def __init__(self, app: ASGIApp, *, seconds: float = DEFAULT_REQUEST_DEADLINE_SECONDS) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_upload(scope):
            await self.app(scope, receive, send)
            return
        response_started = False
        deadline = asyncio.timeout(self.seconds)

        async def send_tracking(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                deadline.reschedule(None)
            await send(message)

        try:
            async with deadline:
                await self.app(scope, receive, send_tracking)
        except TimeoutError:
            if response_started:
                raise
            logger.warning("request deadline exceeded", extra={"path": logged_path(scope), "seconds": self.seconds})
            error = ServiceTimeout()
            await error_response(HTTP_STATUS[error.kind], error.code, error.message)(scope, receive, send)


class NoStoreMiddleware:
    """Marks every /api response `Cache-Control: no-store`: they carry tokens or personal data,
    which no browser or proxy cache may keep."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value) for name, value in message.get("headers", []) if name.lower() != b"cache-control"
                ]
                message["headers"] = [*headers, (b"cache-control", b"no-store")]
            await send(message)

        await self.app(scope, receive, send_no_store)


def include_public_api(app: FastAPI, router: APIRouter) -> None:
    """Mounts the public API `router` (its routes' paths without the /api) at /api/v1, the
    documented API, and again at /api, the old paths, as aliases left out of the OpenAPI document
    whose answers DeprecatedAliasMiddleware marks."""
    app.include_router(router, prefix=API_V1_PREFIX)
    app.include_router(router, prefix=ALIAS_PREFIX, include_in_schema=False)


class DeprecatedAliasMiddleware:
    """Adds `Deprecation` and a `Link` to the /api/v1 address of the very resource asked for to
    every answer of a deprecated alias route, its errors included. The route that answered is
    known once the request was routed, so a path no route matches (a 404) gets neither. Pure
    ASGI, so bodies still stream."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_alias_path(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_deprecated(message: Message) -> None:
            # Only /api routes are mounted under /api, so a routed request there is an alias's.
            if message["type"] == "http.response.start" and scope.get("route") is not None:
                link = f'<{v1_path(scope["path"])}>; rel="successor-version"'
                message["headers"] = [
                    *message.get("headers", []),
                    (b"deprecation", DEPRECATION_HEADER.encode()),
                    (b"link", link.encode("latin-1", "replace")),
                ]
            await send(message)

        await self.app(scope, receive, send_deprecated)


ReadinessCheck = Callable[[], Awaitable[None]]


def health_router() -> APIRouter:
    """`/healthz` answers while the process can serve (503 naming the stalled thread pools when
    the lifespan's watchdog, `app.state.watchdog`, says it cannot); `/readyz` runs the checks the lifespan put
    in `app.state.readiness_checks` (name -> coroutine function) and answers 503 if any fails."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", include_in_schema=False)
    async def healthz(request: Request) -> JSONResponse:
        watchdog = getattr(request.app.state, "watchdog", None)
        stalled = watchdog.problems() if watchdog is not None else []
        if stalled:
            return JSONResponse({"status": "unavailable", "stalled": stalled}, status_code=503)
        return JSONResponse({"status": "ok"})

    @router.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        checks: dict[str, ReadinessCheck] = getattr(request.app.state, "readiness_checks", {})
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await check()
                results[name] = "ok"
            except Exception as exc:  # readiness reports any failure, it must not raise
                logger.warning("readiness check failed", extra={"check": name, "error": repr(exc)})
                results[name] = "unavailable"
        ready = all(result == "ok" for result in results.values())
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "checks": results}, status_code=200 if ready else 503
        )

    return router


_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def document_shared_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Adds to each operation of an OpenAPI document the errors the shared plumbing, not the
    route, may answer: 400 for a JSON body that does not parse (or is not UTF-8), 422 for a body
    or parameter that fails validation, 401 where an access token is required (where it is
    optional, the security requirement says so instead). A route's own entry for a status wins,
    except FastAPI's own 422 body, which the services never send."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            statuses = []
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                statuses += ["400", "422"]
            if operation.get("parameters"):
                statuses.append("422")
            security = operation.get("security") or []
            if any(OPTIONAL_BEARER_SCHEME in requirement for requirement in security):
                security = operation["security"] = [{BEARER_SCHEME: []}, {}]
            if security and {} not in security:
                statuses.append("401")
            responses = operation.setdefault("responses", {})
            for status in statuses:
                if status not in responses or "HTTPValidationError" in json.dumps(responses[status]):
                    responses[status] = _ERROR_RESPONSE
    components = document.get("components", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        components.get("schemas", {}).pop(name, None)
    security_schemes = components.get("securitySchemes", {})
    if OPTIONAL_BEARER_SCHEME in security_schemes:
        security_schemes.setdefault(BEARER_SCHEME, security_schemes.pop(OPTIONAL_BEARER_SCHEME))
    return document


class _App(FastAPI):
    def openapi(self) -> dict[str, Any]:
        # Routers are included after create_app returns, so the document is completed when first
        # built; FastAPI then keeps it, completed, in openapi_schema.
        if self.openapi_schema is None:
            self.openapi_schema = document_shared_errors(super().openapi())
        return self.openapi_schema


def create_app(
    *,
    title: str,
    description: str,
    lifespan: Callable[[FastAPI], Any],
    docs: bool = False,
    request_deadline_seconds: float = DEFAULT_REQUEST_DEADLINE_SECONDS,
    metrics: ServiceMetrics | None = None,
) -> FastAPI:
    """A FastAPI app with the shared error model, request deadlines, request ids and health routes;
    its OpenAPI document lists the shared error statuses on every route they apply to.

    `docs` serves the interactive API docs (/docs, /redoc), which load their scripts from a
    public CDN and invite anyone to try the API: development only. /openapi.json stays, as the
    contract the frontend client is generated from (and which that client's code reveals anyway).
    With `metrics`, every answered request but the probes is timed under its route template.
    """
    app = _App(
        title=title,
        description=description,
        lifespan=lifespan,
        version="1.0.0",
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
    )
    install_error_handlers(app)
    app.add_middleware(RequestDeadlineMiddleware, seconds=request_deadline_seconds)
    app.add_middleware(NoStoreMiddleware)
    app.add_middleware(DeprecatedAliasMiddleware)
    # Added last, so outermost of these: it times and logs the whole answer, the others' work included.
    app.add_middleware(RequestIdMiddleware, metrics=metrics)
    app.include_router(health_router())
    return app
