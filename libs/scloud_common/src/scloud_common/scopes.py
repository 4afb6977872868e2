"""What a personal access token may do: its scopes, and the prefix that marks its text.

One source for every service and, through the OpenAPI documents, for the frontend. A session
(browser) token may do all of it; a personal access token only what it was created with, and
never the account-level actions (`token_not_allowed`)."""

import re
from enum import StrEnum

from scloud_common.errors import PermissionDenied

# Secret scanners (GitHub custom patterns, gitleaks) find leaked tokens by this prefix:
# docs/security.md gives the pattern, PERSONAL_ACCESS_TOKEN_PATTERN below.
PERSONAL_ACCESS_TOKEN_PREFIX = "scloud_pat_"
# secrets.token_urlsafe(32): 32 random bytes, 43 URL-safe base64 characters without padding.
PERSONAL_ACCESS_TOKEN_PATTERN = re.compile(r"scloud_pat_[A-Za-z0-9_-]{43}")


class Scope(StrEnum):
    FILES_READ = "files:read"
    FILES_WRITE = "files:write"
    SHARES_WRITE = "shares:write"
    PROFILE_READ = "profile:read"
    PROFILE_WRITE = "profile:write"


ALL_SCOPES = frozenset(Scope)


def is_personal_access_token(token: str) -> bool:
    return token.startswith(PERSONAL_ACCESS_TOKEN_PREFIX)


class MissingScope(PermissionDenied):
    code = "insufficient_scope"

    def __init__(self, scope: Scope) -> None:
        super().__init__(f"This access token does not have the {scope.value} scope.")
        self.details = {"requiredScope": scope.value}


class TokenNotAllowed(PermissionDenied):
    code = "token_not_allowed"
    message = "Personal access tokens cannot do this: sign in to the web app instead."
