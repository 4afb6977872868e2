"""The WebDAV app: wsgidav over the drive, Basic authentication whose password is a token the
service's verifier accepts, served as ASGI (a2wsgi) under the files app's /dav."""

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from a2wsgi import WSGIMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from wsgidav.dc.base_dc import BaseDomainController
from wsgidav.wsgidav_app import WsgiDAVApp

from scloud_common.errors import AppError, Unauthenticated
from scloud_common.lifespan import ServiceContainer
from scloud_files.dav.bridge import LoopBridge, dav_error
from scloud_files.dav.provider import USER_KEY, DriveProvider
from scloud_files.drive.use_cases import Drive

MOUNT_PATH = "/dav"
REALM = "SCloud"
# WSGI requests in progress at once (each holds a worker thread while its body or bytes flow).
WORKERS = 16
logger = logging.getLogger(__name__)


def _domain_controller(bridge: LoopBridge, container: Callable[[], ServiceContainer[Drive]]) -> type:
    class TokenDomainController(BaseDomainController):
        """The password is an access or personal access token; whichever the verifier accepts.
        The user name is not checked: the token alone names the account."""

        def __init__(self, wsgidav_app: Any, config: Any) -> None:
            super().__init__(wsgidav_app, config)

        def get_domain_realm(self, path_info: str, environ: dict[str, Any]) -> str:
            return REALM

        def require_authentication(self, realm: str, environ: dict[str, Any]) -> bool:
            return True

        def supports_http_digest_auth(self) -> bool:
            return False

        def basic_auth_user(self, realm: str, user_name: str, password: str, environ: dict[str, Any]) -> bool:
            try:
                claims = bridge.submit(container().token_verifier.verify(password)).result(30)
            except Unauthenticated:
                return False
            except AppError as exc:
                raise dav_error(exc) from exc
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
