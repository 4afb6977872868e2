"""What can go wrong, each kind with the exit code `scloud` ends with (cli/README.md lists them)."""

from typing import Any

import httpx

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_NOT_FOUND = 4
EXIT_CONFLICT = 5


class ScloudError(Exception):
    """A failure the user is told about; `code` is the API's error code where there is one."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, *, code: str = "failed", details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details or {}

    def as_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class UsageError(ScloudError):
    exit_code = EXIT_USAGE


class AuthError(ScloudError):
    exit_code = EXIT_AUTH


class NotFoundError(ScloudError):
    exit_code = EXIT_NOT_FOUND


class ConflictError(ScloudError):
    """A taken name, a full quota or a file over the limit: the request cannot succeed as sent."""

    exit_code = EXIT_CONFLICT


class ChecksumMismatch(ScloudError):
    pass


ERROR_BY_STATUS: dict[int, type[ScloudError]] = {
    401: AuthError,
    403: AuthError,
    404: NotFoundError,
    409: ConflictError,
    413: ConflictError,
    507: ConflictError,
}


def error_from_response(response: httpx.Response) -> ScloudError:
    """The API's `{"error": {"code", "message", "details"}}` as the matching exception."""
    code, message = f"http_{response.status_code}", response.reason_phrase
    details: dict[str, Any] = {}
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        code = str(error.get("code", code))
        message = str(error.get("message", message))
        details = error.get("details") or {}
    kind = ERROR_BY_STATUS.get(response.status_code, ScloudError)
    return kind(f"{message} ({response.status_code} {code})", code=code, details=details)
