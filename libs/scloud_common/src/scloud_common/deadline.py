"""A deadline on every HTTP request, so a stalled dependency answers 504 instead of hanging."""

import asyncio
import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scloud_common.errors import ServiceTimeout

logger = logging.getLogger(__name__)

# Under the gateway's proxy timeouts and a browser's patience, above the 5 s gRPC deadline and a
# boto3 call with one retry, so those report their own, more precise, failures first.
DEFAULT_REQUEST_DEADLINE_SECONDS = 8.0


def _is_upload(scope: Scope) -> bool:
    """Multipart bodies are uploads: their length is the client's, and their storage calls are
    bounded one by one (boto3 timeouts), so a whole-request deadline would only cut off slow links."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            is_multipart: bool = value.lower().startswith(b"multipart/form-data")
            return is_multipart
    return False


class RequestDeadlineMiddleware:
    """Cancels a request still unanswered after `seconds` and answers 504 `service_timeout`.

    A response already started is left alone: its status line is sent and cannot be replaced.
    Pure ASGI, so request bodies still stream.
    """

    def __init__(self, app: ASGIApp, *, seconds: float = DEFAULT_REQUEST_DEADLINE_SECONDS) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_upload(scope):
            await self.app(scope, receive, send)
            return
        response_started = False

        async def send_tracking(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, send_tracking)
        except TimeoutError:
            if response_started:
                raise
            logger.warning("request deadline exceeded", extra={"path": scope["path"], "seconds": self.seconds})
            await _send_timeout(send)


async def _send_timeout(send: Send) -> None:
    error = ServiceTimeout()
    body = json.dumps({"error": {"code": error.code, "message": error.message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.kind.http_status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
