"""FastAPI plumbing shared by the services: the error handler, request ids and health routes."""

import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scloud_common.deadline import DEFAULT_REQUEST_DEADLINE_SECONDS, RequestDeadlineMiddleware
from scloud_common.errors import AppError, ErrorKind
from scloud_common.logs import REQUEST_ID_HEADER, clean_request_id, request_id_var

logger = logging.getLogger(__name__)


class ApiModel(BaseModel):
    """Base of every request and response body: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


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
                "details": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}


def error_response(status: int, code: str, message: str, details: list | None = None) -> JSONResponse:
    body: dict = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def error_responses(*statuses: int) -> dict:
    """OpenAPI `responses=` entries documenting the error body for the given statuses."""
    return {
        status: {"description": "Error", "content": {"application/json": {"schema": ERROR_RESPONSE_SCHEMA}}}
        for status in statuses
    }


async def _handle_app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    if exc.kind is ErrorKind.INTERNAL:
        logger.error("internal error", exc_info=exc)
    else:
        logger.info("request failed", extra={"error_code": exc.code, "status": exc.kind.http_status})
    return error_response(exc.kind.http_status, exc.code, exc.message)


async def _handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"field": ".".join(str(part) for part in error["loc"][1:]) or str(error["loc"][0]), "message": error["msg"]}
        for error in exc.errors()
    ]
    first = details[0] if details else {"field": "", "message": "invalid"}
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return error_response(422, "validation_error", message, details)


async def _handle_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail))


async def _handle_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error", exc_info=exc)
    return error_response(500, AppError.code, AppError.message)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _handle_app_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_error)
    app.add_exception_handler(Exception, _handle_unexpected_error)


class RequestIdMiddleware:
    """Binds the X-Request-ID of each request (or a new one) to the logs and echoes it back.

    Pure ASGI rather than BaseHTTPMiddleware so request bodies still stream.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = clean_request_id(headers.get(REQUEST_ID_HEADER.lower().encode(), b"").decode("latin-1"))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
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
            logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id_var.reset(token)


ReadinessCheck = Callable[[], Awaitable[None]]


def health_router() -> APIRouter:
    """`/healthz` answers while the process lives; `/readyz` runs the checks the lifespan put
    in `app.state.readiness_checks` (name -> coroutine function) and answers 503 if any fails."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"status": "ok"}

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


def create_app(
    *, title: str, description: str, lifespan, request_deadline_seconds: float = DEFAULT_REQUEST_DEADLINE_SECONDS
) -> FastAPI:
    """A FastAPI app with the shared error model, request deadlines, request ids and health routes."""
    app = FastAPI(title=title, description=description, lifespan=lifespan, version="1.0.0")
    install_error_handlers(app)
    app.add_middleware(RequestDeadlineMiddleware, seconds=request_deadline_seconds)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health_router())
    return app
