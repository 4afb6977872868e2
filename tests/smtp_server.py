"""The one real SMTP server of the tests (aiosmtpd) in a thread of its own: in clear, with
STARTTLS or with TLS from the first byte, with or without a login, keeping every message it
accepted for the tests to read."""

import ssl
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from scloud_common.internal_tls import TlsMaterial
from tests.harness import free_ports
from tests.mail_sink import AcceptedMail, parse_eml

# The name the server's certificate is issued for (`issue_certificates([SERVER_NAME])`).
SERVER_NAME = "localhost"
READY_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class ReceivedMail:
    envelope_from: str
    envelope_to: list[str]
    content: bytes

    @property
    def headers(self) -> EmailMessage:
        mail = message_from_bytes(self.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        return mail

    @property
    def accepted(self) -> AcceptedMail:
        return parse_eml(self.content)


@dataclass
class _Inbox:
    received: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    _inbox: _Inbox

    def received(self) -> list[ReceivedMail]:
        """What the server accepted, oldest first."""
        with self._inbox.lock:
            return list(self._inbox.received)

    def mail_to(self, address: str) -> list[AcceptedMail]:
        return [mail.accepted for mail in self.received() if address in mail.envelope_to]


def _server_context(certificate: TlsMaterial) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    # ssl loads a chain and key from files only; they are needed only while loading.
    with tempfile.TemporaryDirectory() as folder:
        cert, key = Path(folder) / "cert.pem", Path(folder) / "key.pem"
        cert.write_bytes(certificate.cert)
        key.write_bytes(certificate.key)
        context.load_cert_chain(cert, key)
    return context


def client_context(certificate: TlsMaterial) -> ssl.SSLContext:
    """A client context that trusts only the CA of the server's certificate."""
    return ssl.create_default_context(cadata=certificate.ca_cert.decode())


@contextmanager
def smtp_server(
    *,
    security: Literal["none", "starttls", "tls"] = "none",
    certificate: TlsMaterial | None = None,
    login: tuple[str, str] | None = None,
) -> Iterator[SmtpServer]:
    """A server on a free loopback port. With `login` it refuses mail from a client that has not
    logged in with that user and password; with STARTTLS it refuses one that has not upgraded."""
    inbox = _Inbox()
    options: dict[str, Any] = {}
    if security != "none":
        assert certificate is not None, "TLS needs the server's certificate"
        context = _server_context(certificate)
        options.update({"tls_context": context, "require_starttls": True} if security == "starttls" else {})
        if security == "tls":
            options["ssl_context"] = context
    if login is not None:
        # aiosmtpd counts only STARTTLS as TLS: over TLS from the first byte it must not ask for more.
        options.update(
            authenticator=_authenticator(*login), auth_required=True, auth_require_tls=security == "starttls"
        )
    [port] = free_ports(1)
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        server_hostname=SERVER_NAME,
        ready_timeout=READY_TIMEOUT_SECONDS,
        **options,
    )
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        controller.stop()


def _authenticator(user: str, password: str) -> Any:
    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        accepted = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            user.encode(),
            password.encode(),
        )
        return AuthResult(success=accepted, handled=False)

    return authenticate
