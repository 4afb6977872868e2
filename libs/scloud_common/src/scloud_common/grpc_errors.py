"""How error kinds travel over gRPC: the one table from kind to status code and back."""

import grpc

from scloud_common.errors import ErrorKind

GRPC_CODE: dict[ErrorKind, grpc.StatusCode] = {
    ErrorKind.INVALID_INPUT: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
    ErrorKind.PERMISSION_DENIED: grpc.StatusCode.PERMISSION_DENIED,
    ErrorKind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    ErrorKind.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    ErrorKind.CONFLICT: grpc.StatusCode.ABORTED,
    ErrorKind.PAYLOAD_TOO_LARGE: grpc.StatusCode.OUT_OF_RANGE,
    ErrorKind.GONE: grpc.StatusCode.FAILED_PRECONDITION,
    # Both are RESOURCE_EXHAUSTED; a peer's RESOURCE_EXHAUSTED reads back as RATE_LIMITED, the
    # entry that follows this one.
    ErrorKind.INSUFFICIENT_STORAGE: grpc.StatusCode.RESOURCE_EXHAUSTED,
    ErrorKind.RATE_LIMITED: grpc.StatusCode.RESOURCE_EXHAUSTED,
    ErrorKind.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
    ErrorKind.TIMEOUT: grpc.StatusCode.DEADLINE_EXCEEDED,
    ErrorKind.INTERNAL: grpc.StatusCode.INTERNAL,
}
_KIND_OF_CODE = {code: kind for kind, code in GRPC_CODE.items()}


def kind_of_grpc_code(code: grpc.StatusCode) -> ErrorKind:
    """The kind a status code received from a peer stands for; INTERNAL for codes we never send."""
    return _KIND_OF_CODE.get(code, ErrorKind.INTERNAL)
