"""One error model for every service, free of any transport.

Domain errors subclass `AppError`. Each carries a `kind` (what sort of failure it is) and a
stable `code` string that clients can branch on. The edges map kinds to statuses, each from one
table: `web.HTTP_STATUS` for HTTP, `grpc_errors.GRPC_CODE` for gRPC. So a domain or use-case
module that raises these loads neither grpc nor a web framework.
"""

from enum import Enum
from typing import Any


class ErrorKind(Enum):
    INVALID_INPUT = "invalid_input"
    UNAUTHENTICATED = "unauthenticated"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    CONFLICT = "conflict"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    INSUFFICIENT_STORAGE = "insufficient_storage"
    GONE = "gone"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    TIMEOUT = "timeout"
    INTERNAL = "internal"

    @property
    def is_failure_of_ours(self) -> bool:
        """The request was fine; SCloud or something it depends on failed (an HTTP 5xx)."""
        return self in (ErrorKind.UNAVAILABLE, ErrorKind.TIMEOUT, ErrorKind.INTERNAL)


class AppError(Exception):
    """An expected failure, reported to the caller with `code` and `message`."""

    kind: ErrorKind = ErrorKind.INTERNAL
    code: str = "internal_error"
    message: str = "Something went wrong on our side."
    # Sent as `error.details`: what a client needs to act on the error (the id of what is in the way...).
    details: dict[str, Any] | None = None
    # When trying again can succeed, and not before: sent as the HTTP Retry-After header.
    retry_after_seconds: int | None = None

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        kind: ErrorKind | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        if kind is not None:
            self.kind = kind
        if retry_after_seconds is not None:
            self.retry_after_seconds = retry_after_seconds
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class InvalidInput(AppError):
    kind = ErrorKind.INVALID_INPUT
    code = "invalid_input"
    message = "The request is not valid."


class Unauthenticated(AppError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "unauthenticated"
    message = "Sign in to continue."


class NotFound(AppError):
    kind = ErrorKind.NOT_FOUND
    code = "not_found"
    message = "Not found."


class AlreadyExists(AppError):
    kind = ErrorKind.ALREADY_EXISTS
    code = "already_exists"
    message = "It exists already."


class PayloadTooLarge(AppError):
    kind = ErrorKind.PAYLOAD_TOO_LARGE
    code = "payload_too_large"
    message = "The request body is too large."


class InsufficientStorage(AppError):
    """The caller's storage (a quota) has no room for what it asked to store."""

    kind = ErrorKind.INSUFFICIENT_STORAGE
    code = "insufficient_storage"
    message = "There is not enough storage left for this."


class ServiceUnavailable(AppError):
    kind = ErrorKind.UNAVAILABLE
    code = "service_unavailable"
    message = "A service SCloud depends on is unavailable. Try again in a moment."


class ServiceTimeout(AppError):
    kind = ErrorKind.TIMEOUT
    code = "service_timeout"
    message = "A service SCloud depends on did not answer in time. Try again in a moment."


class PermissionDenied(AppError):
    kind = ErrorKind.PERMISSION_DENIED
    code = "permission_denied"
    message = "You are not allowed to do that."


class Conflict(AppError):
    kind = ErrorKind.CONFLICT
    code = "conflict"
    message = "The request conflicts with the current state. Try again."


class Gone(AppError):
    kind = ErrorKind.GONE
    code = "gone"
    message = "This is no longer available."


class RateLimited(AppError):
    kind = ErrorKind.RATE_LIMITED
    code = "rate_limited"
    message = "Too many attempts. Wait a moment and try again."


_CLASS_OF_KIND: dict[ErrorKind, type[AppError]] = {
    cls.kind: cls
    for cls in (
        InvalidInput,
        Unauthenticated,
        PermissionDenied,
        NotFound,
        AlreadyExists,
        Conflict,
        PayloadTooLarge,
        InsufficientStorage,
        Gone,
        RateLimited,
        ServiceUnavailable,
        ServiceTimeout,
    )
}


def error_for(kind: ErrorKind, code: str, message: str) -> AppError:
    """Rebuilds an AppError received from another service, as the class of its kind, so callers
    can catch `NotFound` whatever service raised it."""
    return _CLASS_OF_KIND.get(kind, AppError)(message or None, code=code, kind=kind)
