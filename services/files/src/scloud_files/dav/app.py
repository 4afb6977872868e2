"""The WebDAV app: wsgidav over the drive, Basic authentication whose user is the account's email
and whose password a token the service's verifier accepts, served as ASGI (a2wsgi) under the
files app's /dav."""

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from a2wsgi import WSGIMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from wsgidav.dc.base_dc import BaseDomainController
from wsgidav.wsgidav_app import WsgiDAVApp

from scloud_common.errors import ServiceUnavailable, Unauthenticated
from scloud_common.lifespan import ServiceContainer
from scloud_common.scopes import Scope as TokenScope
from scloud_common.tokens import AccessClaims
from scloud_files.dav.bridge import LoopBridge
from scloud_files.dav.provider import USER_KEY, DriveProvider
from scloud_files.drive.use_cases import Drive

MOUNT_PATH = "/dav"
# What a client reads with; every other method (PUT, MKCOL, MOVE, COPY, DELETE, LOCK, PROPPATCH...)
# changes something.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PROPFIND"})
REALM = "SCloud"
# WSGI requests in progress at once (each holds a worker thread while its body or bytes flow).
WORKERS = 16
logger = logging.getLogger(__name__)


class WrongSignInName(Unauthenticated):
    code = "wrong_sign_in_name"
    message = "Sign in with your account's email and a personal access token."


async def sign_in(container: ServiceContainer[Drive], user_name: str, password: str, *, method: str) -> AccessClaims:
    """The claims of `password`, a token the verifier accepts, whose account's email is
    `user_name`. Unauthenticated for a refused token or another account's name."""
    claims = await container.token_verifier.verify(password)
    # A personal access token reads with files:read and changes with files:write, as on the HTTP
    # API; a browser session's token may do both.
    claims.require(TokenScope.FILES_READ if method in READ_METHODS else TokenScope.FILES_WRITE)
    names = container.service.sign_in_names
    if names is None:
        raise ServiceUnavailable("WebDAV is not available here.")
    if not await names.is_account_email(claims.user_id, user_name):
        raise WrongSignInName()
    return claims


def _domain_controller(bridge: LoopBridge, container: Callable[[], ServiceContainer[Drive]]) -> type:
    class TokenDomainController(BaseDomainController):
        """The user is the account's email; the password an access or personal access token."""

        def __init__(self, wsgidav_app: Any, config: Any) -> None:
            super().__init__(wsgidav_app, config)

        def get_domain_realm(self, path_info: str, environ: dict[str, Any]) -> str:
            return REALM

        def require_authentication(self, realm: str, environ: dict[str, Any]) -> bool:
            return True

        def supports_http_digest_auth(self) -> bool:
            return False

        def basic_auth_user(self, realm: str, user_name: str, password: str, environ: dict[str, Any]) -> bool:
            signing_in = sign_in(container(), user_name, password, method=environ["REQUEST_METHOD"])
            try:
                claims = bridge.run(signing_in, passing=(Unauthenticated,))
            except Unauthenticated:
                return False
            environ[USER_KEY] = claims.user_id
            return True

    return TokenDomainController


def create_dav_app(container: Callable[[], ServiceContainer[Drive]]) -> ASGIApp:
    """`container` gives the service's container once its lifespan has built it."""
    bridge = LoopBridge()
    provider = DriveProvider(bridge, lambda: container().service)
    config = {
        "provider_mapping": {"/": provider},
        "mount_path": MOUNT_PATH,
        "http_authenticator": {
            "domain_controller": _domain_controller(bridge, container),
            "accept_basic": True,
            "accept_digest": False,
            "default_to_digest": False,
        },
        "dir_browser": {"enable": False},
        "lock_storage": True,
        "property_manager": True,
        "verbose": 1,
        "logging": {"enable": False},
    }
    wsgi = WSGIMiddleware(WsgiDAVApp(config), workers=WORKERS)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if bridge.loop is None:
            bridge.loop = asyncio.get_running_loop()
        await wsgi(scope, receive, send)  # type: ignore[arg-type]  # a2wsgi types the ASGI events more narrowly

    return app
