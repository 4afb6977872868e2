"""Where the public API lives: /api/v1/... The unversioned /api/... paths of before answer the same
for one more release, as deprecated aliases (scloud_common.web.include_public_api)."""

from datetime import UTC, datetime

from starlette.types import Scope

API_V1_PREFIX = "/api/v1"
ALIAS_PREFIX = "/api"
# RFC 9745: when the aliases were deprecated, as a structured-field date.
ALIASES_DEPRECATED_ON = datetime(2026, 12, 7, tzinfo=UTC)
DEPRECATION_HEADER = f"@{int(ALIASES_DEPRECATED_ON.timestamp())}"


def v1_path(path: str) -> str:
    """The /api/v1 address of an unversioned /api one."""
    return API_V1_PREFIX + path.removeprefix(ALIAS_PREFIX)


def is_alias_path(path: str) -> bool:
    return path.startswith(ALIAS_PREFIX + "/") and not path.startswith(API_V1_PREFIX + "/")


def mount_prefix(scope: Scope) -> str:
    """The prefix the public API router answered the request under: its routes know their paths
    without it (the same route object answers at both)."""
    path: str = scope["path"]
    if path.startswith(API_V1_PREFIX + "/"):
        return API_V1_PREFIX
    if path.startswith(ALIAS_PREFIX + "/"):
        return ALIAS_PREFIX
    return ""
