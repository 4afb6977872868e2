"""The 256-bit random secrets auth hands out (refresh tokens, sign-in challenges, link tokens) and
the one hash its stores keep of them."""

import hashlib
import secrets

from scloud_auth.domain import InvalidRefreshToken

MAX_REFRESH_TOKEN_LENGTH = 256


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret_token(secret: str) -> str:
    # Every secret is 256 random bits, so a plain SHA-256 is enough to make a leaked table
    # useless; the stores hold only this hash.
    return hashlib.sha256(secret.encode()).hexdigest()


def join_refresh_token(session_id: str, secret: str) -> str:
    return f"{session_id}.{secret}"


def split_refresh_token(token: str) -> tuple[str, str]:
    """The session id and the secret of a refresh token `<sessionId>.<secret>`."""
    session_id, _, secret = token.partition(".")
    if not session_id or not secret or len(token) > MAX_REFRESH_TOKEN_LENGTH:
        raise InvalidRefreshToken()
    return session_id, secret
