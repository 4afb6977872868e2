"""Structured JSON logs with the request id of the current HTTP request or RPC."""

import contextvars
import json
import logging
import sys
import uuid
from datetime import UTC, datetime

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_METADATA_KEY = "x-request-id"

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# The browser's address as the HTTP server saw it (after the gateway's X-Forwarded-For, which
# uvicorn trusts only from FORWARDED_ALLOW_IPS), for security events.
client_address_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_address", default=None)

# uvicorn adds an ANSI-coloured copy of each message; the plain one is enough in JSON.
_STANDARD_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"color_message"}


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(value: str | None) -> str:
    """Accepts a caller's id only if it is short and printable, so it cannot forge log lines."""
    if value and len(value) <= 128 and value.isascii() and value.isprintable():
        return value
    return new_request_id()


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        entry.update(
            {
                key: value
                for key, value in vars(record).items()
                if key not in _STANDARD_RECORD_FIELDS and key != "message"
            }
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Our own middleware logs each request with its id; uvicorn's line would repeat it without one.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("botocore").setLevel("WARNING")
